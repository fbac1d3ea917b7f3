//! Silero as a front-end stage: raw 16 kHz frames in, one probability per 512-sample chunk,
//! looked up per 10 ms frame (the chunk holding the frame's centre). Chunks that hold no
//! "maybe speech" frame are not run: their probability is 0 and the LSTM state is kept, only
//! the 64-sample context moves on.

use std::collections::VecDeque;

use super::model::{CHUNK, SileroState};
use super::weights::SileroWeights;
use crate::config::FRAME_SAMPLES;

/// Per-stream Silero stage.
#[derive(Debug)]
pub struct SileroStage {
    state: Box<SileroState>,
    buf: [f32; CHUNK],
    fill: usize,
    /// Whether the chunk being filled holds a frame the cheap stage let through.
    active: bool,
    /// Probabilities of chunks `first_chunk..chunks_done`.
    probs: VecDeque<f32>,
    first_chunk: u64,
    chunks_done: u64,
    chunks_run: u64,
}

impl Default for SileroStage {
    fn default() -> Self {
        Self::new()
    }
}

impl SileroStage {
    /// A fresh stage over the embedded weights.
    pub fn new() -> Self {
        Self {
            state: Box::new(SileroState::new(SileroWeights::embedded())),
            buf: [0.0; CHUNK],
            fill: 0,
            active: false,
            probs: VecDeque::with_capacity(8),
            first_chunk: 0,
            chunks_done: 0,
            chunks_run: 0,
        }
    }

    /// Starts a new stream.
    pub fn reset(&mut self) {
        self.state.reset();
        self.fill = 0;
        self.active = false;
        self.probs.clear();
        self.first_chunk = 0;
        self.chunks_done = 0;
        self.chunks_run = 0;
    }

    /// Heap bytes owned per stream.
    pub fn heap_bytes(&self) -> usize {
        std::mem::size_of::<SileroState>() + self.probs.capacity() * 4
    }

    /// Chunks the model actually ran on in this stream.
    pub fn chunks_run(&self) -> u64 {
        self.chunks_run
    }

    /// Feeds one input frame; `active` says whether the model must run on the chunk(s) this
    /// frame falls in.
    pub fn push_frame(&mut self, frame: &[i16; FRAME_SAMPLES], active: bool) {
        self.active |= active;
        for &s in frame {
            self.buf[self.fill] = f32::from(s) / 32768.0;
            self.fill += 1;
            if self.fill == CHUNK {
                let p = if self.active {
                    self.chunks_run += 1;
                    self.state.process(&self.buf)
                } else {
                    self.state.skip(&self.buf);
                    0.0
                };
                self.probs.push_back(p);
                self.chunks_done += 1;
                self.fill = 0;
                self.active = active;
            }
        }
    }

    /// The larger probability of the last two completed chunks (0 before any): how much the
    /// last 64 ms sounded like speech.
    pub fn recent_probability(&self) -> f32 {
        let n = self.probs.len();
        let last = self.probs.get(n.wrapping_sub(1)).copied().unwrap_or(0.0);
        let before = self.probs.get(n.wrapping_sub(2)).copied().unwrap_or(0.0);
        last.max(before)
    }

    /// The probability for frame `index` (the chunk holding its centre), or `None` while that
    /// chunk is not complete. Frames must be asked for in increasing order.
    pub fn frame_probability(&mut self, index: u64) -> Option<f32> {
        let chunk = (index * FRAME_SAMPLES as u64 + FRAME_SAMPLES as u64 / 2) / CHUNK as u64;
        if chunk >= self.chunks_done {
            return None;
        }
        while self.first_chunk < chunk && !self.probs.is_empty() {
            self.probs.pop_front();
            self.first_chunk += 1;
        }
        self.probs
            .get(chunk.saturating_sub(self.first_chunk) as usize)
            .copied()
    }
}
