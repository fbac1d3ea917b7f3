#!/usr/bin/env python3
"""Development-time reference for vad-wasm's Silero forward pass (not run by CI).

    python reference.py WHEEL WEIGHTS.bin OUT.json WAV[:MAX_CHUNKS] ...

Runs the wheel's `silero_vad.onnx` with ONNX Runtime exactly as the package's own OnnxWrapper
does (512-sample chunks at 16 kHz, the previous 64 samples prepended, LSTM state carried), and
a NumPy forward pass over Balto's extracted weights file (scripts/silero_extract.py) as a check
that the file and the architecture are read correctly. Writes the ONNX Runtime probabilities as
the golden fixture vad-wasm's test compares its Rust forward pass with.
Needs: numpy, onnxruntime (PyPI).
"""
import io
import json
import struct
import sys
import wave
import zipfile

import numpy as np
import onnxruntime as ort

CHUNK, CONTEXT = 512, 64


def read_weights(path):
    data = open(path, "rb").read()
    assert data[:8] == b"BSVAD62\0", "bad magic"
    (count,) = struct.unpack_from("<I", data, 8)
    off, out = 12, []
    for _ in range(count):
        (n,) = struct.unpack_from("<I", data, off)
        off += 4
        out.append(np.frombuffer(data, "<f4", n, off).astype(np.float64))
        off += 4 * n
    return out


def numpy_model(w):
    basis = w[0].reshape(258, 256)
    enc = [(w[1].reshape(128, 129, 3), w[2], 1), (w[3].reshape(64, 128, 3), w[4], 2),
           (w[5].reshape(64, 64, 3), w[6], 2), (w[7].reshape(128, 64, 3), w[8], 1)]
    w_ih, w_hh, b_ih, b_hh = w[9].reshape(512, 128), w[10].reshape(512, 128), w[11], w[12]
    dec_w, dec_b = w[13].reshape(128), w[14][0]

    def conv(x, k, b, stride):  # x [C, T], k [O, C, 3], padding 1
        xp = np.pad(x, ((0, 0), (1, 1)))
        t_out = (x.shape[1] + 2 - 3) // stride + 1
        return np.stack([np.einsum("oc k,ck->o".replace(" ", ""), k, xp[:, t * stride:t * stride + 3]) + b
                         for t in range(t_out)], 1)

    def step(x576, h, c):
        x = np.concatenate([x576, x576[-2:-66:-1]])  # reflect pad 64 on the right
        frames = np.stack([x[i * 128:i * 128 + 256] for i in range(4)], 1)  # [256, 4]
        spec = basis @ frames
        mag = np.sqrt(spec[:129] ** 2 + spec[129:] ** 2)
        y = mag
        for k, b, s in enc:
            y = np.maximum(conv(y, k, b, s), 0)
        y = y[:, 0]
        g = w_ih @ y + b_ih + w_hh @ h + b_hh
        i, f, gg, o = (1 / (1 + np.exp(-g[:128])), 1 / (1 + np.exp(-g[128:256])), np.tanh(g[256:384]),
                       1 / (1 + np.exp(-g[384:])))
        c = f * c + i * gg
        h = o * np.tanh(c)
        p = 1 / (1 + np.exp(-(dec_w @ np.maximum(h, 0) + dec_b)))
        return p, h, c

    return step


def read_wav(path):
    with wave.open(path) as f:
        assert (f.getframerate(), f.getnchannels(), f.getsampwidth()) == (16000, 1, 2), path
        return np.frombuffer(f.readframes(f.getnframes()), "<i2")


def main():
    wheel, weights, out_path, *wavs = sys.argv[1:]
    jit_onnx = zipfile.ZipFile(wheel).read("silero_vad/data/silero_vad.onnx")
    sess = ort.InferenceSession(jit_onnx, providers=["CPUExecutionProvider"])
    step = numpy_model(read_weights(weights))
    fixture = {"model": "silero-vad 6.2.3 silero_vad.onnx (16 kHz)", "chunk": CHUNK, "context": CONTEXT,
               "clips": []}
    worst = 0.0
    for spec in wavs:
        path, _, limit = spec.partition(":")
        pcm = read_wav(path)
        n = len(pcm) // CHUNK
        if limit:
            n = min(n, int(limit))
        x = pcm[: n * CHUNK].astype(np.float32) / 32768.0
        state = np.zeros((2, 1, 128), np.float32)
        context = np.zeros(CONTEXT, np.float32)
        h, c = np.zeros(128), np.zeros(128)
        probs = []
        for k in range(n):
            chunk = np.concatenate([context, x[k * CHUNK:(k + 1) * CHUNK]])
            out, state = sess.run(None, {"input": chunk[None, :], "state": state, "sr": np.array(16000, np.int64)})
            p_np, h, c = step(chunk.astype(np.float64), h, c)
            worst = max(worst, abs(float(out[0, 0]) - p_np))
            probs.append(round(float(out[0, 0]), 7))
            context = chunk[-CONTEXT:]
        fixture["clips"].append({"wav": path.rsplit("/shared/", 1)[-1], "chunks": n, "probabilities": probs})
        print(f"{path}: {n} chunks, max p {max(probs):.3f}", file=sys.stderr)
    print(f"NumPy forward pass over the extracted weights vs ONNX Runtime: max |diff| {worst:.2e}", file=sys.stderr)
    json.dump(fixture, open(out_path, "w"), indent=0)


if __name__ == "__main__":
    main()
