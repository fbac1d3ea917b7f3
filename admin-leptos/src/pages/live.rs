//! *Ao vivo*: `GET /live`, then the `/live/stream` server-sent events (`snapshot`), keeping the
//! recent snapshots in a [`LiveWindow`] for the charts.

use crate::api;
use crate::browser::utc_offset_min;
use crate::format::{self, NONE};
use crate::labels;
use crate::live_window::LiveWindow;
use crate::query::api_url;
use crate::widgets::{BarChart, ErrorNote, Loading, Sparkline, Stat};
use balto_core::admin::LiveSnapshot;
use leptos::prelude::*;
use leptos::task::spawn_local;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Event, EventSource, MessageEvent};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StreamState {
    Connecting,
    Live,
    Reconnecting,
    Closed,
}

impl StreamState {
    fn label(self) -> &'static str {
        match self {
            StreamState::Connecting => "Conectando…",
            StreamState::Live => "Ao vivo",
            StreamState::Reconnecting => "Reconectando…",
            StreamState::Closed => "Sem atualização automática",
        }
    }
}

/// The open event stream; closing it is dropping it.
struct Stream {
    source: EventSource,
    _callbacks: Vec<Closure<dyn FnMut(Event)>>,
}

impl Drop for Stream {
    fn drop(&mut self) {
        self.source.close();
    }
}

fn open_stream(window: RwSignal<LiveWindow>, state: RwSignal<StreamState>) -> Option<Stream> {
    let source = EventSource::new(&api_url("/live/stream", None)).ok()?;
    let on_snapshot = Closure::<dyn FnMut(Event)>::new(move |ev: Event| {
        let Some(data) = ev
            .dyn_ref::<MessageEvent>()
            .and_then(|m| m.data().as_string())
        else {
            return;
        };
        if let Ok(snapshot) = serde_json::from_str::<LiveSnapshot>(&data) {
            window.try_update(|w| w.push(snapshot));
            state.try_set(StreamState::Live);
        }
    });
    let on_open = Closure::<dyn FnMut(Event)>::new(move |_| {
        state.try_set(StreamState::Live);
    });
    let probe = source.clone();
    let on_error = Closure::<dyn FnMut(Event)>::new(move |_| {
        // CLOSED (2): the browser gave up (e.g. 401 or 501); otherwise it retries by itself.
        let closed = probe.ready_state() == 2;
        state.try_set(if closed {
            StreamState::Closed
        } else {
            StreamState::Reconnecting
        });
        // A lost session shows the login page (the API client reports the 401).
        spawn_local(async move {
            let _ = api::session().await;
        });
    });
    source
        .add_event_listener_with_callback("snapshot", on_snapshot.as_ref().unchecked_ref())
        .ok()?;
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Some(Stream {
        source,
        _callbacks: vec![on_snapshot, on_open, on_error],
    })
}

#[component]
pub fn LivePage() -> impl IntoView {
    let window = RwSignal::new(LiveWindow::default());
    let state = RwSignal::new(StreamState::Connecting);
    let error = RwSignal::new(None::<String>);
    spawn_local(async move {
        match api::live().await {
            Ok(s) => {
                window.try_update(|w| w.push(s));
            }
            Err(e) => {
                error.try_set(Some(e.to_string()));
            }
        }
    });
    match open_stream(window, state) {
        Some(stream) => {
            let stream = SendWrapper::new(stream);
            on_cleanup(move || drop(stream));
        }
        None => state.set(StreamState::Closed),
    }
    view! {
        <div class="page-head">
            <h1>"Ao vivo"</h1>
            <span class="badge" data-testid="live-stream-state"
                class:ok=move || state.get() == StreamState::Live
                class:warn=move || state.get() != StreamState::Live>
                {move || state.get().label()}
            </span>
        </div>
        {move || error.get().map(|m| view! { <ErrorNote message=m /> })}
        {move || window.with(|w| match w.latest().cloned() {
            None if error.get().is_none() => view! { <Loading /> }.into_any(),
            None => ().into_any(),
            Some(s) => live_view(s, w).into_any(),
        })}
    }
}

