//! How long the rules advisor (red-flag screen included) takes to decide one window, in process,
//! over every window of the evaluation grid (both halves, ~16,900 windows): per-window latency
//! percentiles and throughput, and the screen alone. Issue 16's target: under 1 ms per window.
//!
//! `cargo bench -p balto-advisor --bench advisor_latency` (release profile; `-- --rounds N`,
//! default 5). "best run per window" is each window's fastest of the rounds: on a shared machine
//! the other runs include time the thread spent preempted.

use std::time::{Duration, Instant};

use balto_advisor::advisor_eval::{GridConfig, Grids, grid_data};
use balto_advisor::red_flags::RedFlagScreen;
use balto_advisor::rules::RulesAdvisor;
use balto_core::advice::Conversation;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn report(what: &str, mut samples: Vec<Duration>, total: Duration) {
    samples.sort_unstable();
    let n = samples.len();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "{what:<34} {n:>6} windows | mean {:>7.1} µs | p50 {:>7.1} µs | p90 {:>7.1} µs | p99 {:>7.1} µs | max {:>8.1} µs | {:>8.0} windows/s",
        us(total) / n.max(1) as f64,
        us(percentile(&samples, 0.50)),
        us(percentile(&samples, 0.90)),
        us(percentile(&samples, 0.99)),
        us(*samples.last().unwrap_or(&Duration::ZERO)),
        n as f64 / total.as_secs_f64().max(1e-9)
    );
}

/// Times `f` on every window `rounds` times. Returns every sample, each window's fastest run
/// (what the code costs when the machine does not preempt it; the machine is shared) and the
/// total time.
fn time_each(
    windows: &[Conversation],
    rounds: usize,
    f: impl Fn(&Conversation),
) -> (Vec<Duration>, Vec<Duration>, Duration) {
    let mut samples = Vec::with_capacity(windows.len() * rounds);
    let mut best = vec![Duration::MAX; windows.len()];
    let mut total = Duration::ZERO;
    for _ in 0..rounds {
        for (i, w) in windows.iter().enumerate() {
            let t = Instant::now();
            f(w);
            let d = t.elapsed();
            total += d;
            samples.push(d);
            best[i] = best[i].min(d);
        }
    }
    (samples, best, total)
}

fn main() {
    let rounds = std::env::args()
        .skip_while(|a| a != "--rounds")
        .nth(1)
        .and_then(|r| r.parse::<usize>().ok())
        .unwrap_or(5)
        .max(1);
    let grids = match Grids::load(&grid_data::default_dir(), &GridConfig::default()) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("advisor_latency: {e}");
            std::process::exit(1);
        }
    };
    let windows: Vec<Conversation> = grids
        .tuning
        .iter()
        .chain(&grids.heldout)
        .map(|c| c.conversation())
        .collect();
    let t = Instant::now();
    let advisor = RulesAdvisor::with_embedded_catalog();
    let screen = RedFlagScreen::embedded();
    println!(
        "advisor_latency: {} windows x {rounds} rounds; catalogue + vocabulary compiled in {:.1} ms",
        windows.len(),
        t.elapsed().as_secs_f64() * 1e3
    );
    // Warm-up (caches, allocator).
    for w in &windows {
        std::hint::black_box(advisor.decide(w));
    }
    let (s, best, total) = time_each(&windows, rounds, |w| {
        std::hint::black_box(advisor.decide(std::hint::black_box(w)));
    });
    let best_total: Duration = best.iter().sum();
    report("rules advisor, every run", s, total);
    report("rules advisor, best run per window", best, best_total);
    let (s, best, total) = time_each(&windows, rounds, |w| {
        std::hint::black_box(screen.verdict(std::hint::black_box(w)));
    });
    let best_total: Duration = best.iter().sum();
    report("red-flag screen alone, every run", s, total);
    report("red-flag screen, best run per window", best, best_total);
    let longest: Vec<Conversation> = {
        let mut by_len = windows.clone();
        by_len.sort_by_key(|w| {
            std::cmp::Reverse(w.utterances.iter().map(|u| u.text.len()).sum::<usize>())
        });
        by_len.truncate(100);
        by_len
    };
    let (_, best, _) = time_each(&longest, rounds * 10, |w| {
        std::hint::black_box(advisor.decide(std::hint::black_box(w)));
    });
    let best_total: Duration = best.iter().sum();
    report("100 longest windows, best run", best, best_total);
}
