// Node test of the resampler: sample counts, a 1 kHz tone kept, a 10 kHz tone removed (48 kHz → 16 kHz).
// Usage: node web/counter/tests/resampler.test.mjs
import { Resampler } from "../resampler.js";
import assert from "node:assert/strict";
for (const rate of [48000, 44100, 16000, 22050, 8000]) {
  const r = new Resampler(rate, 16000);
  const secs = 2; let total = 0; const outs = [];
  for (let i = 0; i < rate * secs; i += 777) {
    const blk = new Float32Array(Math.min(777, rate*secs - i));
    for (let j = 0; j < blk.length; j++) blk[j] = 0.5 * Math.sin(2 * Math.PI * 1000 * (i + j) / rate);
    const o = r.process(blk); total += o.length; outs.push(...o);
  }
  // 1 kHz tone amplitude preserved, 
  let e = 0; for (let k = 2000; k < outs.length - 100; k++) { const ref = 0.5*32768*Math.sin(2*Math.PI*1000*k/16000); e = Math.max(e, Math.abs(outs[k]-ref)); }
  console.log(rate, total, "max err", e.toFixed(1));
  assert.ok(Math.abs(total - 32000) <= 24 * 16000 / rate + 2);
  assert.ok(e < 200, `err ${e}`);
}
// aliasing: 10 kHz tone at 48k must be suppressed
{ const r = new Resampler(48000, 16000); const blk = new Float32Array(48000); for (let j=0;j<blk.length;j++) blk[j]=0.5*Math.sin(2*Math.PI*10000*j/48000); const o = r.process(blk); let m=0; for (let k=500;k<o.length-100;k++) m=Math.max(m,Math.abs(o[k])); console.log("10kHz leak", m); assert.ok(m < 100); }
