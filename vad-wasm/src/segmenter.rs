//! Segmenter: turns per-frame speech decisions into segments (pre-roll, minimum speech length,
//! words said one by one, hang-over, tail, maximum length cut at the quietest frame).
//!
//! Works on 10 ms frames identified by their absolute index. Buffers are sized once from the
//! configuration; a segment's audio is copied out once, when it is emitted.

use std::collections::VecDeque;

use balto_core::frontend::CutSegment;

use crate::config::{FRAME_MS, FRAME_SAMPLES, FrontEndConfig, LOOKBACK_GAP_FRAMES, frames};
use crate::event::Event;

/// Segmenter parameters in frames.
#[derive(Debug, Clone, Copy)]
struct Limits {
    pre_roll: usize,
    /// Frames the start may reach back over frames that met the hold criteria (onset look-back).
    lookback: usize,
    hangover: usize,
    tail: usize,
    /// Longest tail when speech goes on after the last speech frame (adaptive tail).
    tail_max: usize,
    min_speech: usize,
    /// Speech frames a candidate needs to wait out a pause longer than the hang-over (a word).
    min_word: usize,
    /// Longest pause a candidate holding a word waits out (words said one by one).
    word_gap: usize,
    max_segment: usize,
    cut_search: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// No speech.
    Idle,
    /// Speech frames seen but fewer than `min_speech`: not yet announced.
    Candidate,
    /// Confirmed speech: `SpeechStart` has been emitted.
    Speech,
}

/// The segmenter state machine.
#[derive(Debug, Clone)]
pub struct Segmenter {
    limits: Limits,
    state: State,
    /// Recent frames (audio, energy, whether the frame met the hold criteria) kept for the
    /// look-back and the pre-roll, newest last.
    ring_pcm: VecDeque<i16>,
    ring_energy: VecDeque<f32>,
    ring_weak: VecDeque<bool>,
    /// Frames of the open (candidate or confirmed) segment.
    seg_pcm: Vec<i16>,
    seg_energy: Vec<f32>,
    /// Absolute index of the first frame in `seg_*`.
    seg_start: u64,
    /// Absolute index of the last speech frame of the open segment.
    last_speech: u64,
    /// Absolute index of the last frame of the unbroken run of speech frames and frames where
    /// speech goes on (`push_frame`'s `goes_on`) reaching the current frame or the last speech
    /// frame.
    goes_on_until: u64,
    /// Speech frames counted in the candidate.
    speech_count: usize,
    /// Of those, frames the detectors were sure of (see `push_frame`): what makes a word.
    word_count: usize,
    /// Absolute frame index just past the last emitted segment (pre-roll never reaches before).
    emitted_until: u64,
    /// Index of the next frame expected.
    next_frame: u64,
    /// The candidate holds a word and waits, past the hang-over, for the next one.
    waiting: bool,
    /// Words of the candidate that ended before a pause: (end, start of what follows), frame
    /// indices. Emitted as segments of their own once the candidate is confirmed.
    words: Vec<(u64, u64)>,
}

/// The decisions on one frame, as the segmenter uses them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FrameVotes {
    /// The frame is speech (the criteria for opening, or inside a segment for holding, met).
    pub is_speech: bool,
    /// A speech frame the detectors are sure of: what makes a word said alone (`min_word_ms`).
    pub sure: bool,
    /// The frame met the (weaker) criteria that hold a segment open: a segment that opens
    /// reaches back over such frames just before it (up to `lookback_ms`).
    pub weak: bool,
    /// Speech goes on in the frame though it is not speech: a segment's end reaches over an
    /// unbroken run of such frames after its last speech frame (up to `tail_max_ms`).
    pub goes_on: bool,
}

/// Most words (pauses) one candidate remembers; a longer chain keeps its later pauses in.
const MAX_WORDS: usize = 8;

fn ms(frame: u64) -> u64 {
    frame * u64::from(FRAME_MS)
}

