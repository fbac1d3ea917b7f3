//! *Entrar*: the admin secret → `POST /login` (the session cookie is set by the server).

use crate::api;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn LoginPage(on_login: Callback<()>) -> impl IntoView {
    let secret = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let value = secret.get_untracked();
        spawn_local(async move {
            match api::login(value).await {
                Ok(_) => {
                    secret.set(String::new());
                    on_login.run(());
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };
    view! {
        <div class="login-wrap">
            <form id="login-form" data-testid="login-form" class="card login" on:submit=submit>
                <h1>"Balto " <small>"administração"</small></h1>
                <label for="login-secret">"Senha de administração"</label>
                <input
                    id="login-secret"
                    data-testid="login-secret"
                    type="password"
                    autocomplete="current-password"
                    required
                    prop:value=move || secret.get()
                    on:input=move |ev| secret.set(event_target_value(&ev))
                />
                <button id="login-submit" data-testid="login-submit" type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { "Entrando…" } else { "Entrar" }}
                </button>
                {move || error.get().map(|m| view! { <p class="note error" role="alert" data-testid="login-error">{m}</p> })}
                <p class="muted small">
                    "A senha fica no arquivo admin-secret da pasta de dados do servidor (ou em ADMIN_SECRET)."
                </p>
            </form>
        </div>
    }
}
