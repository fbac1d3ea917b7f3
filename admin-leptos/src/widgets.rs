//! Small reusable pieces of the pages: loading and error notes, the pager, figure cards and the
//! inline-SVG charts (geometry from [`crate::chart`]).

use crate::chart;
use leptos::prelude::*;

#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="note loading">"Carregando…"</p> }
}

#[component]
pub fn ErrorNote(message: String) -> impl IntoView {
    view! { <p class="note error" role="alert" data-testid="error">{message}</p> }
}

/// A figure with its label: "Conexões abertas: 3".
#[component]
pub fn Stat(
    label: &'static str,
    value: String,
    #[prop(optional)] testid: &'static str,
) -> impl IntoView {
    view! {
        <div class="stat" data-testid=testid>
            <span class="stat-value">{value}</span>
            <span class="stat-label">{label}</span>
        </div>
    }
}

/// "Página 2 de 7 (312 itens)" with previous/next buttons.
#[component]
pub fn Pager(page: u32, page_count: u64, total: u64, on_page: Callback<u32>) -> impl IntoView {
    let has_prev = page > 1;
    let has_next = u64::from(page) < page_count;
    view! {
        <div class="pager">
            <button
                data-testid="page-prev"
                disabled=!has_prev
                on:click=move |_| on_page.run(page.saturating_sub(1).max(1))
            >
                "‹ Anterior"
            </button>
            <span>{format!("Página {page} de {page_count} ({total} itens)")}</span>
            <button
                data-testid="page-next"
                disabled=!has_next
                on:click=move |_| on_page.run(page + 1)
            >
                "Próxima ›"
            </button>
        </div>
    }
}

const SPARK_W: f64 = 300.0;
const SPARK_H: f64 = 60.0;

/// A line chart of a series, scaled from 0 to its maximum, with the maximum as a caption.
#[component]
pub fn Sparkline(
    title: String,
    values: Vec<f64>,
    /// Unit appended to the maximum in the caption.
    unit: &'static str,
) -> impl IntoView {
    let max = chart::scale_max(&values, 1.0);
    let points = chart::polyline_points(&values, max, SPARK_W, SPARK_H);
    let last = values.last().copied().unwrap_or(0.0);
    view! {
        <figure class="chart">
            <figcaption>
                {title} <span class="muted">{format!(" agora {last:.0}{unit} · máx {max:.0}{unit}")}</span>
            </figcaption>
            <svg
                viewBox=format!("0 0 {SPARK_W} {SPARK_H}")
                preserveAspectRatio="none"
                role="img"
                class="spark"
            >
                <line x1="0" y1=SPARK_H.to_string() x2=SPARK_W.to_string() y2=SPARK_H.to_string() class="axis" />
                <polyline points=points class="line" />
            </svg>
        </figure>
    }
}

const BAR_W: f64 = 300.0;
const BAR_H: f64 = 80.0;

/// A bar chart with one labelled bar per value; `value_text` renders each value.
#[component]
pub fn BarChart(
    title: String,
    labels: Vec<String>,
    values: Vec<f64>,
    value_text: Vec<String>,
) -> impl IntoView {
    let max = chart::scale_max(&values, f64::MIN_POSITIVE);
    let gap = if values.len() > 12 { 1.0 } else { 8.0 };
    let bars = chart::bars(&values, max, BAR_W, BAR_H, gap);
    let show_labels = values.len() <= 12;
    let rects = bars
        .into_iter()
        .enumerate()
        .map(|(i, b)| {
            let tip = format!(
                "{}: {}",
                labels.get(i).cloned().unwrap_or_default(),
                value_text.get(i).cloned().unwrap_or_default()
            );
            view! {
                <rect
                    x=format!("{:.1}", b.x)
                    y=format!("{:.1}", b.y)
                    width=format!("{:.1}", b.width)
                    height=format!("{:.1}", b.height.max(0.5))
                    class="bar"
                >
                    <title>{tip}</title>
                </rect>
            }
        })
        .collect_view();
    let legend = show_labels.then(|| {
        labels
            .iter()
            .zip(&value_text)
            .map(|(l, v)| {
                view! {
                    <li>
                        <span class="legend-label">{l.clone()}</span>
                        <span class="legend-value">{v.clone()}</span>
                    </li>
                }
            })
            .collect_view()
    });
    view! {
        <figure class="chart">
            <figcaption>{title}</figcaption>
            <svg viewBox=format!("0 0 {BAR_W} {BAR_H}") preserveAspectRatio="none" role="img" class="bars">
                {rects}
            </svg>
            <ul class="legend">{legend}</ul>
        </figure>
    }
}