impl Segmenter {
    /// Creates a segmenter from a (validated) configuration.
    pub fn new(config: &FrontEndConfig) -> Self {
        let limits = Limits {
            pre_roll: frames(config.pre_roll_ms),
            lookback: frames(config.lookback_ms),
            hangover: frames(config.hangover_ms).max(1),
            tail: frames(config.tail_ms),
            tail_max: frames(config.tail_max_ms),
            min_speech: frames(config.min_speech_ms).max(1),
            min_word: frames(config.min_word_ms),
            word_gap: frames(config.word_gap_ms),
            max_segment: frames(config.max_segment_ms).max(2),
            cut_search: frames(config.cut_search_ms).max(1),
        };
        Self {
            state: State::Idle,
            ring_pcm: VecDeque::with_capacity(
                (limits.pre_roll + limits.lookback + 1) * FRAME_SAMPLES,
            ),
            ring_energy: VecDeque::with_capacity(limits.pre_roll + limits.lookback + 1),
            ring_weak: VecDeque::with_capacity(limits.pre_roll + limits.lookback + 1),
            seg_pcm: Vec::with_capacity((limits.max_segment + 1) * FRAME_SAMPLES),
            seg_energy: Vec::with_capacity(limits.max_segment + 1),
            seg_start: 0,
            last_speech: 0,
            goes_on_until: 0,
            speech_count: 0,
            word_count: 0,
            emitted_until: 0,
            next_frame: 0,
            waiting: false,
            words: Vec::with_capacity(MAX_WORDS),
            limits,
        }
    }

    /// Forgets everything (a new stream starts at frame 0).
    pub fn reset(&mut self) {
        self.state = State::Idle;
        self.ring_pcm.clear();
        self.ring_energy.clear();
        self.ring_weak.clear();
        self.seg_pcm.clear();
        self.seg_energy.clear();
        self.seg_start = 0;
        self.last_speech = 0;
        self.goes_on_until = 0;
        self.speech_count = 0;
        self.word_count = 0;
        self.emitted_until = 0;
        self.next_frame = 0;
        self.waiting = false;
        self.words.clear();
    }

    /// Heap bytes reserved by the buffers.
    pub fn heap_bytes(&self) -> usize {
        self.ring_pcm.capacity() * 2
            + self.ring_energy.capacity() * 4
            + self.ring_weak.capacity()
            + self.seg_pcm.capacity() * 2
            + self.seg_energy.capacity() * 4
    }

    /// Whether a confirmed segment (announced by `SpeechStart`) is open.
    pub fn confirmed(&self) -> bool {
        self.state == State::Speech
    }

    /// Whether a segment is open (candidate or confirmed); a candidate waiting for its next
    /// word is not (the frames after a pause are judged as onsets).
    pub fn in_segment(&self) -> bool {
        self.state != State::Idle && !self.waiting
    }

    /// Feeds the next frame: `pcm` (up to 160 samples of audio), its `energy` (any monotonic
    /// loudness measure, used to find the quietest cut point) and the decisions on it
    /// ([`FrameVotes`]).
    pub fn push_frame(
        &mut self,
        pcm: &[i16],
        energy: f32,
        votes: FrameVotes,
        out: &mut Vec<Event>,
    ) {
        let FrameVotes {
            is_speech,
            sure,
            weak,
            goes_on,
        } = votes;
        let pcm = &pcm[..pcm.len().min(FRAME_SAMPLES)];
        let index = self.next_frame;
        self.next_frame += 1;
        if is_speech || (goes_on && self.goes_on_until + 1 == index) {
            self.goes_on_until = index;
        }
        let energy = if energy.is_finite() { energy } else { 0.0 };

        match self.state {
            State::Idle => {
                if is_speech {
                    self.open_candidate(index);
                    self.append(pcm, energy);
                    self.last_speech = index;
                    self.speech_count = 1;
                    self.word_count = usize::from(sure);
                    self.try_confirm(out);
                }
            }
            State::Candidate | State::Speech => {
                self.append(pcm, energy);
                if is_speech {
                    if self.waiting {
                        // The next word: the one before ends with its tail, this one starts
                        // with its own look-back and pre-roll (not before that end).
                        self.waiting = false;
                        let end = self.last_speech + 1 + self.limits.tail as u64;
                        let start = index.saturating_sub(self.onset_frames() as u64).max(end);
                        if self.words.len() < MAX_WORDS {
                            self.words.push((end, start));
                        }
                    }
                    self.last_speech = index;
                    if self.state == State::Candidate {
                        self.speech_count += 1;
                        self.word_count += usize::from(sure);
                        self.try_confirm(out);
                    }
                } else if index - self.last_speech >= self.limits.hangover as u64 {
                    if self.state == State::Speech {
                        self.close(None, out);
                    } else if self.limits.min_word > 0
                        && self.word_count >= self.limits.min_word
                        && index - self.last_speech < self.limits.word_gap as u64
                        && self.seg_energy.len() < self.limits.max_segment
                    {
                        self.waiting = true;
                    } else {
                        self.drop_candidate();
                    }
                }
            }
        }
        if self.state == State::Speech && self.seg_energy.len() >= self.limits.max_segment {
            self.cut_at_quietest(out);
        }
        self.remember(pcm, energy, weak || is_speech);
    }

