// Loads the admin app (wasm-bindgen --target web output); `start` runs on instantiation.
import init from './admin_leptos.js';

init({ module_or_path: new URL('./admin_leptos_bg.wasm', import.meta.url) }).catch((err) => {
  console.error('Falha ao carregar a administração do Balto', err);
  const p = document.createElement('p');
  p.className = 'note error';
  p.textContent = 'Não foi possível carregar a administração. Recarregue a página.';
  document.body.append(p);
});
