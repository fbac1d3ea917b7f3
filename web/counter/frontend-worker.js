// Front-end worker: resamples the worklet's audio to 16 kHz and runs the vad-wasm front end
// (denoise, VAD, segmenter) on it, off the page's thread. It posts to the page:
//   {type:"ready"}                       once the WebAssembly module is loaded
//   {type:"meter", levelDb, prob, speech, frameUs, frames, audioMs}   about every 50 ms
//   {type:"segment", startMs, endMs, pcm: ArrayBuffer}                 each speech segment
//   {type:"pcm", pcm: ArrayBuffer}       20 ms of 16 kHz audio, only in raw (legacy) mode
//   {type:"finished"}                    after "stop": the last segment (if any) was posted
//   {type:"error", message}
// The front end's cost is measured here with performance.now() around each push and reported
// as the mean time per 10 ms frame.
import init, { FrontEnd } from "./vad_wasm.js";
import { Resampler } from "./resampler.js";

const CHUNK = 320; // 20 ms at 16 kHz
let fe = null;
let resampler = null;
let raw = false;
let pending = new Int16Array(CHUNK);
let pendingLen = 0;
let frames = 0; // 10 ms frames pushed
let pushMs = 0; // total time in fe.push, ms
let lastMeter = 0;
let level = { levelDb: 0, prob: 0, speech: false };

function take(events) {
  for (const e of events) {
    const kind = e.kind;
    if (kind === "frame") {
      level = { levelDb: e.levelDb, prob: e.speechProbability, speech: e.isSpeech };
    } else if (kind === "segment") {
      const pcm = e.pcm;
      if (!raw && pcm.length > 0) {
        postMessage({ type: "segment", startMs: e.startMs, endMs: e.endMs, pcm: pcm.buffer }, [pcm.buffer]);
      }
    }
    e.free();
  }
}

function pushChunk(chunk) {
  if (raw) {
    const copy = chunk.slice();
    postMessage({ type: "pcm", pcm: copy.buffer }, [copy.buffer]);
  }
  const t0 = performance.now();
  const events = fe.push(chunk);
  pushMs += performance.now() - t0;
  frames += chunk.length / 160;
  take(events);
  const now = performance.now();
  if (now - lastMeter >= 50) {
    lastMeter = now;
    postMessage({ type: "meter", ...level, frameUs: frames ? (1000 * pushMs) / frames : 0, frames, audioMs: frames * 10 });
  }
}

function onAudio(block) {
  if (!fe) return;
  const pcm = resampler.process(block);
  let i = 0;
  while (i < pcm.length) {
    const n = Math.min(CHUNK - pendingLen, pcm.length - i);
    pending.set(pcm.subarray(i, i + n), pendingLen);
    pendingLen += n;
    i += n;
    if (pendingLen === CHUNK) {
      pushChunk(pending);
      pendingLen = 0;
    }
  }
}

onmessage = async (e) => {
  const m = e.data;
  try {
    if (m.type === "start") {
      if (!fe) {
        await init();
        fe = new FrontEnd();
      }
      raw = m.mode === "raw";
      frames = 0;
      pushMs = 0;
      resampler = new Resampler(m.sampleRate, 16000);
      pendingLen = 0;
      m.port.onmessage = (ev) => onAudio(ev.data);
      postMessage({ type: "ready" });
    } else if (m.type === "stop") {
      if (fe) {
        if (pendingLen > 0) {
          pushChunk(pending.slice(0, pendingLen));
          pendingLen = 0;
        }
        take(fe.finish());
      }
      postMessage({ type: "finished" });
    }
  } catch (err) {
    postMessage({ type: "error", message: String(err && err.message ? err.message : err) });
  }
};