    /// Ends the stream; `total_samples` clamps the last segment to the real end of the audio.
    pub fn finish(&mut self, total_samples: u64, out: &mut Vec<Event>) {
        if self.state == State::Speech {
            self.close(Some(total_samples), out);
        }
        self.reset();
    }

    fn open_candidate(&mut self, index: u64) {
        self.state = State::Candidate;
        self.seg_pcm.clear();
        self.seg_energy.clear();
        self.waiting = false;
        self.words.clear();
        let available = self.ring_energy.len() as u64;
        let allowed = index.saturating_sub(self.emitted_until);
        let pre = (self.onset_frames() as u64).min(available).min(allowed) as usize;
        let skip = self.ring_energy.len() - pre;
        self.seg_start = index - pre as u64;
        self.seg_energy.extend(self.ring_energy.iter().skip(skip));
        // Ring frames may be shorter than 160 only at the end of a stream; count samples.
        let skip_samples = self.ring_pcm.len().saturating_sub(pre * FRAME_SAMPLES);
        self.seg_pcm.extend(self.ring_pcm.iter().skip(skip_samples));
    }

    /// Frames an onset reaches back from the frame being pushed: the look-back over the frames
    /// just before that met the hold criteria (with gaps of at most `LOOKBACK_GAP_FRAMES`
    /// frames: they belong to the onset the opening criteria only confirm), then the pre-roll.
    fn onset_frames(&self) -> usize {
        let mut back = 0;
        let mut gap = 0;
        for (k, &weak) in self
            .ring_weak
            .iter()
            .rev()
            .enumerate()
            .take(self.limits.lookback)
        {
            if weak {
                back = k + 1;
                gap = 0;
            } else {
                gap += 1;
                if gap > LOOKBACK_GAP_FRAMES {
                    break;
                }
            }
        }
        back + self.limits.pre_roll
    }

    fn append(&mut self, pcm: &[i16], energy: f32) {
        self.seg_pcm.extend_from_slice(pcm);
        self.seg_energy.push(energy);
    }

    fn remember(&mut self, pcm: &[i16], energy: f32, weak: bool) {
        let keep = self.limits.pre_roll + self.limits.lookback;
        if keep == 0 {
            return;
        }
        if self.ring_energy.len() == keep {
            self.ring_energy.pop_front();
            self.ring_weak.pop_front();
            let n = FRAME_SAMPLES.min(self.ring_pcm.len());
            self.ring_pcm.drain(..n);
        }
        self.ring_energy.push_back(energy);
        self.ring_weak.push_back(weak);
        self.ring_pcm.extend(pcm.iter().copied());
        // Keep frames 160 samples long so pre-roll slicing stays frame-aligned.
        for _ in pcm.len()..FRAME_SAMPLES {
            self.ring_pcm.push_back(0);
        }
    }

    fn try_confirm(&mut self, out: &mut Vec<Event>) {
        if self.speech_count >= self.limits.min_speech {
            // Words said one by one before this one go out as segments of their own.
            for i in 0..self.words.len() {
                let (end, next) = self.words[i];
                let n = (end.saturating_sub(self.seg_start) as usize).min(self.seg_energy.len());
                let n_samples = (n * FRAME_SAMPLES).min(self.seg_pcm.len());
                if n > 0 {
                    out.push(Event::SpeechStart {
                        start_ms: ms(self.seg_start),
                    });
                    out.push(Event::Segment(CutSegment {
                        start_ms: ms(self.seg_start),
                        end_ms: ms(self.seg_start + n as u64),
                        pcm: self.seg_pcm[..n_samples].to_vec(),
                    }));
                }
                let drop =
                    (next.saturating_sub(self.seg_start) as usize).min(self.seg_energy.len());
                let drop_samples = (drop * FRAME_SAMPLES).min(self.seg_pcm.len());
                self.seg_pcm.copy_within(drop_samples.., 0);
                self.seg_pcm.truncate(self.seg_pcm.len() - drop_samples);
                self.seg_energy.copy_within(drop.., 0);
                self.seg_energy.truncate(self.seg_energy.len() - drop);
                self.seg_start += drop as u64;
                self.emitted_until = end;
            }
            self.words.clear();
            self.state = State::Speech;
            out.push(Event::SpeechStart {
                start_ms: ms(self.seg_start),
            });
        }
    }

