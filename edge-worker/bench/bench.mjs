// Times the Worker's per-frame and per-segment work on the same code compiled to wasm32
// (edge-worker built with --no-default-features --features bench, wasm-bindgen --target nodejs).
//   node bench.mjs <pkg dir> <wav 16 kHz mono s16> [repeat] [frame ms]
// The WAV is repeated (with 1 s of silence between copies) to make a long stream.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [pkg, wavPath, repeatArg, frameArg] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const { bench_stream } = require(path.resolve(pkg, 'edge_worker.js'));

function pcmOf(file) {
  const buf = readFileSync(file);
  let off = 12;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    if (id === 'data') {
      return new Int16Array(buf.buffer.slice(buf.byteOffset + off + 8, buf.byteOffset + off + 8 + size));
    }
    off += 8 + size + (size & 1);
  }
  throw new Error('no data chunk');
}

const speech = pcmOf(wavPath);
const repeat = Number(repeatArg || 20);
const frameMs = Number(frameArg || 20);
const gap = new Int16Array(16000);
const total = new Int16Array((speech.length + gap.length) * repeat);
for (let i = 0; i < repeat; i++) {
  total.set(speech, i * (speech.length + gap.length));
}
bench_stream(total.subarray(0, 16000 * 2), frameMs * 16); // warm-up
const started = performance.now();
const result = JSON.parse(bench_stream(total, frameMs * 16));
result.wall_ms = performance.now() - started;
result.realtime_factor = result.wall_ms / result.audio_ms;
console.log(JSON.stringify(result, null, 2));
