//! The app shell: checks the session, shows the login page or the navigation and the routed
//! pages, and provides the history filters shared by the pages ([`crate::pages::filters`]).

use crate::api;
use crate::pages;
use crate::pages::filters::Filters;
use crate::paths;
use balto_core::admin::HistoryQuery;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Auth {
    Checking,
    LoggedOut,
    LoggedIn,
}

#[component]
pub fn App() -> impl IntoView {
    let auth = RwSignal::new(Auth::Checking);
    provide_context(Filters(RwSignal::new(HistoryQuery::default())));
    api::on_unauthorized(move || auth.set(Auth::LoggedOut));
    spawn_local(async move {
        let state = match api::session().await {
            Ok(_) => Auth::LoggedIn,
            Err(_) => Auth::LoggedOut,
        };
        auth.set(state);
    });
    let on_login = Callback::new(move |()| auth.set(Auth::LoggedIn));
    let on_logout = Callback::new(move |()| auth.set(Auth::LoggedOut));
    view! {
        <Router>
            {move || match auth.get() {
                Auth::Checking => view! { <p class="note loading">"Carregando…"</p> }.into_any(),
                Auth::LoggedOut => view! { <pages::login::LoginPage on_login /> }.into_any(),
                Auth::LoggedIn => view! { <Shell on_logout /> }.into_any(),
            }}
        </Router>
    }
}

#[component]
fn Shell(on_logout: Callback<()>) -> impl IntoView {
    let logout = move |_| {
        spawn_local(async move {
            // Whatever the answer, the session is over for this page.
            let _ = api::logout().await;
            on_logout.run(());
        });
    };
    view! {
        <header class="topbar">
            <span class="brand">"Balto " <small>"administração"</small></span>
            <nav>
                <A href=paths::LIVE exact=true attr:data-testid="nav-live">"Ao vivo"</A>
                <A href=paths::HISTORY attr:data-testid="nav-history">"Histórico"</A>
                <A href=paths::REVIEW attr:data-testid="nav-review">"Revisão"</A>
                <A href=paths::COMPARISON attr:data-testid="nav-comparison">"Comparação"</A>
                <A href=paths::KEYS attr:data-testid="nav-keys">"Balcões"</A>
                <A href=paths::EXPORT attr:data-testid="nav-export">"Exportar"</A>
            </nav>
            <button id="logout" class="link" data-testid="logout" on:click=logout>"Sair"</button>
        </header>
        <main>
            <Routes fallback=|| view! { <pages::live::LivePage /> }>
                <Route path=path!("/admin") view=pages::live::LivePage />
                <Route path=path!("/admin/historico") view=pages::history::HistoryPage />
                <Route path=path!("/admin/historico/sessao/:id") view=pages::session::SessionPage />
                <Route path=path!("/admin/segmento/:id") view=pages::segment::SegmentPage />
                <Route path=path!("/admin/revisao") view=pages::review::ReviewPage />
                <Route path=path!("/admin/comparacao") view=pages::comparison::ComparisonPage />
                <Route path=path!("/admin/balcoes") view=pages::keys::KeysPage />
                <Route path=path!("/admin/exportar") view=pages::export::ExportPage />
            </Routes>
        </main>
    }
}