    fn drop_candidate(&mut self) {
        self.state = State::Idle;
        self.waiting = false;
        self.words.clear();
        self.seg_pcm.clear();
        self.seg_energy.clear();
        self.speech_count = 0;
        self.word_count = 0;
    }

    /// Emits the open segment ending `tail` frames after its last speech frame (or at the
    /// buffered end, whichever is first), clamped to `total_samples` if given.
    fn close(&mut self, total_samples: Option<u64>, out: &mut Vec<Event>) {
        let buffered = self.seg_energy.len() as u64;
        let goes_on = self.goes_on_until.saturating_sub(self.last_speech) as usize;
        let tail = self.limits.tail.max(goes_on.min(self.limits.tail_max));
        let end_frame = (self.last_speech + 1 + tail as u64).min(self.seg_start + buffered);
        let mut n_samples =
            ((end_frame - self.seg_start) as usize * FRAME_SAMPLES).min(self.seg_pcm.len());
        let start_sample = self.seg_start * FRAME_SAMPLES as u64;
        let mut end_ms = ms(end_frame);
        if let Some(total) = total_samples {
            let max_len = total.saturating_sub(start_sample) as usize;
            if n_samples > max_len {
                n_samples = max_len;
            }
            end_ms = end_ms.min(total / 16);
        }
        if n_samples > 0 && end_ms > ms(self.seg_start) {
            out.push(Event::Segment(CutSegment {
                start_ms: ms(self.seg_start),
                end_ms,
                pcm: self.seg_pcm[..n_samples].to_vec(),
            }));
        }
        self.emitted_until = end_frame;
        self.drop_candidate();
    }

