//! The deployment files in `deploy/` agree with the code: the systemd unit passes
//! `systemd-analyze verify` and, started the way it starts it (its `ExecStart`, its example
//! environment file, its working directory), `balto serve` comes up with every setting taken
//! from the file and writes only where the unit allows; the Dockerfile (Docker cannot run on
//! these machines) copies what exists, builds the binary and features that exist, and sets only
//! settings `balto serve` reads.

use balto_core::settings::Target;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("local-dev sits in the workspace")
        .to_owned()
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(repo().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// `(section, key) → values` of a systemd unit (keys may repeat).
fn unit_entries(text: &str) -> BTreeMap<(String, String), Vec<String>> {
    let mut section = String::new();
    let mut out: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.to_owned();
            continue;
        }
        let (k, v) = line.split_once('=').expect("key=value");
        out.entry((section.clone(), k.trim().to_owned()))
            .or_default()
            .push(v.trim().to_owned());
    }
    out
}

fn one<'a>(unit: &'a BTreeMap<(String, String), Vec<String>>, section: &str, key: &str) -> &'a str {
    let values = unit
        .get(&(section.to_owned(), key.to_owned()))
        .unwrap_or_else(|| panic!("[{section}] {key} missing"));
    assert_eq!(values.len(), 1, "[{section}] {key} given more than once");
    &values[0]
}

/// `KEY=VALUE` lines of an environment file (comments and blanks skipped).
fn env_file(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (k, v) = l.split_once('=').expect("KEY=VALUE");
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

/// `"1.95"` or `"1.95.0"` → `(1, 95)`.
fn major_minor(v: &str) -> (u32, u32) {
    let mut it = v
        .split('.')
        .map(|p| p.parse::<u32>().expect("numeric version"));
    (it.next().unwrap(), it.next().unwrap_or(0))
}

fn systemd_analyze() -> Option<PathBuf> {
    let found = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "systemd-analyze is part of the CI machine (Debian's systemd); it is missing"
        );
        eprintln!("systemd-analyze not installed: unit verification skipped");
    }
    found
}

