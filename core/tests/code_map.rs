//! Invariants of the code map (ARCHITECTURE.md) that a test can check: every source module says
//! what it is in a `//!` line, and every `erro` code is documented in docs/protocol.md.

use balto_core::protocol::ErrorCode;
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_source_module_starts_with_a_doc_line() {
    let mut files = Vec::new();
    for member in [
        "core",
        "vad-wasm",
        "edge-worker",
        "lambda-stt-llm",
        "lambda-stt-llm/advisor",
        "lambda-stt-llm/providers",
        "lambda-stt-llm/admin-api",
        "admin-leptos",
        "local-dev",
    ] {
        rust_files(&workspace().join(member).join("src"), &mut files);
    }
    assert!(files.len() > 20, "found only {} files", files.len());
    let missing: Vec<_> = files
        .iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            !text.trim_start().starts_with("//!")
        })
        .collect();
    assert!(
        missing.is_empty(),
        "modules without a //! line: {missing:?}"
    );
}

#[test]
fn every_error_code_is_documented() {
    let doc = std::fs::read_to_string(workspace().join("docs/protocol.md")).unwrap();
    for code in ErrorCode::ALL {
        assert!(
            doc.contains(&format!("| `{}` |", code.as_str())),
            "docs/protocol.md does not document {}",
            code.as_str()
        );
    }
}
