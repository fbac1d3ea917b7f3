//! `edge-key`: issues a counter key for the Worker's `KEYS` KV namespace.
//!
//! `edge-key <loja> <balcao>` reads the pepper from `KEY_PEPPER` (hex; unset: a v1 hash) and
//! prints three lines: the KV entry name, its JSON value, and the full key to give the counter
//! (shown once, never stored).

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    use balto_core::keys::RANDOM_BYTES_NEEDED;
    use edge_worker::key_record::{KeyRecord, kv_name, parse_pepper};
    use std::io::Write;

    let args: Vec<String> = std::env::args().skip(1).collect();
    let [store, counter] = args.as_slice() else {
        eprintln!("usage: edge-key <loja> <balcao>   (KEY_PEPPER=<hex> in the environment)");
        return std::process::ExitCode::from(2);
    };
    let pepper = match std::env::var("KEY_PEPPER") {
        Ok(hex) if !hex.trim().is_empty() => match parse_pepper(&hex) {
            Ok(p) => Some(p),
            Err(e) => {
                eprintln!("edge-key: {e}");
                return std::process::ExitCode::from(2);
            }
        },
        _ => None,
    };
    let mut random = [0u8; RANDOM_BYTES_NEEDED];
    if let Err(e) = getrandom::fill(&mut random) {
        eprintln!("edge-key: no OS randomness: {e}");
        return std::process::ExitCode::FAILURE;
    }
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    let (full_key, record) = KeyRecord::issue(&random, pepper.as_ref(), store, counter, now_ms);
    let mut stdout = std::io::stdout();
    let written = writeln!(
        stdout,
        "{}\n{}\n{full_key}",
        kv_name(&record.key_id),
        record.to_json()
    );
    if written.is_err() {
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}

#[cfg(target_arch = "wasm32")]
fn main() {}
