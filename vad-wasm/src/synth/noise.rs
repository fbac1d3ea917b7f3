//! Synthetic pharmacy noises. The first five follow the shared dev-set generator's
//! descriptions (`shared/tools/make_vad_bench.py`); the others are new: doors and boxes, coins
//! and keys, a phone ringing, music from a radio, a cash drawer, and mixtures of them.
//! Each returns `n` samples at 16 kHz at an arbitrary scale (the caller sets the level).

use std::f64::consts::PI;

use super::SynthError;
use super::rng::ClipRng;
use super::speech::SpeechSource;

const SR: f64 = 16_000.0;

/// Every noise kind the generator makes.
pub const KINDS: [&str; 11] = [
    "silence", "hvac", "beeps", "printer", "babble", "door", "coins", "phone", "radio", "drawer",
    "mixture",
];

/// Builds `n` samples of `kind`.
pub fn noise(
    kind: &str,
    n: usize,
    rng: &mut ClipRng,
    speech: &SpeechSource,
) -> Result<Vec<f32>, SynthError> {
    let x = match kind {
        "silence" => (0..n).map(|_| 1e-4 * rng.normal()).collect(),
        "hvac" => hvac(n, rng),
        "beeps" => beeps(n, rng),
        "printer" => printer(n, rng),
        "babble" => babble(n, rng, speech)?,
        "door" => events(n, rng, 2.0, 6.0, door),
        "coins" => events(n, rng, 1.5, 5.0, coins),
        "phone" => phone(n, rng),
        "radio" => radio(n, rng),
        "drawer" => events(n, rng, 3.0, 8.0, drawer),
        "mixture" => mixture(n, rng, speech)?,
        other => return Err(SynthError::Kind(other.to_owned())),
    };
    Ok(x.into_iter().map(|v: f64| v as f32).collect())
}

fn add(x: &mut [f64], at: usize, y: &[f64]) {
    for (d, s) in x.iter_mut().skip(at).zip(y) {
        *d += s;
    }
}

fn peak_normalised(mut x: Vec<f64>) -> Vec<f64> {
    let p = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if p > 0.0 {
        x.iter_mut().for_each(|v| *v /= p);
    }
    x
}

/// Brown-ish rumble (high-passed by subtracting a 25 ms moving average) plus 60 Hz mains hum
/// with two harmonics.
fn hvac(n: usize, rng: &mut ClipRng) -> Vec<f64> {
    let mut walk = Vec::with_capacity(n);
    let mut acc = 0.0;
    for _ in 0..n {
        acc += rng.normal();
        walk.push(acc);
    }
    let w = 400;
    let mut prefix = vec![0.0; n + 1];
    for i in 0..n {
        prefix[i + 1] = prefix[i] + walk[i];
    }
    let mut x: Vec<f64> = (0..n)
        .map(|i| {
            let a = i.saturating_sub(w / 2);
            let b = (i + w / 2).min(n);
            walk[i] - (prefix[b] - prefix[a]) / w as f64
        })
        .collect();
    x = peak_normalised(x);
    let hum = rng.uniform(0.15, 0.4);
    for (i, v) in x.iter_mut().enumerate() {
        let t = i as f64 / SR;
        *v += (1..=3)
            .map(|k| hum / k as f64 * (2.0 * PI * 60.0 * k as f64 * t).sin())
            .sum::<f64>();
    }
    x
}

/// Scanner / card-terminal beeps: 80–200 ms tones at 1–3 kHz over faint hiss, about one per
/// second.
fn beeps(n: usize, rng: &mut ClipRng) -> Vec<f64> {
    let mut x: Vec<f64> = (0..n).map(|_| 0.01 * rng.normal()).collect();
    for _ in 0..(n / 16_000).max(1) {
        let len = rng.below(1_280, 3_200);
        let at = rng.below(0, n.saturating_sub(len));
        let f = *rng.pick(&[1000.0, 2000.0, 2730.0, 3000.0, 1500.0, 2400.0]);
        let tone: Vec<f64> = (0..len)
            .map(|i| {
                let w = (PI * i as f64 / len as f64).sin().powf(0.1);
                (2.0 * PI * f * i as f64 / SR).sin() * w
            })
            .collect();
        add(&mut x, at, &tone);
    }
    x
}

