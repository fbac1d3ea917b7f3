//! The streaming front end: PCM in, events (speech start, segments, levels) out.
//!
//! Per 10 ms frame: 3× up-sampling, RNNoise, 3× down-sampling (cleaned audio delayed by
//! [`DENOISE_DELAY_SAMPLES`]); the raw audio is delayed by the same amount so every decision is
//! made on time-aligned raw and cleaned frames; WebRTC VAD, RNNoise's probability and the
//! energy gate vote; the segmenter cuts the cleaned audio. Timestamps refer to the input stream.

use std::collections::VecDeque;

use balto_core::frontend::{AudioFrontEnd, CutSegment};

use crate::background_speech::BackgroundSpeech;
use crate::config::{
    BABBLE_HIGH, BABBLE_LOW, COLD_DIP_DB, COLD_DIP_RISE_DB, ConfigError, FRAME_MS, FRAME_SAMPLES,
    FrontEndConfig, PRESENCE_FULL, PRESENCE_WARMUP_FRAMES, RNNOISE_WAKE, RNNOISE_WARMUP_FRAMES,
    SKIP_AFTER_FRAMES, SKIP_MARGIN_DB, TAIL_DECAY_DB, TAIL_RNNOISE, TAIL_SILERO,
    WORD_ABOVE_FLOOR_DB, WORD_SILERO, frames,
};
use crate::denoise::{DENOISE_DELAY_SAMPLES, Denoiser};
use crate::energy_gate::{EnergyGate, frame_rms, rms_to_db};
use crate::event::{Event, FrameLevel};
use crate::presence::TalkerPresence;
use crate::segmenter::{FrameVotes, Segmenter};
use crate::silero::SileroStage;
use crate::webrtc::WebRtcVad;

/// Capacity of the alignment queues (samples): delay plus the frames decisions wait for
/// Silero's chunk (≤ 3) plus one.
const FIFO_CAPACITY: usize = DENOISE_DELAY_SAMPLES + 6 * FRAME_SAMPLES;

/// One audio stream's front end. Create one per stream; it is `Send`.
#[derive(Debug)]
pub struct FrontEnd {
    config: FrontEndConfig,
    pending: [i16; FRAME_SAMPLES],
    pending_len: usize,
    denoiser: Denoiser,
    vad: WebRtcVad,
    gate: EnergyGate,
    /// Noise floor of the raw input (the cheap stage's reference).
    raw_floor: EnergyGate,
    silero: SileroStage,
    /// How speech-like the background is: Silero's probability averaged over frames that are
    /// not speech. High in babble, low in music, machines and silence.
    background_speech: BackgroundSpeech,
    /// Sustained raw level above the background's mean (the near talker in babble).
    presence: TalkerPresence,
    segmenter: Segmenter,
    /// Cleaned samples aligned with the input (the first `DENOISE_DELAY_SAMPLES` outputs dropped).
    cleaned: VecDeque<i16>,
    /// Raw samples waiting for their cleaned counterpart.
    raw: VecDeque<i16>,
    /// Per input frame waiting for its analysis: RNNoise's probability, whether the cheap
    /// stage skipped the frame (see [`FrontEndConfig::skip_quiet_frames`]) and whether RNNoise
    /// ran on it.
    probs: VecDeque<(f32, bool, bool)>,
    /// Input frames RNNoise ran on in this stream (diagnostics).
    frames_denoised: u64,
    /// Consecutive input frames quiet enough to skip.
    quiet_run: u32,
    /// Raw level below which an input frame may be skipped (dB).
    skip_below_db: f32,
    /// Input frames skipped in this stream (diagnostics).
    frames_skipped: u64,
    to_drop: usize,
    /// Real samples pushed in this stream.
    samples_in: u64,
    frames_analyzed: u64,
    /// Recent minimum of the raw level (dB): follows a quieter frame at once, rises slowly.
    recent_min_db: f32,
    /// Cleaned level of the last speech frame (dB): what a word-final decay falls from.
    last_speech_level_db: f32,
    scratch: Vec<Event>,
}