/// Complaints of `systemd-analyze verify` about the unit at `path` (lines naming the file).
fn verify_complaints(analyze: &Path, path: &Path) -> Vec<String> {
    let out = Command::new(analyze)
        .arg("verify")
        .arg(path)
        .output()
        .expect("systemd-analyze runs");
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .chain(String::from_utf8_lossy(&out.stdout).lines())
        .filter(|l| l.contains(&name))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_systemd_unit_passes_systemd_analyze_verify() {
    let Some(analyze) = systemd_analyze() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // `verify` checks that ExecStart names an executable: point it at the binary under test.
    let unit = read("deploy/systemd/balto.service")
        .replace("/usr/local/bin/balto", env!("CARGO_BIN_EXE_balto"));
    let path = dir.path().join("balto.service");
    std::fs::write(&path, &unit).unwrap();
    let complaints = verify_complaints(&analyze, &path);
    assert!(complaints.is_empty(), "{complaints:#?}");

    // The same check rejects a unit with a bad value, so an empty list above means something.
    let broken = dir.path().join("broken.service");
    std::fs::write(
        &broken,
        unit.replace("ProtectSystem=strict", "ProtectSystem=sometimes"),
    )
    .unwrap();
    assert!(!verify_complaints(&analyze, &broken).is_empty());
}

/// Maps the unit's absolute paths into `root` (a fake file system root for the test).
fn rebase(value: &str, root: &Path) -> String {
    match value.strip_prefix('/') {
        Some(rel) if !rel.is_empty() => root.join(rel).display().to_string(),
        _ => value.to_owned(),
    }
}

#[test]
fn the_unit_starts_balto_serve_from_its_environment_file() {
    let unit = unit_entries(&read("deploy/systemd/balto.service"));
    let env = env_file(&read("deploy/systemd/balto.env.example"));
    let names: Vec<&str> = env.iter().map(|(k, _)| k.as_str()).collect();
    for required in ["HOST", "PORT", "DB_FILE", "AUDIO_DUMP_DIR", "ADMIN_SECRET"] {
        assert!(names.contains(&required), "{required} not in balto.env");
    }
    let value = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(value("ADMIN_SECRET"), Some(""), "no secret is shipped");
    assert_eq!(value("HOST"), Some("127.0.0.1"), "TLS terminates in front");

    // Everything balto writes must be inside the unit's ReadWritePaths (ProtectSystem=strict).
    assert_eq!(one(&unit, "Service", "ProtectSystem"), "strict");
    let writable: Vec<&str> = one(&unit, "Service", "ReadWritePaths")
        .split_whitespace()
        .collect();
    for key in ["DB_FILE", "AUDIO_DUMP_DIR"] {
        let path = value(key).unwrap();
        assert!(
            writable.iter().any(|w| Path::new(path).starts_with(w)),
            "{key}={path} is outside ReadWritePaths {writable:?}"
        );
    }
    let user = one(&unit, "Service", "User");
    assert_ne!(user, "root");
    assert_eq!(
        one(&unit, "Service", "EnvironmentFile"),
        "/etc/balto/balto.env"
    );

    // Start it as the unit does, inside a temporary root.
    let root = tempfile::tempdir().unwrap();
    let exec: Vec<&str> = one(&unit, "Service", "ExecStart").split(' ').collect();
    assert_eq!(exec[0], "/usr/local/bin/balto");
    let workdir = rebase(one(&unit, "Service", "WorkingDirectory"), root.path());
    std::fs::create_dir_all(&workdir).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_balto"));
    cmd.args(&exec[1..])
        .env_clear()
        .env("RUST_LOG", "info")
        .current_dir(&workdir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut effective = BTreeMap::new();
    for (k, v) in &env {
        let v = match k.as_str() {
            "PORT" => "0".to_owned(), // parallel tests; 8765 is the file's value
            _ => rebase(v, root.path()),
        };
        effective.insert(k.clone(), v.clone());
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    // Keep reading stderr to the end: a closed pipe would fail balto's later log writes.
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut log = String::new();
    let mut addr = None;
    let deadline = Instant::now() + Duration::from_secs(30);
    while let Ok(line) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        log.push_str(&line);
        log.push('\n');
        if let Some(rest) = line.split("ws://").nth(1) {
            addr = rest.split('/').next().map(str::to_owned);
            break;
        }
    }
    let health = addr.as_deref().map(|a| {
        let mut s = TcpStream::connect(a).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(
            s,
            "GET /healthz HTTP/1.1\r\nHost: {a}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut body = String::new();
        s.read_to_string(&mut body).unwrap();
        body
    });
    child.kill().unwrap();
    child.wait().unwrap();
    let addr = addr.unwrap_or_else(|| panic!("balto did not start:\n{log}"));
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    let health = health.unwrap();
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains("\"status\":\"ok\""), "{health}");

    // Every setting of the file is one balto reads (it logs each effective choice).
    for (k, v) in &effective {
        assert!(
            log.contains(&format!("config {k} = ")),
            "{k} not read:\n{log}"
        );
        if ["DB_FILE", "AUDIO_DUMP_DIR", "WEB_DIR"].contains(&k.as_str()) {
            assert!(log.contains(&format!("config {k} = {v}")), "{k}:\n{log}");
        }
    }
    // The empty ADMIN_SECRET made balto generate one beside the database, private to its user.
    let db = PathBuf::from(&effective["DB_FILE"]);
    let secret = db.with_file_name("admin-secret");
    assert!(secret.is_file(), "no generated admin secret:\n{log}");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&secret).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(db.is_file());
}

/// Instructions of a Dockerfile, continuation lines joined: `(INSTRUCTION, arguments)`.
fn dockerfile(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if current.is_empty() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(part) => {
                current.push_str(part);
                current.push(' ');
            }
            None => {
                current.push_str(trimmed);
                let (op, args) = current.split_once(' ').unwrap_or((&current, ""));
                out.push((op.to_uppercase(), args.trim().to_owned()));
                current.clear();
            }
        }
    }
    out
}