/// Receipt-printer bursts: 0.5–2 s of high-passed noise chopped by a 25 Hz stepping motor,
/// about one every 3 s.
fn printer(n: usize, rng: &mut ClipRng) -> Vec<f64> {
    let mut x = vec![0.0; n];
    for _ in 0..(n / 48_000).max(1) {
        let at = rng.below(0, n.saturating_sub(16_000));
        let len = rng.below(8_000, 32_000).min(n - at);
        let mut prev = 0.0;
        let step = rng.uniform(20.0, 30.0);
        let burst: Vec<f64> = (0..len)
            .map(|i| {
                let w = rng.normal();
                let hp = w - prev;
                prev = w;
                let on = (2.0 * PI * step * i as f64 / SR).sin() >= 0.0;
                hp * if on { 1.0 } else { 0.0 }
            })
            .collect();
        add(&mut x, at, &burst);
    }
    x
}

/// Five far talkers at once (not target speech).
fn babble(n: usize, rng: &mut ClipRng, speech: &SpeechSource) -> Result<Vec<f64>, SynthError> {
    let mut x = vec![0.0; n];
    for _ in 0..5 {
        let mut talker: Vec<f64> = Vec::new();
        while talker.len() < n.min(16_000 * 20) {
            talker.extend(speech.utterance(rng)?.iter().map(|&v| f64::from(v)));
            talker.extend(std::iter::repeat_n(0.0, rng.below(800, 8_000)));
        }
        let offset = rng.below(0, talker.len());
        let gain = rng.uniform(0.6, 1.0);
        for (i, v) in x.iter_mut().enumerate() {
            *v += gain * talker[(i + offset) % talker.len()];
        }
    }
    Ok(x)
}

/// Places events of `make` at random gaps of `min_gap`..`max_gap` seconds.
fn events(
    n: usize,
    rng: &mut ClipRng,
    min_gap: f64,
    max_gap: f64,
    make: fn(&mut ClipRng) -> Vec<f64>,
) -> Vec<f64> {
    let mut x: Vec<f64> = (0..n).map(|_| 0.002 * rng.normal()).collect();
    let mut at = (rng.uniform(0.0, max_gap) * SR) as usize;
    while at < n {
        let e = make(rng);
        add(&mut x, at, &e);
        at += (rng.uniform(min_gap, max_gap) * SR) as usize;
    }
    x
}

/// A decaying resonance (one mode) of `f` Hz with time constant `tau` seconds.
fn mode(f: f64, tau: f64, amp: f64, len: usize, phase: f64) -> impl Iterator<Item = f64> {
    (0..len).map(move |i| {
        let t = i as f64 / SR;
        amp * (-t / tau).exp() * (2.0 * PI * f * t + phase).sin()
    })
}

/// A door closing or a box dropped on the floor: a broadband click, low wooden modes
/// (60–250 Hz) and a short rattle.
fn door(rng: &mut ClipRng) -> Vec<f64> {
    let len = rng.below(4_000, 12_000);
    let mut e = vec![0.0; len];
    for (i, v) in e.iter_mut().enumerate().take(400) {
        *v += rng.normal() * (-(i as f64) / 60.0).exp();
    }
    for _ in 0..rng.below(2, 5) {
        let f = rng.uniform(60.0, 250.0);
        let tau = rng.uniform(0.04, 0.2);
        let amp = rng.uniform(0.3, 1.0);
        let ph = rng.uniform(0.0, PI);
        for (v, m) in e.iter_mut().zip(mode(f, tau, amp, len, ph)) {
            *v += m;
        }
    }
    if rng.chance(0.5) {
        // the latch or the box's contents rattling
        let at = rng.below(800, 3_000).min(len);
        for (k, v) in e[at..].iter_mut().take(1_600).enumerate() {
            *v += 0.3 * rng.normal() * (-(k as f64) / 300.0).exp();
        }
    }
    e
}