impl FrontEnd {
    /// Creates a front end for one stream.
    pub fn new(config: FrontEndConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(Self {
            pending: [0; FRAME_SAMPLES],
            pending_len: 0,
            denoiser: Denoiser::new(),
            vad: WebRtcVad::new(config.vad_mode),
            gate: EnergyGate::new(
                config.energy_threshold_rms,
                config.noise_margin_db,
                config.talker_drop_db,
            ),
            raw_floor: EnergyGate::new(
                config.energy_threshold_rms,
                config.maybe_margin_db,
                config.talker_drop_db,
            ),
            silero: SileroStage::new(),
            background_speech: BackgroundSpeech::new(),
            presence: TalkerPresence::new(
                frames(config.presence_ms) as f32,
                frames(config.presence_hold_ms) as f32,
                config.cold_start_swing_db,
            ),
            segmenter: Segmenter::new(&config),
            cleaned: VecDeque::with_capacity(FIFO_CAPACITY),
            raw: VecDeque::with_capacity(FIFO_CAPACITY),
            probs: VecDeque::with_capacity(16),
            frames_denoised: 0,
            quiet_run: 0,
            skip_below_db: rms_to_db(config.energy_threshold_rms) - SKIP_MARGIN_DB,
            frames_skipped: 0,
            to_drop: DENOISE_DELAY_SAMPLES,
            samples_in: 0,
            frames_analyzed: 0,
            recent_min_db: f32::INFINITY,
            last_speech_level_db: f32::INFINITY,
            scratch: Vec::with_capacity(16),
            config,
        })
    }

    /// The configuration in use.
    pub fn config(&self) -> &FrontEndConfig {
        &self.config
    }

    /// Milliseconds of input consumed in the current stream.
    pub fn position_ms(&self) -> u64 {
        self.samples_in / 16
    }

    /// Whether a segment (candidate or confirmed) is currently open.
    pub fn in_segment(&self) -> bool {
        self.segmenter.in_segment()
    }

    /// Input frames of the current stream on which RNNoise and the VAD were skipped.
    pub fn frames_skipped(&self) -> u64 {
        self.frames_skipped
    }

    /// Input frames of the current stream RNNoise ran on.
    pub fn frames_denoised(&self) -> u64 {
        self.frames_denoised
    }

    /// 32 ms chunks Silero ran on in the current stream (the rest were skipped).
    pub fn silero_chunks_run(&self) -> u64 {
        self.silero.chunks_run()
    }

    /// Approximate bytes of state held per stream (struct + heap buffers + libfvad); Silero's
    /// weights are shared by all streams and not counted.
    pub fn state_bytes(&self) -> usize {
        /// `sizeof(VadInstT)` in libfvad is about 1 KB (filter states, GMM statistics).
        const FVAD_STATE_BYTES: usize = 1_200;
        std::mem::size_of::<Self>()
            + self.denoiser.heap_bytes()
            + (self.cleaned.capacity() + self.raw.capacity()) * 2
            + self.probs.capacity() * std::mem::size_of::<(f32, bool, bool)>()
            + self.segmenter.heap_bytes()
            + self.silero.heap_bytes()
            + self.scratch.capacity() * std::mem::size_of::<Event>()
            + FVAD_STATE_BYTES
    }

    /// Feeds any number of samples (16 kHz mono); events are appended to `out`.
    pub fn push_events(&mut self, pcm: &[i16], out: &mut Vec<Event>) {
        let mut rest = pcm;
        while !rest.is_empty() {
            let take = (FRAME_SAMPLES - self.pending_len).min(rest.len());
            self.pending[self.pending_len..self.pending_len + take].copy_from_slice(&rest[..take]);
            self.pending_len += take;
            self.samples_in += take as u64;
            rest = &rest[take..];
            if self.pending_len == FRAME_SAMPLES {
                self.pending_len = 0;
                let frame = self.pending;
                self.process_input_frame(&frame, out);
            }
        }
    }

    /// Ends the stream: flushes the pipeline, closes an open segment, and resets for a new
    /// stream (timestamps restart at 0).
    pub fn finish_events(&mut self, out: &mut Vec<Event>) {
        let total = self.samples_in;
        if self.pending_len > 0 {
            let mut frame = [0i16; FRAME_SAMPLES];
            frame[..self.pending_len].copy_from_slice(&self.pending[..self.pending_len]);
            self.pending_len = 0;
            self.process_input_frame(&frame, out);
        }
        let zeros = [0i16; FRAME_SAMPLES];
        while self.frames_analyzed * (FRAME_SAMPLES as u64) < total {
            self.process_input_frame(&zeros, out);
        }
        self.segmenter.finish(total, out);
        self.reset();
    }

