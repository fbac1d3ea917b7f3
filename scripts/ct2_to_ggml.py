#!/usr/bin/env python3
"""Convert a CTranslate2 Whisper model (faster-whisper layout) to whisper.cpp's ggml file.

Inputs
  --ct2-dir     directory holding the CTranslate2 `model.bin` (binary format version 6,
                spec `WhisperSpec`) and its `config.json`.
  --assets-dir  the `whisper/assets` directory of the openai-whisper source package
                (`mel_filters.npz`, `multilingual.tiktoken` / `gpt2.tiktoken`).
  --out         the ggml file to write (written to `<out>.tmp` first, then renamed).

CTranslate2 `model.bin` layout (all little endian):
  u32 binary_version, str spec_name, u32 spec_revision,
  u32 n_variables, then per variable:
      str name, u8 rank, u32 dim * rank, u8 dtype, u32 n_bytes, n_bytes of data
  u32 n_aliases, then per alias: str alias, str target
  where str = u16 length (including a trailing NUL), bytes, NUL.
  dtype ids: 0 float32, 1 int8, 2 int16, 3 int32, 4 float16, 5 bfloat16.

whisper.cpp ggml layout (legacy, pre-GGUF; all little endian i32 unless said):
  magic 0x67676d6c, n_vocab, n_audio_ctx, n_audio_state, n_audio_head, n_audio_layer,
  n_text_ctx, n_text_state, n_text_head, n_text_layer, n_mels, ftype (1 = f16),
  mel filters: n_mel, n_fft, then n_mel * n_fft f32,
  vocab: n_tokens, then per token (ordered by id): len, raw bytes,
  tensors until EOF: n_dims, name_len, ttype (0 f32, 1 f16), dims reversed (innermost first),
  name bytes, data (row major).

The conversion is deterministic: the same inputs give byte-identical output.
Only numpy is required.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import struct
import sys
import time
from pathlib import Path

import numpy as np

GGML_MAGIC = 0x67676D6C
CT2_DTYPES = {
    0: np.dtype("<f4"),
    1: np.dtype("i1"),
    2: np.dtype("<i2"),
    3: np.dtype("<i4"),
    4: np.dtype("<f2"),
}
SUPPORTED_CT2_VERSIONS = (5, 6)


class ConversionError(Exception):
    """A problem with the inputs; reported without a traceback."""


# --------------------------------------------------------------------------------------------
# CTranslate2 reader
# --------------------------------------------------------------------------------------------


class _Cursor:
    def __init__(self, buf: memoryview):
        self.buf = buf
        self.pos = 0

    def take(self, n: int) -> memoryview:
        if self.pos + n > len(self.buf):
            raise ConversionError(
                f"model.bin is truncated: wanted {n} bytes at offset {self.pos}, "
                f"file has {len(self.buf)} (are both parts concatenated in order?)"
            )
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt: str):
        size = struct.calcsize("<" + fmt)
        return struct.unpack("<" + fmt, self.take(size))[0]

    def string(self) -> str:
        n = self.unpack("H")
        raw = bytes(self.take(n))
        if n == 0 or raw[-1] != 0:
            raise ConversionError(f"malformed string near offset {self.pos}")
        return raw[:-1].decode("utf-8")


def read_ct2(path: Path) -> dict[str, np.ndarray]:
    """Reads every variable of a CTranslate2 model.bin; aliases resolve to their targets."""
    data = path.read_bytes()
    cur = _Cursor(memoryview(data))
    version = cur.unpack("I")
    if version not in SUPPORTED_CT2_VERSIONS:
        raise ConversionError(f"unsupported CTranslate2 binary version {version}")
    spec = cur.string()
    revision = cur.unpack("I")
    if spec != "WhisperSpec":
        raise ConversionError(f"expected a WhisperSpec model, found {spec!r}")
    variables: dict[str, np.ndarray] = {}
    for _ in range(cur.unpack("I")):
        name = cur.string()
        rank = cur.unpack("B")
        shape = tuple(cur.unpack("I") for _ in range(rank))
        dtype_id = cur.unpack("B")
        n_bytes = cur.unpack("I")
        raw = cur.take(n_bytes)
        dtype = CT2_DTYPES.get(dtype_id)
        if dtype is None:
            raise ConversionError(f"{name}: unsupported CTranslate2 dtype id {dtype_id}")
        count = int(np.prod(shape)) if shape else 1
        if count * dtype.itemsize != n_bytes:
            raise ConversionError(f"{name}: {n_bytes} bytes do not match shape {shape} {dtype}")
        variables[name] = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    for _ in range(cur.unpack("I")):
        alias = cur.string()
        target = cur.string()
        variables[alias] = variables[target]
    if cur.pos != len(data):
        raise ConversionError(f"{len(data) - cur.pos} trailing bytes after the aliases")
    print(
        f"  read {path.name}: CTranslate2 v{version}, {spec} rev {revision}, "
        f"{len(variables)} variables",
        flush=True,
    )
    return variables


# --------------------------------------------------------------------------------------------
# Name mapping
# --------------------------------------------------------------------------------------------


def _split_rows(weight: np.ndarray, bias: np.ndarray, parts: int, state: int):
    if weight.shape != (parts * state, state) or bias.shape != (parts * state,):
        raise ConversionError(
            f"fused projection has shape {weight.shape} / {bias.shape}, "
            f"expected ({parts * state}, {state})"
        )
    return (
        [weight[i * state : (i + 1) * state] for i in range(parts)],
        [bias[i * state : (i + 1) * state] for i in range(parts)],
    )


def _check_zero_key_bias(name: str, bias: np.ndarray) -> None:
    # Whisper's key projections have no bias; CTranslate2 pads the fused bias with zeros.
    peak = float(np.abs(bias.astype(np.float32)).max())
    if peak != 0.0:
        raise ConversionError(f"{name}: key bias is not zero (max |b| = {peak}); unexpected model")


def map_tensors(v: dict[str, np.ndarray]) -> tuple[dict, list[tuple[str, np.ndarray]]]:
    """Returns whisper hparams and the (whisper.cpp name, array) list in a stable order."""

    def get(name: str) -> np.ndarray:
        if name not in v:
            raise ConversionError(f"variable {name!r} missing from model.bin")
        return v[name]

    def count_layers(prefix: str) -> int:
        n = 0
        while f"{prefix}/layer_{n}/ffn/linear_0/weight" in v:
            n += 1
        return n

    tok = get("decoder/embeddings/weight")
    conv1 = get("encoder/conv1/weight")
    enc_pos = get("encoder/position_encodings/encodings")
    dec_pos = get("decoder/position_encodings/encodings")
    n_vocab, n_text_state = tok.shape
    n_audio_state, n_mels, _k = conv1.shape
    hp = {
        "n_vocab": int(n_vocab),
        "n_audio_ctx": int(enc_pos.shape[0]),
        "n_audio_state": int(n_audio_state),
        "n_audio_head": int(get("encoder/num_heads")),
        "n_audio_layer": count_layers("encoder"),
        "n_text_ctx": int(dec_pos.shape[0]),
        "n_text_state": int(n_text_state),
        "n_text_head": int(get("decoder/num_heads")),
        "n_text_layer": count_layers("decoder"),
        "n_mels": int(n_mels),
    }
    if "decoder/projection/weight" in v and not np.array_equal(
        v["decoder/projection/weight"], tok
    ):
        raise ConversionError("output projection is not tied to the token embedding")
    if int(v.get("decoder/scale_embeddings", np.zeros(1)).reshape(-1)[0]) != 0:
        raise ConversionError("scaled embeddings are not supported by whisper.cpp")

    out: list[tuple[str, np.ndarray]] = []

    def put(name: str, arr: np.ndarray) -> None:
        out.append((name, arr))

    def linear(dst: str, src: str, bias: bool = True) -> None:
        put(f"{dst}.weight", get(f"{src}/weight"))
        if bias:
            put(f"{dst}.bias", get(f"{src}/bias"))

    def norm(dst: str, src: str) -> None:
        put(f"{dst}.weight", get(f"{src}/gamma"))
        put(f"{dst}.bias", get(f"{src}/beta"))

    def self_attn(dst: str, src: str, state: int) -> None:
        (wq, wk, wv), (bq, bk, bv) = _split_rows(
            get(f"{src}/linear_0/weight"), get(f"{src}/linear_0/bias"), 3, state
        )
        _check_zero_key_bias(f"{src}/linear_0", bk)
        put(f"{dst}.query.weight", wq)
        put(f"{dst}.query.bias", bq)
        put(f"{dst}.key.weight", wk)
        put(f"{dst}.value.weight", wv)
        put(f"{dst}.value.bias", bv)
        linear(f"{dst}.out", f"{src}/linear_1")

    def cross_attn(dst: str, src: str, state: int) -> None:
        linear(f"{dst}.query", f"{src}/linear_0")
        (wk, wv), (bk, bv) = _split_rows(
            get(f"{src}/linear_1/weight"), get(f"{src}/linear_1/bias"), 2, state
        )
        _check_zero_key_bias(f"{src}/linear_1", bk)
        put(f"{dst}.key.weight", wk)
        put(f"{dst}.value.weight", wv)
        put(f"{dst}.value.bias", bv)
        linear(f"{dst}.out", f"{src}/linear_2")

    def mlp(dst: str, src: str) -> None:
        linear(f"{dst}.mlp.0", f"{src}/ffn/linear_0")
        linear(f"{dst}.mlp.2", f"{src}/ffn/linear_1")
        norm(f"{dst}.mlp_ln", f"{src}/ffn/layer_norm")

    # Encoder.
    put("encoder.positional_embedding", enc_pos)
    for i in (1, 2):
        put(f"encoder.conv{i}.weight", get(f"encoder/conv{i}/weight"))
        # whisper.cpp wants conv biases as [n_state, 1].
        put(f"encoder.conv{i}.bias", get(f"encoder/conv{i}/bias").reshape(-1, 1))
    for i in range(hp["n_audio_layer"]):
        dst, src = f"encoder.blocks.{i}", f"encoder/layer_{i}"
        self_attn(f"{dst}.attn", f"{src}/self_attention", hp["n_audio_state"])
        norm(f"{dst}.attn_ln", f"{src}/self_attention/layer_norm")
        mlp(dst, src)
    norm("encoder.ln_post", "encoder/layer_norm")

    # Decoder.
    put("decoder.positional_embedding", dec_pos)
    put("decoder.token_embedding.weight", tok)
    for i in range(hp["n_text_layer"]):
        dst, src = f"decoder.blocks.{i}", f"decoder/layer_{i}"
        self_attn(f"{dst}.attn", f"{src}/self_attention", hp["n_text_state"])
        norm(f"{dst}.attn_ln", f"{src}/self_attention/layer_norm")
        cross_attn(f"{dst}.cross_attn", f"{src}/attention", hp["n_text_state"])
        norm(f"{dst}.cross_attn_ln", f"{src}/attention/layer_norm")
        mlp(dst, src)
    norm("decoder.ln", "decoder/layer_norm")
    return hp, out


# --------------------------------------------------------------------------------------------
# ggml writer
# --------------------------------------------------------------------------------------------


def load_tokens(assets: Path, multilingual: bool) -> list[bytes]:
    path = assets / ("multilingual.tiktoken" if multilingual else "gpt2.tiktoken")
    if not path.is_file():
        raise ConversionError(f"tokenizer not found: {path}")
    ranked: dict[int, bytes] = {}
    for line in path.read_bytes().splitlines():
        if not line.strip():
            continue
        token_b64, rank = line.split()
        ranked[int(rank)] = base64.b64decode(token_b64)
    if sorted(ranked) != list(range(len(ranked))):
        raise ConversionError(f"{path.name}: token ranks are not contiguous from 0")
    return [ranked[i] for i in range(len(ranked))]


def load_mel_filters(assets: Path, n_mels: int) -> np.ndarray:
    path = assets / "mel_filters.npz"
    if not path.is_file():
        raise ConversionError(f"mel filters not found: {path}")
    with np.load(path) as f:
        key = f"mel_{n_mels}"
        if key not in f:
            raise ConversionError(f"{path.name} has no {key}")
        return np.ascontiguousarray(f[key], dtype="<f4")


def ggml_type_for(name: str, arr: np.ndarray) -> int:
    """0 = f32, 1 = f16, as whisper.cpp's own converter chooses them."""
    if arr.ndim < 2 or name.endswith("positional_embedding") or name in (
        "encoder.conv1.bias",
        "encoder.conv2.bias",
    ):
        return 0
    return 1


