//! Embeds the Silero VAD v6.2 16 kHz weights: reads Balto's f32 weights file (made by
//! `scripts/silero-model.sh` from the PyPI wheel), checks its sha256, and writes the learned
//! tensors as f16 to `$OUT_DIR/silero_v62_16k.f16` for `include_bytes!`.
//!
//! Path: `BALTO_SILERO_WEIGHTS`, else `$BALTO_CACHE_DIR/models/silero-vad-v6.2-16k.bin`, else
//! `$HOME/.cache/balto/models/silero-vad-v6.2-16k.bin`. The path is also passed to the crate's
//! tests (`BALTO_SILERO_WEIGHTS_F32`) so they can check the f32 forward pass.

use std::path::PathBuf;

use sha2::{Digest, Sha256};

/// sha256 of the file `scripts/silero_extract.py` writes (also in `scripts/silero-model.sh`).
const WEIGHTS_SHA256: &str = "74763719b499be4ceabeee2dabad74e3e4ab6770e28b4d4c17055d701a0017fa";
const MAGIC: &[u8; 8] = b"BSVAD62\0";
/// Tensors in the file; the first (the STFT basis, a fixed windowed DFT) is computed in code.
const TENSORS: usize = 15;

fn weights_path() -> PathBuf {
    if let Some(p) = std::env::var_os("BALTO_SILERO_WEIGHTS") {
        return PathBuf::from(p);
    }
    let cache = std::env::var_os("BALTO_CACHE_DIR").map_or_else(
        || PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/balto"),
        PathBuf::from,
    );
    cache.join("models/silero-vad-v6.2-16k.bin")
}

fn fail(msg: String) -> ! {
    panic!(
        "\n\nvad-wasm: {msg}\nThe Silero VAD weights are made by `scripts/silero-model.sh` \
         (PyPI silero-vad==6.2.3, checksummed); run it (or scripts/setup.sh) first, or point \
         BALTO_SILERO_WEIGHTS at the file.\n"
    )
}

fn main() {
    println!("cargo:rerun-if-env-changed=BALTO_SILERO_WEIGHTS");
    println!("cargo:rerun-if-env-changed=BALTO_CACHE_DIR");
    println!("cargo:rerun-if-env-changed=HOME");
    let path = weights_path();
    println!("cargo:rerun-if-changed={}", path.display());
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|e| fail(format!("cannot read {}: {e}", path.display())));
    let digest: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if digest != WEIGHTS_SHA256 {
        fail(format!(
            "{} has sha256 {digest}, expected {WEIGHTS_SHA256}",
            path.display()
        ));
    }
    if &bytes[..8] != MAGIC {
        fail(format!(
            "{} is not a Balto Silero weights file",
            path.display()
        ));
    }
    let read_u32 =
        |at: usize| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    if read_u32(8) as usize != TENSORS {
        fail(format!("{}: unexpected tensor count", path.display()));
    }
    let mut out = Vec::new();
    let mut at = 12;
    for tensor in 0..TENSORS {
        let n = read_u32(at) as usize;
        at += 4;
        let data = &bytes[at..at + 4 * n];
        at += 4 * n;
        if tensor == 0 {
            continue; // STFT basis: computed at run time
        }
        for v in data.chunks_exact(4) {
            let f = f32::from_le_bytes([v[0], v[1], v[2], v[3]]);
            out.extend_from_slice(&half::f16::from_f32(f).to_le_bytes());
        }
    }
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out_dir.join("silero_v62_16k.f16"), out)
        .unwrap_or_else(|e| fail(format!("writing OUT_DIR: {e}")));
    println!(
        "cargo:rustc-env=BALTO_SILERO_WEIGHTS_F32={}",
        path.display()
    );
}