    /// Drops all state and starts a new stream.
    pub fn reset(&mut self) {
        self.pending_len = 0;
        self.denoiser.reset();
        self.vad.reset(self.config.vad_mode);
        self.gate.reset();
        self.raw_floor.reset();
        self.silero.reset();
        self.background_speech.reset();
        self.presence.reset();
        self.segmenter.reset();
        self.cleaned.clear();
        self.raw.clear();
        self.probs.clear();
        self.frames_denoised = 0;
        self.quiet_run = 0;
        self.frames_skipped = 0;
        self.to_drop = DENOISE_DELAY_SAMPLES;
        self.samples_in = 0;
        self.frames_analyzed = 0;
        self.recent_min_db = f32::INFINITY;
        self.last_speech_level_db = f32::INFINITY;
    }

    fn process_input_frame(&mut self, frame: &[i16; FRAME_SAMPLES], out: &mut Vec<Event>) {
        let mut cleaned = [0i16; FRAME_SAMPLES];
        // The cheap stage: is this frame above the raw background by a margin (and not far
        // under the absolute floor)? Otherwise nothing expensive runs on it once a few such
        // frames followed each other, unless a segment is open.
        let raw_db = rms_to_db(frame_rms(frame));
        let maybe = raw_db >= self.skip_below_db
            && raw_db >= self.raw_floor.noise_db() + self.config.maybe_margin_db;
        self.raw_floor.update(raw_db, false);
        self.quiet_run = if maybe {
            0
        } else {
            self.quiet_run.saturating_add(1)
        };
        let skip = self.config.skip_quiet_frames
            && self.quiet_run >= SKIP_AFTER_FRAMES
            && !self.segmenter.in_segment();
        // RNNoise (the most expensive stage) runs only where Silero's last 64 ms sounded at
        // least a little like speech, or inside a segment: Silero rejects most noise on its own,
        // and frames it rejects cannot be speech. On waking, RNNoise replays the last 40 ms.
        let wake = !self.config.silero
            || self.segmenter.in_segment()
            || self.frames_analyzed < RNNOISE_WARMUP_FRAMES
            || self.silero.recent_probability() >= RNNOISE_WAKE;
        let denoise = self.config.rnnoise && !skip && wake;
        let prob = if denoise {
            self.frames_denoised += 1;
            self.denoiser.process(frame, &mut cleaned)
        } else {
            self.denoiser.skip(frame, &mut cleaned);
            0.0
        };
        if skip {
            self.frames_skipped += 1;
        }
        if self.config.silero {
            self.silero.push_frame(frame, !skip);
        }
        self.raw.extend(frame.iter().copied());
        self.probs.push_back((prob, skip, denoise));
        let drop = self.to_drop.min(FRAME_SAMPLES);
        self.to_drop -= drop;
        self.cleaned.extend(cleaned[drop..].iter().copied());
        while self.cleaned.len() >= FRAME_SAMPLES {
            let silero = if self.config.silero {
                match self.silero.frame_probability(self.frames_analyzed) {
                    Some(p) => p,
                    None => break, // its 32 ms chunk is not complete yet
                }
            } else {
                1.0
            };
            self.analyze_next(silero, out);
        }
    }