    /// The open segment reached `max_segment`: emit up to the quietest frame in the last
    /// `cut_search` frames and continue the segment from there.
    fn cut_at_quietest(&mut self, out: &mut Vec<Event>) {
        let len = self.seg_energy.len();
        let from = len.saturating_sub(self.limits.cut_search).max(1);
        let mut cut = len - 1;
        let mut best = f32::INFINITY;
        for (i, &e) in self.seg_energy.iter().enumerate().take(len).skip(from) {
            if e < best {
                best = e;
                cut = i;
            }
        }
        let cut_samples = (cut * FRAME_SAMPLES).min(self.seg_pcm.len());
        out.push(Event::Segment(CutSegment {
            start_ms: ms(self.seg_start),
            end_ms: ms(self.seg_start + cut as u64),
            pcm: self.seg_pcm[..cut_samples].to_vec(),
        }));
        self.seg_pcm.copy_within(cut_samples.., 0);
        self.seg_pcm.truncate(self.seg_pcm.len() - cut_samples);
        self.seg_energy.copy_within(cut.., 0);
        self.seg_energy.truncate(len - cut);
        self.seg_start += cut as u64;
        self.emitted_until = self.seg_start;
        if self.last_speech < self.seg_start {
            // Nothing but pause after the cut: wait for speech again.
            self.drop_candidate();
        } else {
            out.push(Event::SpeechStart {
                start_ms: ms(self.seg_start),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> FrontEndConfig {
        FrontEndConfig {
            pre_roll_ms: 50,
            hangover_ms: 100,
            tail_ms: 30,
            min_speech_ms: 50,
            max_segment_ms: 1_000,
            cut_search_ms: 300,
            ..FrontEndConfig::default()
        }
    }

    /// Runs a pattern of frames ('#' speech, '.' silence, 'w' not speech but meeting the hold
    /// criteria, 'g' not speech but speech goes on, digits = speech with that energy) and returns the segments as
    /// (start_ms, end_ms) with the frame indices found in their audio.
    fn run(config: &FrontEndConfig, pattern: &str) -> Vec<(u64, u64, Vec<i16>)> {
        let mut s = Segmenter::new(config);
        let mut out = Vec::new();
        for (i, c) in pattern.chars().enumerate() {
            let frame = [i as i16; FRAME_SAMPLES];
            let (speech, energy) = match c {
                '#' => (true, 100.0),
                d if d.is_ascii_digit() => (true, f32::from(d as u8 - b'0')),
                _ => (false, 1.0),
            };
            let votes = FrameVotes {
                is_speech: speech,
                sure: speech,
                weak: c == 'w',
                goes_on: c == 'g',
            };
            s.push_frame(&frame, energy, votes, &mut out);
        }
        s.finish(pattern.len() as u64 * 160, &mut out);
        let mut starts = Vec::new();
        let mut segs = Vec::new();
        for e in out {
            match e {
                Event::SpeechStart { start_ms } => starts.push(start_ms),
                Event::Segment(c) => {
                    assert_eq!(c.pcm.len() as u64, (c.end_ms - c.start_ms) * 16);
                    let ids: Vec<i16> = c.pcm.chunks(160).map(|f| f[0]).collect();
                    segs.push((c.start_ms, c.end_ms, ids));
                }
                Event::Frame(_) => {}
            }
        }
        assert_eq!(starts, segs.iter().map(|s| s.0).collect::<Vec<_>>());
        segs
    }

    #[test]
    fn pre_roll_tail_and_hangover() {
        // Speech frames 10..20, then 5 silent frames (< hang-over 10), speech 25..30.
        let p = format!(
            "{}{}{}{}{}",
            ".".repeat(10),
            "#".repeat(10),
            ".".repeat(5),
            "#".repeat(5),
            ".".repeat(30)
        );
        let segs = run(&config(), &p);
        assert_eq!(segs.len(), 1);
        let (start, end, ids) = &segs[0];
        assert_eq!(*start, 50); // 5 frames of pre-roll
        assert_eq!(*end, 330); // last speech frame 29, + 3 tail frames
        assert_eq!(ids.first(), Some(&5));
        assert_eq!(ids.last(), Some(&32));
    }

    #[test]
    fn the_tail_runs_on_while_speech_goes_on_up_to_its_limit() {
        // config(): tail 3 frames, hang-over 10; speech frames 10..20.
        let with = |ms| FrontEndConfig {
            tail_max_ms: ms,
            ..config()
        };
        let ends = |pattern: &str, ms| -> Vec<u64> {
            run(&with(ms), pattern).iter().map(|s| s.1).collect()
        };
        let speech = format!("{}{}", ".".repeat(10), "#".repeat(10));
        // 5 frames where speech goes on, then silence: the end follows them (frame 25).
        let p = format!("{speech}{}{}", "g".repeat(5), ".".repeat(30));
        assert_eq!(ends(&p, 80), [250]);
        // Never further than the limit (8 frames after the last speech frame)...
        let p = format!("{speech}{}{}", "g".repeat(9), ".".repeat(30));
        assert_eq!(ends(&p, 80), [280]);
        // ...never shorter than the fixed tail, and off at 0.
        let p = format!("{speech}g{}", ".".repeat(30));
        assert_eq!(ends(&p, 80), [230]);
        let p = format!("{speech}{}{}", "g".repeat(5), ".".repeat(30));
        assert_eq!(ends(&p, 0), [230]);
        // A break ends the run: frames where speech goes on after a silent frame do not count.
        let p = format!("{speech}{}{}", ".g".repeat(4), ".".repeat(30));
        assert_eq!(ends(&p, 80), [230]);
    }

    #[test]
    fn onset_look_back_reaches_over_hold_frames_and_short_gaps_only() {
        let with = |ms| FrontEndConfig {
            lookback_ms: ms,
            ..config()
        };
        // Hold-criteria frames 20..24, a 3-frame gap, speech from frame 27.
        let p = format!(
            "{}{}{}{}{}",
            ".".repeat(20),
            "w".repeat(4),
            ".".repeat(3),
            "#".repeat(10),
            ".".repeat(30)
        );
        // Without look-back: 5 frames of pre-roll before frame 27.
        let segs = run(&with(0), &p);
        assert_eq!((segs.len(), segs[0].0), (1, 220));
        // With it the onset is frame 20, and the pre-roll goes 5 frames before that.
        let segs = run(&with(100), &p);
        assert_eq!((segs.len(), segs[0].0), (1, 150));
        assert_eq!(segs[0].2.first(), Some(&15));
        // Hold-criteria frames separated from the onset by more than `LOOKBACK_GAP_FRAMES` frames
        // belong to something else: the start stays where the pre-roll puts it.
        let far = format!(
            "{}{}{}{}{}",
            ".".repeat(10),
            "w".repeat(4),
            ".".repeat(LOOKBACK_GAP_FRAMES + 2),
            "#".repeat(10),
            ".".repeat(30)
        );
        let onset = 14 + LOOKBACK_GAP_FRAMES as u64 + 2;
        assert_eq!(run(&with(300), &far)[0].0, (onset - 5) * 10);
    }

    #[test]
    fn impulses_shorter_than_min_speech_are_dropped() {
        let p = format!(
            "{}{}{}{}",
            ".".repeat(10),
            "#".repeat(4),
            ".".repeat(20),
            "#".repeat(3)
        );
        assert!(run(&config(), &p).is_empty());
    }

    #[test]
    fn pauses_longer_than_hangover_split_segments_and_pre_roll_does_not_overlap() {
        let p = format!(
            "{}{}{}{}",
            "#".repeat(10),
            ".".repeat(11),
            "#".repeat(10),
            ".".repeat(20)
        );
        let segs = run(&config(), &p);
        assert_eq!(segs.len(), 2);
        assert_eq!((segs[0].0, segs[0].1), (0, 130));
        // Pre-roll of the second segment starts at frame 16 (5 frames before 21) >= 13.
        assert_eq!((segs[1].0, segs[1].1), (160, 340));
        assert!(segs[1].0 >= segs[0].1);
    }

    #[test]
    fn words_one_by_one_are_cut_each_on_its_own_when_together_they_are_speech() {
        let words = FrontEndConfig {
            min_speech_ms: 80,
            min_word_ms: 30,
            word_gap_ms: 500,
            ..config()
        };
        // Two words of 5 speech frames (each under min_speech, 8 frames) 30 frames apart: a
        // pause longer than the hang-over (10) and shorter than the word gap (50).
        let p = format!(
            "{}{}{}{}{}",
            ".".repeat(10),
            "#".repeat(5),
            ".".repeat(30),
            "#".repeat(5),
            ".".repeat(30)
        );
        let segs = run(&words, &p);
        assert_eq!(segs.len(), 2, "{segs:?}");
        // The first word: pre-roll from frame 5, last speech frame 14 + 3 tail frames.
        assert_eq!((segs[0].0, segs[0].1), (50, 180));
        // The second: its own pre-roll (frame 40), the pause between them is not billed.
        assert_eq!((segs[1].0, segs[1].1), (400, 530));
        assert_eq!(segs[1].2.first(), Some(&40));
        // Without the word rule neither word is speech enough alone.
        let off = FrontEndConfig {
            min_word_ms: 0,
            ..words.clone()
        };
        assert!(run(&off, &p).is_empty());
        // A pause longer than the word gap ends the wait; a run shorter than a word never waits.
        let far = format!("{}{}{}", "#".repeat(5), ".".repeat(60), "#".repeat(5));
        assert!(run(&words, &far).is_empty());
        let blips = format!("{}{}{}", "#".repeat(2), ".".repeat(20), "#".repeat(6));
        assert!(run(&words, &blips).is_empty());
    }

    #[test]
    fn max_length_cuts_at_quietest_frame_near_the_limit() {
        // 100 frames allowed; quietest frame ('1') at index 85 within the last 30 frames.
        let mut p = "#".repeat(85);
        p.push('1');
        p.push_str(&"#".repeat(40));
        p.push_str(&".".repeat(20));
        let segs = run(&config(), &p);
        assert_eq!(segs.len(), 2);
        assert_eq!((segs[0].0, segs[0].1), (0, 850));
        assert_eq!(segs[1].0, 850);
        assert_eq!(segs[1].1, 1290);
    }

    #[test]
    fn open_segment_is_closed_by_finish_and_clamped() {
        let p = format!("{}{}", ".".repeat(3), "#".repeat(10));
        let mut s = Segmenter::new(&config());
        let mut out = Vec::new();
        for c in p.chars() {
            let votes = FrameVotes {
                is_speech: c == '#',
                sure: c == '#',
                ..FrameVotes::default()
            };
            s.push_frame(&[7; 160], 1.0, votes, &mut out);
        }
        s.finish(13 * 160 - 40, &mut out);
        let seg = out
            .iter()
            .find_map(|e| {
                if let Event::Segment(c) = e {
                    Some(c.clone())
                } else {
                    None
                }
            })
            .expect("segment");
        assert_eq!(seg.start_ms, 0);
        assert_eq!(seg.end_ms, 127);
        assert_eq!(seg.pcm.len(), 13 * 160 - 40);
    }
}
