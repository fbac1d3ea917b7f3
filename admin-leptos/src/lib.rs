//! Balto's admin web app: Leptos 0.8, client-side rendered, built for wasm32 and served by
//! local-dev at `/admin/` (see README.md). The browser code (`api`, `app`, `pages`, `widgets`)
//! exists only on wasm32; the pure helpers below build and are tested natively.
//!
//! Invariant: user-provided text is only ever rendered as text (no `inner_html`), and every
//! request and response body is a `balto_core::admin` type.

pub mod chart;
pub mod format;
pub mod labels;
pub mod live_window;
pub mod paths;
pub mod query;

#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(target_arch = "wasm32")]
mod pages;
#[cfg(target_arch = "wasm32")]
mod widgets;

/// Entry point called by `boot.js` after the module is instantiated.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
