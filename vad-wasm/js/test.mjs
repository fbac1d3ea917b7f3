// Node test of the wasm-bindgen (--target web) build: loads the module, checks its imports,
// feeds WAV files in 20 ms chunks and compares the segments with the native ones
// (`vad_bench segments FILE.wav` JSON: identical boundaries, audio level within 0.1 %), then
// measures throughput (best of 3 passes, on this process's CPU time so other load on the
// machine does not count; wall clock printed too).
// Usage: node test.mjs PKG_DIR WAV NATIVE_JSON [WAV NATIVE_JSON ...]
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import assert from "node:assert/strict";

const [pkgDir, ...pairs] = process.argv.slice(2);
assert.ok(pkgDir && pairs.length >= 2 && pairs.length % 2 === 0, "usage: PKG_DIR (WAV JSON)+");

const wasmBytes = readFileSync(join(pkgDir, "vad_wasm_bg.wasm"));

// 1. Imports: only wasm-bindgen's own glue module, nothing from "env" (malloc/free/...).
const imports = WebAssembly.Module.imports(new WebAssembly.Module(wasmBytes));
for (const imp of imports) {
  assert.equal(imp.module, "./vad_wasm_bg.js", `unexpected import ${imp.module}.${imp.name}`);
  assert.ok(imp.name.startsWith("__wbg") || imp.name.startsWith("__wbindgen"), `unexpected import ${imp.name}`);
}
console.log(`imports ok (${imports.length}, all wasm-bindgen glue)`);

const mod = await import(pathToFileURL(resolve(pkgDir, "vad_wasm.js")).href);
mod.initSync({ module: wasmBytes });

function readWav(path) {
  const b = readFileSync(path);
  assert.equal(b.toString("ascii", 0, 4), "RIFF");
  let off = 12;
  let fmt = null;
  while (off + 8 <= b.length) {
    const id = b.toString("ascii", off, off + 4);
    const size = b.readUInt32LE(off + 4);
    if (id === "fmt ") fmt = { channels: b.readUInt16LE(off + 10), rate: b.readUInt32LE(off + 12), bits: b.readUInt16LE(off + 22) };
    if (id === "data") {
      assert.deepEqual(fmt, { channels: 1, rate: 16000, bits: 16 });
      const n = Math.floor(Math.min(size, b.length - off - 8) / 2);
      const pcm = new Int16Array(n);
      for (let i = 0; i < n; i++) pcm[i] = b.readInt16LE(off + 8 + 2 * i);
      return pcm;
    }
    off += 8 + size + (size & 1);
  }
  throw new Error(`${path}: no data chunk`);
}

function rms(pcm) {
  let sum = 0;
  for (const v of pcm) sum += v * v;
  return pcm.length ? Math.sqrt(sum / pcm.length) : 0;
}

function run(pcm, frames) {
  const fe = new mod.FrontEnd(frames ? JSON.stringify({ emit_frame_events: true }) : undefined);
  const segs = [];
  let starts = 0;
  const take = (events) => {
    for (const e of events) {
      if (e.kind === "speech_start") starts++;
      if (e.kind === "frame") frames.push(e.sileroProbability);
      if (e.kind === "segment") {
        const p = e.pcm;
        segs.push({ start_ms: e.startMs, end_ms: e.endMs, samples: p.length, rms: rms(p) });
      }
      e.free();
    }
  };
  for (let i = 0; i < pcm.length; i += 320) take(fe.push(pcm.subarray(i, i + 320)));
  take(fe.finish());
  fe.free();
  assert.equal(starts, segs.length);
  return segs;
}

const clips = [];
for (let i = 0; i < pairs.length; i += 2) {
  const pcm = readWav(pairs[i]);
  const native = JSON.parse(readFileSync(pairs[i + 1], "utf8"));
  const silero = [];
  const segs = run(pcm, silero);
  // Silero (pure Rust, f16 weights) gives the same probability per frame in WASM as natively.
  assert.equal(silero.length, native.silero.length, `${pairs[i]}: frame count`);
  let worst = 0;
  silero.forEach((p, k) => (worst = Math.max(worst, Math.abs(p - native.silero[k]))));
  assert.ok(worst < 1e-4, `${pairs[i]}: Silero probability differs by ${worst}`);
  // Boundaries must be identical; the cleaned audio may differ in the last bits (libm and FFT
  // code paths differ between x86_64 SIMD and wasm32), so its level is compared to 0.1 %.
  const strip = (s) => ({ start_ms: s.start_ms, end_ms: s.end_ms, samples: s.samples });
  assert.deepEqual(segs.map(strip), native.segments.map(strip), `${pairs[i]}: wasm segments differ from native`);
  segs.forEach((s, k) => {
    const r = native.segments[k].rms;
    assert.ok(Math.abs(s.rms - r) <= 1e-3 * r + 0.5, `${pairs[i]} segment ${k}: rms ${s.rms} vs native ${r}`);
  });
  console.log(
    `${pairs[i]}: ${segs.length} segments with native boundaries and levels; Silero within ${worst.toExponential(1)} ` +
      `on ${silero.length} frames (${silero.filter((p) => p > 0).length} not skipped)`,
  );
  clips.push(pcm);
}
const audioSeconds = clips.reduce((a, p) => a + p.length / 16000, 0);
let bestCpu = Infinity;
let bestWall = Infinity;
for (let rep = 0; rep < 3; rep++) {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (const pcm of clips) run(pcm);
  bestWall = Math.min(bestWall, Number(process.hrtime.bigint() - t0) / 1e9);
  const c = process.cpuUsage(c0);
  bestCpu = Math.min(bestCpu, (c.user + c.system) / 1e6);
}
console.log(
  `wasm throughput: ${(audioSeconds / bestCpu).toFixed(0)}x real time on one core ` +
    `(CPU time; wall clock ${(audioSeconds / bestWall).toFixed(0)}x; ${audioSeconds.toFixed(0)} s of audio, ` +
    `Node ${process.version})`,
);