def write_ggml(
    out: Path,
    hp: dict,
    filters: np.ndarray,
    tokens: list[bytes],
    tensors: list[tuple[str, np.ndarray]],
) -> None:
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("wb") as f:
        f.write(struct.pack("<i", GGML_MAGIC))
        for key in (
            "n_vocab",
            "n_audio_ctx",
            "n_audio_state",
            "n_audio_head",
            "n_audio_layer",
            "n_text_ctx",
            "n_text_state",
            "n_text_head",
            "n_text_layer",
            "n_mels",
        ):
            f.write(struct.pack("<i", hp[key]))
        f.write(struct.pack("<i", 1))  # ftype: mostly f16
        f.write(struct.pack("<ii", *filters.shape))
        f.write(filters.tobytes(order="C"))
        f.write(struct.pack("<i", len(tokens)))
        for tok in tokens:
            f.write(struct.pack("<i", len(tok)))
            f.write(tok)
        for name, arr in tensors:
            ttype = ggml_type_for(name, arr)
            data = np.ascontiguousarray(arr, dtype="<f4" if ttype == 0 else "<f2")
            raw_name = name.encode("utf-8")
            f.write(struct.pack("<iii", data.ndim, len(raw_name), ttype))
            for dim in reversed(data.shape):
                f.write(struct.pack("<i", dim))
            f.write(raw_name)
            f.write(data.tobytes(order="C"))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ct2-dir", required=True, type=Path)
    parser.add_argument("--assets-dir", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args()
    started = time.monotonic()
    try:
        model_bin = args.ct2_dir / "model.bin"
        if not model_bin.is_file():
            raise ConversionError(f"{model_bin} not found")
        config_path = args.ct2_dir / "config.json"
        if config_path.is_file():
            config = json.loads(config_path.read_text())
            print(f"  config.json: {len(config.get('lang_ids', []))} languages", flush=True)
        variables = read_ct2(model_bin)
        hp, tensors = map_tensors(variables)
        print(f"  hparams: {hp}", flush=True)
        tokens = load_tokens(args.assets_dir, multilingual=hp["n_vocab"] >= 51865)
        filters = load_mel_filters(args.assets_dir, hp["n_mels"])
        print(
            f"  tokenizer: {len(tokens)} tokens; mel filters {filters.shape}; "
            f"{len(tensors)} tensors",
            flush=True,
        )
        args.out.parent.mkdir(parents=True, exist_ok=True)
        write_ggml(args.out, hp, filters, tokens, tensors)
    except ConversionError as err:
        print(f"ct2_to_ggml: error: {err}", file=sys.stderr)
        return 1
    size = args.out.stat().st_size
    print(
        f"  wrote {args.out} ({size} bytes) in {time.monotonic() - started:.1f} s",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