    fn analyze_next(&mut self, silero: f32, out: &mut Vec<Event>) {
        let mut clean = [0i16; FRAME_SAMPLES];
        let mut raw = [0i16; FRAME_SAMPLES];
        for (c, r) in clean.iter_mut().zip(raw.iter_mut()) {
            *c = self.cleaned.pop_front().unwrap_or(0);
            *r = self.raw.pop_front().unwrap_or(0);
        }
        // RNNoise's probability for this frame and the next (its analysis window straddles both).
        let (p0, own_skipped, own_denoised) = self.probs.pop_front().unwrap_or((0.0, false, false));
        let (p1, _, next_denoised) = self.probs.front().copied().unwrap_or((0.0, false, false));
        let prob = p0.max(p1);
        // This frame's cleaned audio comes from the next two input frames; if RNNoise did not
        // run on them it is (partly) raw audio of a frame the cheap stage or Silero rejected.
        let skipped = if self.config.rnnoise {
            !own_denoised || !next_denoised || self.probs.get(1).is_some_and(|&(_, _, d)| !d)
        } else {
            own_skipped
        };

        let index = self.frames_analyzed;
        self.frames_analyzed += 1;
        let start = index * FRAME_SAMPLES as u64;
        if start >= self.samples_in {
            return; // padding beyond the end of the stream
        }
        let valid = ((self.samples_in - start) as usize).min(FRAME_SAMPLES);

        let level_db = rms_to_db(frame_rms(&clean[..valid]));
        let vad_frame = if self.config.vad_on_cleaned {
            &clean
        } else {
            &raw
        };
        let in_segment = self.segmenter.in_segment();
        let noise_db = self.gate.noise_db();
        let raw_rms = frame_rms(&raw[..valid]);
        let raw_power = raw_rms * raw_rms;
        let raw_db = rms_to_db(raw_rms);
        // A "dip": one of the stream's quietest frames lately (the floor under a talker's words),
        // for the presence check's cold start (see `cold_start_swing_db`); only its warm-up
        // reads it.
        let dip = index < u64::from(PRESENCE_WARMUP_FRAMES) && {
            self.recent_min_db = (self.recent_min_db + COLD_DIP_RISE_DB).min(raw_db);
            raw_db <= self.recent_min_db + COLD_DIP_DB
        };
        // The background's mean power learns from frames outside confirmed segments; it is
        // updated after the decision (below), the short average now.
        self.presence.update(raw_power);
        let presence_db = self.presence.slow_db();
        let mut weak = false;
        let mut vad_vote = false;
        let is_speech = if skipped {
            self.gate.update_quiet(level_db);
            false
        } else {
            // Babble is speech to Silero: there the gate's level margins are what rejects it.
            // Elsewhere Silero rejects the noise and the gate only asks for a small margin.
            let babble = ((self.background_speech.value() - BABBLE_LOW)
                / (BABBLE_HIGH - BABBLE_LOW))
                .clamp(0.0, 1.0);
            // Two sets of criteria: opening a segment, and holding one open (also used to find
            // where an onset began, see `lookback_ms`).
            let interpolate = |speech_like: f32, other: f32| {
                if self.config.silero {
                    other + babble * (speech_like - other)
                } else {
                    speech_like
                }
            };
            let open_margin =
                interpolate(self.config.noise_margin_db, self.config.nonspeech_margin_db);
            let hold_margin = interpolate(
                self.config.hold_margin_db,
                self.config.nonspeech_hold_margin_db,
            );
            // In babble, a near talker is a sustained rise above the crowd's mean power.
            // Its requirement reaches full strength sooner than the margins (at
            // `PRESENCE_FULL`): the margins cost the talker's soft frames, presence does not.
            let crowd = ((self.background_speech.value() - BABBLE_LOW)
                / (PRESENCE_FULL - BABBLE_LOW))
                .clamp(0.0, 1.0);
            let babble_check = self.config.silero && crowd > 0.0;
            let present_open =
                !babble_check || presence_db >= crowd * self.config.talker_presence_db;
            let present_hold = !babble_check
                || self.presence.fast_db() >= crowd * self.config.talker_presence_hold_db;
            let rnnoise_ok = !self.config.rnnoise || prob >= self.config.min_speech_probability;
            // The WebRTC VAD adapts its noise model on every frame it sees: always run it here.
            let vad = self.vad.is_speech(vad_frame);
            vad_vote = vad;
            let common = vad && rnnoise_ok;
            let hold = common
                && present_hold
                && silero >= self.config.silero_hold_threshold
                && self.gate.passes_with_margin(level_db, hold_margin);
            let open = common
                && present_open
                && silero >= self.config.silero_threshold
                && self.gate.passes_with_margin(level_db, open_margin);
            weak = hold;
            let is_speech = if in_segment { hold } else { open };
            self.gate.update(level_db, is_speech);
            is_speech
        };
        // The background learns from frames that are not speech, in or out of segments — a
        // segment opened in babble must not stop the learning, or its low margins would hold it
        // open. (Its mean power once skipped confirmed segments: a crowd arriving loud after a
        // near-silent start was then a "near talker" for the whole minute, reopening segment
        // after segment.) See `background_speech.rs` for the skipped frames.
        self.presence.learn_background(raw_power, !is_speech, dip);
        self.background_speech
            .update(index, silero, own_skipped, is_speech);
        if self.config.emit_frame_events {
            out.push(Event::Frame(FrameLevel {
                time_ms: index * u64::from(FRAME_MS),
                level_db,
                speech_probability: prob,
                silero_probability: silero,
                is_speech,
                raw_db,
                noise_db,
                presence_db,
                hold: weak,
                background_speech: self.background_speech.value(),
                vad: vad_vote,
            }));
        }
        // A word said alone counts only where Silero is sure and the background does not sound
        // like speech (see `min_word_ms`): a crowd's syllables are words to Silero too.
        let sure = is_speech
            && silero >= WORD_SILERO
            && level_db >= self.gate.absolute_db() + WORD_ABOVE_FLOOR_DB;
        let audio = if self.config.send_denoised {
            &clean
        } else {
            &raw
        };
        // Speech goes on (the adaptive tail, `tail_max_ms`): Silero is sure, and RNNoise agrees
        // or the frame is still a decay of the word (see `TAIL_DECAY_DB`).
        let goes_on = !skipped && speech_goes_on(silero, prob, level_db, self.last_speech_level_db);
        if is_speech {
            self.last_speech_level_db = level_db;
        }
        let votes = FrameVotes {
            is_speech,
            sure,
            weak,
            goes_on,
        };
        self.segmenter
            .push_frame(&audio[..valid], level_db, votes, out);
    }
}