#[test]
fn the_dockerfile_builds_and_configures_what_the_repository_has() {
    let steps = dockerfile(&read("deploy/Dockerfile"));
    let args = |op: &str| -> Vec<&str> {
        steps
            .iter()
            .filter(|(o, _)| o == op)
            .map(|(_, a)| a.as_str())
            .collect()
    };
    let run = args("RUN").join(" && ");

    // The binary and feature it builds exist in local-dev/Cargo.toml; the scripts it runs exist.
    let manifest = read("local-dev/Cargo.toml");
    assert!(
        run.contains("-p local-dev --features whisper --bin balto"),
        "{run}"
    );
    assert!(manifest.contains("name = \"balto\"") && manifest.contains("\nwhisper = ["));
    // vad-wasm's build script embeds the Silero weights: they are made before the build.
    let silero = run.find("scripts/silero-model.sh");
    let build = run.find("cargo build");
    assert!(
        silero.is_some() && silero < build,
        "the Dockerfile must run scripts/silero-model.sh before cargo build: {run}"
    );
    for script in run.split_whitespace().filter(|w| w.starts_with("scripts/")) {
        let path = repo().join(script);
        assert!(path.is_file(), "{script} does not exist");
    }
    // wasm-bindgen-cli at the version the web builds demand.
    let lock = read("Cargo.lock");
    let pinned = lock
        .split("name = \"wasm-bindgen\"\nversion = \"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("wasm-bindgen in Cargo.lock");
    assert!(
        run.contains(&format!("wasm-bindgen-cli --version {pinned}")),
        "Dockerfile installs another wasm-bindgen than {pinned}"
    );
    // The Rust image is at least the toolchain the workspace declares.
    let rust_version = read("Cargo.toml")
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = \""))
        .and_then(|v| v.split('"').next())
        .map(major_minor)
        .expect("rust-version");
    let image = args("FROM")[0];
    let image_version = image
        .strip_prefix("rust:")
        .and_then(|t| t.split('-').next())
        .map(major_minor)
        .unwrap_or_else(|| panic!("build image {image} is not rust:X.Y-…"));
    assert!(
        image_version >= rust_version,
        "{image} older than {rust_version:?}"
    );

    // Every copy from the build stage names something a RUN step makes.
    let producers = [
        ("/src/target/release/balto", "cargo build --release"),
        ("/out/web", "scripts/build-admin-web.sh /out/web/admin"),
        ("/out/web", "scripts/build-counter-web.sh /out/web/counter"),
        (
            "/out/cache/models/ggml-base.bin",
            "BALTO_CACHE_DIR=/out/cache scripts/whisper-model.sh",
        ),
    ];
    let model_script = read("scripts/whisper-model.sh");
    assert!(
        model_script.contains("MODEL_DIR=\"$CACHE_DIR/models\"")
            && model_script.contains("MODEL=\"$MODEL_DIR/ggml-base.bin\""),
        "whisper-model.sh no longer writes $BALTO_CACHE_DIR/models/ggml-base.bin"
    );
    for copy in args("COPY")
        .iter()
        .filter(|c| c.starts_with("--from=build"))
    {
        let src = copy.split_whitespace().nth(1).unwrap();
        let makers: Vec<_> = producers.iter().filter(|(p, _)| *p == src).collect();
        assert!(
            !makers.is_empty(),
            "COPY {src}: no known build step makes it"
        );
        for (_, command) in makers {
            assert!(run.contains(command), "COPY {src} needs `{command}`");
        }
    }

    // Only settings balto reads, with a writable volume for its data, as a non-root user.
    let env_line = args("ENV").join(" ");
    let mut env = BTreeMap::new();
    for pair in env_line.split_whitespace() {
        let (k, v) = pair.split_once('=').expect("ENV K=V");
        // The one settings table (core/src/settings.rs) says which settings balto serve reads.
        assert!(
            balto_core::settings::find(k).is_some_and(|s| s.read_by(Target::LocalDev)),
            "{k} is not a balto setting"
        );
        env.insert(k.to_owned(), v.to_owned());
    }
    let volume = args("VOLUME");
    assert_eq!(volume, ["/var/lib/balto"]);
    for key in ["DB_FILE", "AUDIO_DUMP_DIR"] {
        assert!(
            env[key].starts_with("/var/lib/balto/"),
            "{key} outside the volume"
        );
    }
    assert_eq!(args("EXPOSE"), [env["PORT"].as_str()]);
    assert_eq!(
        env["HOST"], "0.0.0.0",
        "a container must listen beyond loopback"
    );
    assert!(!env.contains_key("ADMIN_SECRET"), "no secret in the image");
    assert_eq!(args("USER"), ["balto"]);
    assert_eq!(args("CMD"), ["[\"balto\", \"serve\"]"]);
    let web = &env["WEB_DIR"];
    assert!(
        args("COPY").iter().any(|c| c.ends_with(&format!(" {web}"))),
        "WEB_DIR {web} is not filled"
    );
    let model = &env["WHISPER_MODEL"];
    assert!(
        args("COPY")
            .iter()
            .any(|c| c.ends_with(&format!(" {model}"))),
        "WHISPER_MODEL {model} is not filled"
    );
}