/// Coins dropped on the counter or keys jingling: clusters of short metallic clinks, each a
/// few inharmonic partials between 2.5 and 7.5 kHz decaying in 10–80 ms.
fn coins(rng: &mut ClipRng) -> Vec<f64> {
    let span = rng.below(4_000, 16_000);
    let mut e = vec![0.0; span + 2_000];
    let count = rng.below(3, 14);
    for _ in 0..count {
        let at = rng.below(0, span);
        let len = 1_600;
        let base = rng.uniform(2_500.0, 5_000.0);
        let amp = rng.uniform(0.3, 1.0);
        for k in 0..rng.below(3, 6) {
            let f = (base * [1.0, 1.37, 1.71, 2.13, 2.62][k]).min(7_600.0);
            let tau = rng.uniform(0.01, 0.08);
            let ph = rng.uniform(0.0, PI);
            for (v, m) in e[at..]
                .iter_mut()
                .zip(mode(f, tau, amp / (k + 1) as f64, len, ph))
            {
                *v += m;
            }
        }
    }
    e
}

/// A cash drawer: the bell (two bright decaying partials), the drawer rolling out (band noise)
/// and the stop.
fn drawer(rng: &mut ClipRng) -> Vec<f64> {
    let len = 16_000;
    let mut e = vec![0.0; len];
    let bell = rng.uniform(1_800.0, 3_200.0);
    for (k, ratio) in [1.0, 2.76].iter().enumerate() {
        for (v, m) in e
            .iter_mut()
            .zip(mode(bell * ratio, 0.35, 0.8 / (k + 1) as f64, len, 0.0))
        {
            *v += m;
        }
    }
    let roll_at = rng.below(1_000, 3_000);
    let roll_len = rng.below(2_400, 5_000);
    let mut lp = 0.0;
    for i in 0..roll_len {
        lp = 0.85 * lp + 0.15 * rng.normal();
        e[roll_at + i] += 0.6 * lp;
    }
    let stop = roll_at + roll_len;
    for (v, m) in e[stop..]
        .iter_mut()
        .zip(mode(rng.uniform(80.0, 160.0), 0.05, 0.9, 2_400, 0.0))
    {
        *v += m;
    }
    e
}

/// A phone ringing: a landline ring (425 Hz, or 440 + 480 Hz, 1 s on / 4 s off, or UK-style
/// double bursts) or a melodic ringtone (marimba-like notes), for a few rings at a time.
fn phone(n: usize, rng: &mut ClipRng) -> Vec<f64> {
    let mut x: Vec<f64> = (0..n).map(|_| 0.002 * rng.normal()).collect();
    let mut at = (rng.uniform(0.0, 3.0) * SR) as usize;
    while at < n {
        let rings = rng.below(2, 6);
        let style = rng.below(0, 3);
        let mut t0 = at;
        for _ in 0..rings {
            let burst: Vec<f64> = match style {
                0 => (0..16_000)
                    .map(|i| (2.0 * PI * 425.0 * i as f64 / SR).sin())
                    .collect(),
                1 => (0..32_000)
                    .map(|i| {
                        let t = i as f64 / SR;
                        let gate = if (t % 0.6) < 0.4 { 1.0 } else { 0.0 };
                        gate * 0.5 * ((2.0 * PI * 440.0 * t).sin() + (2.0 * PI * 480.0 * t).sin())
                    })
                    .collect(),
                _ => {
                    let notes = [523.0, 659.0, 784.0, 1047.0, 880.0, 698.0];
                    let mut b = Vec::new();
                    for k in 0..8 {
                        let f = notes[(k * 3 + rng.below(0, 2)) % notes.len()];
                        b.extend(
                            mode(f, 0.12, 1.0, 2_400, 0.0)
                                .zip(mode(4.0 * f, 0.03, 1.0, 2_400, 0.0))
                                .map(|(a, b)| a + 0.3 * b),
                        );
                    }
                    b
                }
            };
            add(&mut x, t0, &burst);
            t0 += burst.len() + 48_000;
        }
        at = t0 + (rng.uniform(5.0, 20.0) * SR) as usize;
    }
    x
}

