// AudioWorklet: takes the microphone at the device rate, mixes it to mono and posts blocks of
// 2048 samples (Float32, transferred) to the front-end worker through the port it is given.
// Resampling and the front end run in the worker, never on the audio thread or the page.
class BaltoCapture extends AudioWorkletProcessor {
  constructor() {
    super();
    this.out = null;
    this.buf = new Float32Array(2048);
    this.n = 0;
    this.port.onmessage = (e) => {
      if (e.data && e.data.port) this.out = e.data.port;
    };
  }

  process(inputs) {
    const input = inputs[0];
    if (!this.out || !input || input.length === 0) return true;
    const chans = input.length;
    const len = input[0].length;
    for (let i = 0; i < len; i++) {
      let s = 0;
      for (let c = 0; c < chans; c++) s += input[c][i];
      this.buf[this.n++] = s / chans;
      if (this.n === this.buf.length) {
        this.out.postMessage(this.buf, [this.buf.buffer]);
        this.buf = new Float32Array(2048);
        this.n = 0;
      }
    }
    return true;
  }
}

registerProcessor("balto-capture", BaltoCapture);
