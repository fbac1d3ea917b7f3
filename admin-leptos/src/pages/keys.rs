//! *Balcões*: counter keys (`/keys`): list, create (the full key is shown once) and revoke.

use crate::api;
use crate::browser::{confirm, utc_offset_min};
use crate::format;
use crate::widgets::{ErrorNote, Loading};
use balto_core::admin::{CounterKey, CreateKeyRequest, CreatedKey};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

#[component]
pub fn KeysPage() -> impl IntoView {
    let keys = LocalResource::new(api::keys);
    let store = RwSignal::new(String::new());
    let counter = RwSignal::new(String::new());
    let created = RwSignal::new(None::<CreatedKey>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = CreateKeyRequest {
            store: store.get_untracked().trim().to_string(),
            counter: counter.get_untracked().trim().to_string(),
        };
        if body.store.is_empty() || body.counter.is_empty() {
            error.set(Some("Informe a loja e o balcão.".into()));
            return;
        }
        busy.set(true);
        error.set(None);
        created.set(None);
        spawn_local(async move {
            match api::create_key(body).await {
                Ok(k) => {
                    created.set(Some(k));
                    store.set(String::new());
                    counter.set(String::new());
                    keys.refetch();
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };
    let revoke = Callback::new(move |key: CounterKey| {
        let message = format!(
            "Revogar a chave de {} · {}? O balcão deixa de conectar imediatamente.",
            key.store, key.counter
        );
        if !confirm(&message) {
            return;
        }
        error.set(None);
        spawn_local(async move {
            match api::revoke_key(&key.key_id).await {
                Ok(()) => keys.refetch(),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    });
    view! {
        <h1>"Balcões"</h1>
        <form class="card inline-form" id="key-create-form" data-testid="key-create-form" on:submit=create>
            <h2>"Nova chave de balcão"</h2>
            <label class="field">
                <span>"Loja"</span>
                <input id="key-store" data-testid="key-store" maxlength="200"
                    prop:value=move || store.get() on:input=move |ev| store.set(event_target_value(&ev)) />
            </label>
            <label class="field">
                <span>"Balcão"</span>
                <input id="key-counter" data-testid="key-counter" maxlength="200"
                    prop:value=move || counter.get() on:input=move |ev| counter.set(event_target_value(&ev)) />
            </label>
            <div class="actions">
                <button type="submit" data-testid="key-create" disabled=move || busy.get()>"Criar chave"</button>
            </div>
        </form>
        {move || error.get().map(|m| view! { <ErrorNote message=m /> })}
        {move || created.get().map(|k| view! { <CreatedKeyBox k on_close=Callback::new(move |()| created.set(None)) /> })}
        <section class="card">
            <h2>"Chaves"</h2>
            {move || match keys.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNote message=e.to_string() /> }.into_any(),
                Some(Ok(list)) => view! { <KeyTable list revoke /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn CreatedKeyBox(k: CreatedKey, on_close: Callback<()>) -> impl IntoView {
    let select_all = |ev: leptos::ev::FocusEvent| {
        if let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            input.select();
        }
    };
    view! {
        <section class="card created-key" data-testid="created-key" role="status">
            <h2>{format!("Chave criada para {} · {}", k.store, k.counter)}</h2>
            <p class="warning">
                "Copie esta chave agora e configure-a no balcão: por segurança ela não será mostrada de novo."
            </p>
            <input id="created-api-key" data-testid="created-api-key" class="mono" readonly
                prop:value=k.api_key on:focus=select_all />
            <p class="muted small">"Clique no campo para selecionar e copie com Ctrl+C (⌘C no Mac)."</p>
            <button class="secondary" data-testid="created-key-close" on:click=move |_| on_close.run(())>
                "Já copiei"
            </button>
        </section>
    }
}

#[component]
fn KeyTable(list: Vec<CounterKey>, revoke: Callback<CounterKey>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="note">"Nenhuma chave criada ainda."</p> }.into_any();
    }
    let offset = utc_offset_min();
    let rows = list
        .into_iter()
        .map(|k| {
            let revoked = k.revoked_at_ms;
            let state = revoked.map_or_else(
                || "Ativa".to_string(),
                |ms| format!("Revogada em {}", format::datetime(ms, offset)),
            );
            let key = k.clone();
            let key_id = k.key_id.clone();
            view! {
                <tr data-testid="key-row" data-key-id=key_id class:revoked=revoked.is_some()>
                    <td>{k.store}</td>
                    <td>{k.counter}</td>
                    <td class="mono small">{k.key_id}</td>
                    <td class="nowrap">{format::datetime(k.created_at_ms, offset)}</td>
                    <td>{state}</td>
                    <td>
                        {revoked.is_none().then(|| view! {
                            <button class="danger small" data-testid="key-revoke"
                                on:click=move |_| revoke.run(key.clone())>"Revogar"</button>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap"><table data-testid="keys-table">
            <thead><tr><th>"Loja"</th><th>"Balcão"</th><th>"Identificador"</th><th>"Criada em"</th><th>"Situação"</th><th></th></tr></thead>
            <tbody>{rows}</tbody>
        </table></div>
    }
    .into_any()
}