fn live_view(s: LiveSnapshot, w: &LiveWindow) -> impl IntoView + use<> {
    let offset = utc_offset_min();
    let minutes = s.segments_per_minute.len();
    let minute_labels: Vec<String> = (0..minutes)
        .map(|i| match minutes - 1 - i {
            0 => "agora".to_string(),
            ago => format!("há {ago} min"),
        })
        .collect();
    let per_minute: Vec<f64> = s.segments_per_minute.iter().map(|&n| n as f64).collect();
    let per_minute_text: Vec<String> = s
        .segments_per_minute
        .iter()
        .map(|n| format!("{n} segmentos"))
        .collect();
    let latency_charts = w
        .providers()
        .into_iter()
        .map(|(stage, provider)| {
            let values = w.p95_series(&stage, &provider);
            view! { <Sparkline title=format!("p95 {} · {}", labels::stage(&stage), provider) values unit=" ms" /> }
        })
        .collect_view();
    let connections = if s.connections.is_empty() {
        view! { <p class="note">"Nenhum balcão conectado agora."</p> }.into_any()
    } else {
        let rows = s
            .connections
            .iter()
            .map(|c| {
                let state_class = format!("badge state-{}", labels::wire(&c.state));
                view! {
                    <tr data-testid="live-connection-row" data-connection=c.connection_id.to_string()>
                        <td>{c.store.clone().unwrap_or_else(|| NONE.to_string())}</td>
                        <td>{c.counter.clone().unwrap_or_else(|| NONE.to_string())}</td>
                        <td><span class=state_class>{labels::connection_state(c.state)}</span></td>
                        <td class="nowrap">{format::clock(c.state_since_ms, offset)}</td>
                        <td class="nowrap">{format::datetime(c.connected_at_ms, offset)}</td>
                        <td class="num">{c.segments}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-wrap"><table data-testid="live-connections">
                <thead><tr><th>"Loja"</th><th>"Balcão"</th><th>"Estado"</th><th>"Desde"</th>
                    <th>"Conectado em"</th><th class="num">"Segmentos"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table></div>
        }
        .into_any()
    };
    let latency_rows = s
        .latency
        .iter()
        .map(|l| {
            view! {
                <tr>
                    <td>{labels::stage(&l.stage).to_string()}</td>
                    <td>{l.provider.clone()}</td>
                    <td class="num">{l.calls}</td>
                    <td class="num">{l.errors}</td>
                    <td class="num">{format::opt_duration_ms(l.p50_ms)}</td>
                    <td class="num">{format::opt_duration_ms(l.p95_ms)}</td>
                </tr>
            }
        })
        .collect_view();
    let no_latency = s.latency.is_empty();
    view! {
        <div class="stats" data-testid="live-stats">
            <Stat label="No ar há" value=format::uptime(s.uptime_s) testid="live-uptime" />
            <Stat label="Balcões conectados" value=s.connections_open.to_string() testid="live-open" />
            <Stat label="Conexões desde o início" value=s.connections_total.to_string() />
            <Stat label="Segmentos no último minuto" value=s.segments_last_minute.to_string() />
            <Stat label="Segmentos desde o início" value=s.segments_total.to_string() />
            <Stat label="Transcrição" value=s.transcriber.clone() />
            <Stat label="Assistente" value=s.advisor.clone() />
        </div>
        <div class="stats errors" data-testid="live-errors">
            <Stat label="Erros de transcrição" value=s.errors.stt.to_string() />
            <Stat label="Erros do assistente" value=s.errors.advisor.to_string() />
            <Stat label="Segmentos com falha" value=s.errors.failed_segments.to_string() />
            <Stat label="Erros de conexão" value=s.errors.connection.to_string() />
        </div>
        <section class="card">
            <h2>"Balcões conectados"</h2>
            {connections}
        </section>
        <div class="charts">
            <BarChart title="Segmentos por minuto (últimos 30 min)".to_string() labels=minute_labels values=per_minute value_text=per_minute_text />
            <Sparkline title="Balcões conectados".to_string() values=w.connections_series() unit="" />
            {latency_charts}
        </div>
        <section class="card">
            <h2>"Latência por provedor"</h2>
            {no_latency.then(|| view! { <p class="note">"Nenhuma chamada aos provedores ainda."</p> })}
            <div class="table-wrap"><table data-testid="live-latency">
                <thead><tr><th>"Etapa"</th><th>"Provedor"</th><th class="num">"Chamadas"</th>
                    <th class="num">"Erros"</th><th class="num">"p50"</th><th class="num">"p95"</th></tr></thead>
                <tbody>{latency_rows}</tbody>
            </table></div>
        </section>
        <p class="muted small">{format!("Atualizado às {} · {} instantâneos na memória", format::clock(s.now_ms, offset), w.len())}</p>
    }
}