/// Whether speech goes on in a frame after a segment's last speech frame (the adaptive tail,
/// `tail_max_ms`): Silero is sure (`TAIL_SILERO`), and either RNNoise agrees (`TAIL_RNNOISE`) or
/// the cleaned level is still within `TAIL_DECAY_DB` of the last speech frame's — a word-final
/// decay, where music or machine noise that Silero's memory carries on through stands lower
/// once RNNoise has suppressed it.
fn speech_goes_on(silero: f32, rnnoise: f32, level_db: f32, last_speech_level_db: f32) -> bool {
    silero >= TAIL_SILERO
        && (rnnoise >= TAIL_RNNOISE || level_db >= last_speech_level_db - TAIL_DECAY_DB)
}

impl AudioFrontEnd for FrontEnd {
    fn push(&mut self, pcm: &[i16], out: &mut Vec<CutSegment>) {
        let mut events = std::mem::take(&mut self.scratch);
        self.push_events(pcm, &mut events);
        collect_segments(&mut events, out);
        self.scratch = events;
    }

    fn finish(&mut self, out: &mut Vec<CutSegment>) {
        let mut events = std::mem::take(&mut self.scratch);
        self.finish_events(&mut events);
        collect_segments(&mut events, out);
        self.scratch = events;
    }
}

fn collect_segments(events: &mut Vec<Event>, out: &mut Vec<CutSegment>) {
    for e in events.drain(..) {
        if let Event::Segment(s) = e {
            out.push(s);
        }
    }
}

/// Runs a fresh front end over a whole buffer (16 kHz mono) and returns its segments.
pub fn segment_pcm(pcm: &[i16], config: &FrontEndConfig) -> Result<Vec<CutSegment>, ConfigError> {
    let mut fe = FrontEnd::new(config.clone())?;
    let mut out = Vec::new();
    fe.push(pcm, &mut out);
    fe.finish(&mut out);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tail_goes_on_through_a_word_decay_rnnoise_does_not_hear() {
        // Silero sure, RNNoise not: the word's level 45 dB, this frame 30 dB (15 dB down).
        assert!(speech_goes_on(0.95, 0.05, 30.0, 45.0));
        // ...exactly at the limit, and past it.
        assert!(speech_goes_on(0.95, 0.05, 45.0 - TAIL_DECAY_DB, 45.0));
        assert!(!speech_goes_on(
            0.95,
            0.05,
            45.0 - TAIL_DECAY_DB - 0.5,
            45.0
        ));
    }

    #[test]
    fn the_tail_needs_silero_sure_and_rnnoise_or_the_decay() {
        // RNNoise agrees: the level does not matter.
        assert!(speech_goes_on(0.95, TAIL_RNNOISE, 0.0, 60.0));
        // Silero not sure: neither RNNoise nor the level carries it on.
        assert!(!speech_goes_on(0.85, 0.9, 45.0, 45.0));
        // No speech frame yet in this stream (level +inf): only RNNoise can.
        assert!(!speech_goes_on(0.95, 0.05, 80.0, f32::INFINITY));
    }
}
