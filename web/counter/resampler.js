// Streaming polyphase resampler (windowed-sinc low-pass) from any integer rate to another,
// e.g. 48 000 or 44 100 Hz to 16 000 Hz. Float32 in, Int16 out. Used by the front-end worker.

function gcd(a, b) {
  while (b) [a, b] = [b, a % b];
  return a;
}

export class Resampler {
  /** @param {number} inRate @param {number} outRate @param {number} half taps each side */
  constructor(inRate, outRate, half = 24) {
    const g = gcd(inRate, outRate);
    this.up = outRate / g; // phases
    this.down = inRate / g;
    if (this.up > 4096) throw new Error(`taxa de captura não suportada: ${inRate} Hz`);
    this.half = half;
    const taps = 2 * half;
    // Cutoff a little below the lower Nyquist frequency, in cycles per input sample.
    const fc = 0.5 * Math.min(1, outRate / inRate) * 0.92;
    this.table = new Float32Array(this.up * taps);
    for (let p = 0; p < this.up; p++) {
      const frac = p / this.up;
      let sum = 0;
      for (let k = 0; k < taps; k++) {
        const t = k - half + 1 - frac; // distance from the output instant to input sample
        const x = 2 * fc * t;
        const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
        const w = Math.abs(t) >= half ? 0 : 0.42 + 0.5 * Math.cos((Math.PI * t) / half) + 0.08 * Math.cos((2 * Math.PI * t) / half);
        const v = 2 * fc * sinc * w;
        this.table[p * taps + k] = v;
        sum += v;
      }
      for (let k = 0; k < taps; k++) this.table[p * taps + k] /= sum; // unity gain at DC
    }
    // Pending input, starting with half-1 zeros of history so the first output is at sample 0.
    this.x = new Float32Array(4096 + taps);
    this.len = half - 1;
    this.i = half - 1; // index in x of the input sample at or before the next output instant
    this.phase = 0;
  }

  /** @param {Float32Array} input samples in -1..1 @returns {Int16Array} */
  process(input) {
    const need = this.len + input.length;
    if (need > this.x.length) {
      const bigger = new Float32Array(need * 2);
      bigger.set(this.x.subarray(0, this.len));
      this.x = bigger;
    }
    this.x.set(input, this.len);
    this.len = need;
    const taps = 2 * this.half;
    const maxOut = Math.ceil(((this.len - this.i) * this.up) / this.down) + 1;
    const out = new Int16Array(maxOut);
    let n = 0;
    const x = this.x;
    while (this.i + this.half < this.len) {
      const base = this.i - this.half + 1;
      const t0 = this.phase * taps;
      let acc = 0;
      for (let k = 0; k < taps; k++) acc += x[base + k] * this.table[t0 + k];
      const s = Math.round(acc * 32768);
      out[n++] = s > 32767 ? 32767 : s < -32768 ? -32768 : s;
      this.phase += this.down;
      this.i += Math.floor(this.phase / this.up);
      this.phase %= this.up;
    }
    // Keep only the history the next outputs need.
    const keepFrom = Math.max(0, this.i - this.half + 1);
    if (keepFrom > 0) {
      x.copyWithin(0, keepFrom, this.len);
      this.len -= keepFrom;
      this.i -= keepFrom;
    }
    return out.subarray(0, n);
  }
}
