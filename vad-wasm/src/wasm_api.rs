//! JavaScript API (wasm-bindgen): the same streaming front end for browsers and Workers.

use wasm_bindgen::prelude::*;

use crate::config::FrontEndConfig;
use crate::event::Event;
use crate::front_end::FrontEnd;

/// One event for JavaScript. `kind` is `"speech_start"`, `"segment"` or `"frame"`; fields that
/// do not apply to the kind are 0 / empty.
#[wasm_bindgen]
pub struct JsEvent {
    kind: &'static str,
    start_ms: f64,
    end_ms: f64,
    pcm: Vec<i16>,
    level_db: f32,
    speech_probability: f32,
    silero_probability: f32,
    is_speech: bool,
}

#[wasm_bindgen]
impl JsEvent {
    /// `"speech_start"`, `"segment"` or `"frame"`.
    #[wasm_bindgen(getter)]
    pub fn kind(&self) -> String {
        self.kind.to_owned()
    }
    /// Segment start (speech_start, segment) or frame time (frame), ms.
    #[wasm_bindgen(getter, js_name = startMs)]
    pub fn start_ms(&self) -> f64 {
        self.start_ms
    }
    /// Segment end, ms (segment only).
    #[wasm_bindgen(getter, js_name = endMs)]
    pub fn end_ms(&self) -> f64 {
        self.end_ms
    }
    /// Cleaned 16 kHz audio (segment only); a copy as `Int16Array`.
    #[wasm_bindgen(getter)]
    pub fn pcm(&self) -> Vec<i16> {
        self.pcm.clone()
    }
    /// Frame level, dB re 1 LSB RMS (frame only).
    #[wasm_bindgen(getter, js_name = levelDb)]
    pub fn level_db(&self) -> f32 {
        self.level_db
    }
    /// RNNoise speech probability (frame only).
    #[wasm_bindgen(getter, js_name = speechProbability)]
    pub fn speech_probability(&self) -> f32 {
        self.speech_probability
    }
    /// Silero speech probability of the frame's 32 ms chunk (frame only).
    #[wasm_bindgen(getter, js_name = sileroProbability)]
    pub fn silero_probability(&self) -> f32 {
        self.silero_probability
    }
    /// Final per-frame decision (frame only).
    #[wasm_bindgen(getter, js_name = isSpeech)]
    pub fn is_speech(&self) -> bool {
        self.is_speech
    }
}

impl From<Event> for JsEvent {
    fn from(e: Event) -> Self {
        let mut out = JsEvent {
            kind: "speech_start",
            start_ms: 0.0,
            end_ms: 0.0,
            pcm: Vec::new(),
            level_db: 0.0,
            speech_probability: 0.0,
            silero_probability: 0.0,
            is_speech: false,
        };
        match e {
            Event::SpeechStart { start_ms } => out.start_ms = start_ms as f64,
            Event::Segment(s) => {
                out.kind = "segment";
                out.start_ms = s.start_ms as f64;
                out.end_ms = s.end_ms as f64;
                out.pcm = s.pcm;
            }
            Event::Frame(f) => {
                out.kind = "frame";
                out.start_ms = f.time_ms as f64;
                out.level_db = f.level_db;
                out.speech_probability = f.speech_probability;
                out.silero_probability = f.silero_probability;
                out.is_speech = f.is_speech;
            }
        }
        out
    }
}

/// A streaming front end for one audio stream (JS name `FrontEnd`).
#[wasm_bindgen(js_name = FrontEnd)]
pub struct JsFrontEnd {
    inner: FrontEnd,
    events: Vec<Event>,
}

#[wasm_bindgen(js_class = FrontEnd)]
impl JsFrontEnd {
    /// Creates a front end; `config_json` overrides defaults (e.g. `{"vad_mode":3}`), or
    /// `undefined` / `""` for the defaults.
    #[wasm_bindgen(constructor)]
    pub fn new(config_json: Option<String>) -> Result<JsFrontEnd, JsError> {
        let config = match config_json.as_deref() {
            None | Some("") => FrontEndConfig::default(),
            Some(text) => serde_json::from_str(text).map_err(|e| JsError::new(&e.to_string()))?,
        };
        let inner = FrontEnd::new(config).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(Self {
            inner,
            events: Vec::with_capacity(16),
        })
    }

    /// Feeds 16 kHz mono samples (`Int16Array`); returns the events produced.
    pub fn push(&mut self, pcm: &[i16]) -> Vec<JsEvent> {
        self.inner.push_events(pcm, &mut self.events);
        self.events.drain(..).map(JsEvent::from).collect()
    }

    /// Ends the stream (and resets for a new one); returns the remaining events.
    pub fn finish(&mut self) -> Vec<JsEvent> {
        self.inner.finish_events(&mut self.events);
        self.events.drain(..).map(JsEvent::from).collect()
    }

    /// Approximate bytes of state for this stream.
    #[wasm_bindgen(js_name = stateBytes)]
    pub fn state_bytes(&self) -> usize {
        self.inner.state_bytes()
    }
}
