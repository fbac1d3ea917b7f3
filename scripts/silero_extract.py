#!/usr/bin/env python3
"""Pull the Silero VAD v6.2 16 kHz weights out of `silero_vad.jit` into Balto's compact file.

    silero_extract.py WHEEL_OR_JIT OUT

`silero_vad.jit` (inside the PyPI wheel silero-vad==6.2.3 at silero_vad/data/) is a TorchScript
archive: a zip whose data.pkl names each tensor's storage file, shape and strides. It is read
with zipfile + pickle only (no torch, no numpy). Only the 16 kHz model (`_model`) is kept.

Output layout (little-endian), read by vad-wasm/src/silero/weights.rs:
  b"BSVAD62\\0"  magic (8 bytes)
  u32            tensor count
  per tensor, in the order of TENSORS below: u32 element count, then that many f32.
The STFT basis is stored too (it is a fixed windowed DFT, but the file carries exactly what the
model was trained with).
"""
import array
import pickle
import struct
import sys
import zipfile

MAGIC = b"BSVAD62\0"
# (name in the TorchScript module, expected shape)
TENSORS = [
    ("_model.stft.forward_basis_buffer", (258, 1, 256)),
    ("_model.encoder.0.reparam_conv.weight", (128, 129, 3)),
    ("_model.encoder.0.reparam_conv.bias", (128,)),
    ("_model.encoder.1.reparam_conv.weight", (64, 128, 3)),
    ("_model.encoder.1.reparam_conv.bias", (64,)),
    ("_model.encoder.2.reparam_conv.weight", (64, 64, 3)),
    ("_model.encoder.2.reparam_conv.bias", (64,)),
    ("_model.encoder.3.reparam_conv.weight", (128, 64, 3)),
    ("_model.encoder.3.reparam_conv.bias", (128,)),
    ("_model.decoder.rnn.weight_ih", (512, 128)),
    ("_model.decoder.rnn.weight_hh", (512, 128)),
    ("_model.decoder.rnn.bias_ih", (512,)),
    ("_model.decoder.rnn.bias_hh", (512,)),
    ("_model.decoder.decoder.2.weight", (1, 128, 1)),
    ("_model.decoder.decoder.2.bias", (1,)),
]


class _Obj:
    """Stand-in for every TorchScript class in the pickle: keeps its state dict."""

    def __init__(self, *args, **kwargs):
        self.state = None

    def __setstate__(self, state):
        self.state = state


class _Tensor:
    def __init__(self, storage, offset, size, stride):
        self.key = storage[2]
        self.numel_storage = storage[4]
        self.offset, self.size, self.stride = offset, tuple(size), tuple(stride)


class _Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if name == "_rebuild_tensor_v2":
            return lambda storage, offset, size, stride, *rest: _Tensor(storage, offset, size, stride)
        if module == "collections" and name == "OrderedDict":
            import collections

            return collections.OrderedDict
        return type(name, (_Obj,), {})

    def persistent_load(self, pid):
        return pid  # ('storage', FloatStorage, key, location, numel)


def _find(obj, path):
    for part in path.split("."):
        obj = obj.state[part] if isinstance(obj, _Obj) else obj[part]
    return obj


def _open_jit(path):
    if path.endswith(".whl"):
        wheel = zipfile.ZipFile(path)
        import io

        return zipfile.ZipFile(io.BytesIO(wheel.read("silero_vad/data/silero_vad.jit")))
    return zipfile.ZipFile(path)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    jit = _open_jit(sys.argv[1])
    pkl = [n for n in jit.namelist() if n.endswith("/data.pkl")]
    if len(pkl) != 1:
        sys.exit(f"expected one data.pkl in the archive, found {pkl}")
    root = pkl[0][: -len("data.pkl")]
    model = _Unpickler(jit.open(pkl[0])).load()
    out = bytearray(MAGIC)
    out += struct.pack("<I", len(TENSORS))
    for name, shape in TENSORS:
        t = _find(model, name)
        if t.size != shape:
            sys.exit(f"{name}: shape {t.size}, expected {shape}")
        # Contiguous row-major, or (for the STFT basis) a broadcast middle dimension of 1.
        expected_stride = []
        acc = 1
        for dim in reversed(shape):
            expected_stride.insert(0, acc)
            acc *= dim
        ok = all(s == e or d == 1 for s, e, d in zip(t.stride, expected_stride, shape))
        if not ok or t.offset != 0:
            sys.exit(f"{name}: unexpected layout offset={t.offset} stride={t.stride}")
        data = array.array("f")
        data.frombytes(jit.read(f"{root}data/{t.key}"))
        numel = 1
        for dim in shape:
            numel *= dim
        if len(data) != numel:
            sys.exit(f"{name}: {len(data)} values, expected {numel}")
        if sys.byteorder != "little":
            data.byteswap()
        out += struct.pack("<I", numel) + data.tobytes()
    with open(sys.argv[2], "wb") as f:
        f.write(out)
    print(f"wrote {sys.argv[2]}: {len(TENSORS)} tensors, {len(out)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