/// Music from a radio: chords of harmonic-rich notes, a bass line, a lead with vibrato, a
/// kick and a hi-hat, through a small speaker's band (≈ 150 Hz – 6 kHz).
fn radio(n: usize, rng: &mut ClipRng) -> Vec<f64> {
    let bpm = rng.uniform(80.0, 140.0);
    let beat = (60.0 / bpm * SR) as usize;
    let roots = [220.0, 246.9, 261.6, 293.7, 329.6, 174.6];
    let mut x = vec![0.0; n];
    let mut bar = 0;
    while bar * 4 * beat < n {
        let root = *rng.pick(&roots);
        let start = bar * 4 * beat;
        let len = (4 * beat).min(n - start);
        let lead_notes: Vec<f64> = (0..4)
            .map(|_| root * 2.0 * rng.pick(&[1.0, 1.25, 1.5, 2.0, 1.125]))
            .collect();
        for i in 0..len {
            let t = i as f64 / SR;
            let mut v = 0.0;
            for ratio in [1.0, 1.26, 1.5] {
                for h in 1..6 {
                    v += 0.08 / h as f64 * (2.0 * PI * root * ratio * h as f64 * t).sin();
                }
            }
            v += 0.3 * (2.0 * PI * root / 2.0 * t).sin();
            let note = lead_notes[(i / beat).min(3)];
            let vib = 1.0 + 0.01 * (2.0 * PI * 5.5 * t).sin();
            for h in 1..4 {
                v += 0.12 / h as f64 * (2.0 * PI * note * vib * h as f64 * t).sin();
            }
            let in_beat = i % beat;
            v += 0.6
                * (-(in_beat as f64) / 800.0).exp()
                * (2.0 * PI * 55.0 * in_beat as f64 / SR).sin();
            if (i + beat / 2) % beat < 400 {
                v += 0.1 * rng.normal();
            }
            x[start + i] = v;
        }
        bar += 1;
    }
    // A small speaker: one-pole high-pass at ~150 Hz and low-pass at ~6 kHz.
    let (mut hp_prev_in, mut hp_prev_out, mut lp) = (0.0, 0.0, 0.0);
    let a_hp = 1.0 / (1.0 + 2.0 * PI * 150.0 / SR);
    let a_lp = (-2.0 * PI * 6_000.0 / SR).exp();
    for v in x.iter_mut() {
        let hp = a_hp * (hp_prev_out + *v - hp_prev_in);
        hp_prev_in = *v;
        hp_prev_out = hp;
        lp = a_lp * lp + (1.0 - a_lp) * hp;
        *v = lp;
    }
    x
}

/// Several kinds at once: HVAC underneath and two or three of the event noises on top.
fn mixture(n: usize, rng: &mut ClipRng, speech: &SpeechSource) -> Result<Vec<f64>, SynthError> {
    let mut x: Vec<f64> = peak_normalised(hvac(n, rng))
        .into_iter()
        .map(|v| 0.3 * v)
        .collect();
    let layers = [
        "beeps", "printer", "door", "coins", "phone", "radio", "drawer",
    ];
    for _ in 0..rng.below(2, 4) {
        let kind = *rng.pick(&layers);
        let layer = noise(kind, n, rng, speech)?;
        let peak = layer.iter().fold(0.0f32, |m, v| m.max(v.abs())).max(1e-9);
        let gain = rng.uniform(0.4, 1.0) / f64::from(peak);
        for (d, s) in x.iter_mut().zip(layer) {
            *d += gain * f64::from(s);
        }
    }
    Ok(x)
}
