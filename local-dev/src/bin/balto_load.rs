//! `balto_load`: the load benchmark of issue 9. Starts a real `balto serve` process on loopback
//! (SQLite in a temp dir, no offline STT engine), then drives it with simulated counters:
//!
//! - `raw`: N counters stream speech in real time as raw PCM (Part 1, 20 ms frames) through the
//!   same client as `balto stream`; reports the server's per-frame processing p50/p99, whether
//!   every counter kept real time, server CPU and memory.
//! - `idle`: N authenticated Part 2 connections that send nothing; reports server memory per
//!   connection.
//! - `segments`: N counters each send a speech segment every few seconds (Part 2) with STT
//!   answered by a local stub (so the figure is Balto's own latency, not a provider's); reports
//!   segment → `segmento_ok` and segment → `recomendar` latency p50/p99.
//!
//! Figures go to stdout as a table and, with `--json`, as one JSON object.

use anyhow::{Context, Result, bail};
use balto_local::counter_client::{StreamMode, StreamOptions, stream_pcm};
use balto_local::timing::LatencyHistogram;
use clap::{Parser, ValueEnum};
use futures_util::{SinkExt, StreamExt};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::Message;
use vad_wasm::decode::decode_file;

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Mode {
    Raw,
    Idle,
    Segments,
}

#[derive(Debug, Parser)]
#[command(about = "Load benchmark: simulated counters against a real balto server on loopback")]
struct Args {
    #[arg(long, value_enum)]
    mode: Mode,
    /// Simulated counters (connections).
    #[arg(long, default_value_t = 100)]
    counters: usize,
    /// How long the load is held, in seconds.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Counters are started evenly over this many ms.
    #[arg(long, default_value_t = 2000)]
    ramp_ms: u64,
    /// Speech to stream (any format symphonia decodes).
    #[arg(long)]
    audio: Option<PathBuf>,
    /// The `balto` binary (default: next to this one).
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// Print one JSON object with every figure.
    #[arg(long)]
    json: bool,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    if args.counters == 0 || args.seconds == 0 {
        bail!("--counters and --seconds must be at least 1");
    }
    let audio = args.audio.clone().unwrap_or_else(default_audio);
    let pcm = decode_file(&audio)
        .with_context(|| format!("decoding {}", audio.display()))?
        .pcm;
    let bin = match &args.server_bin {
        Some(b) => b.clone(),
        None => std::env::current_exe()?
            .parent()
            .context("no parent dir")?
            .join("balto"),
    };
    let dir = tempfile::tempdir()?;
    let stub = if args.mode == Mode::Segments {
        Some(stt_stub().await?)
    } else {
        None
    };
    let server = Server::start(&bin, dir.path(), args.counters, stub.as_deref()).await?;
    let key = server.create_key(&bin).await?;
    let rss_before = rss_kib(server.pid)?;
    let cpu_before = cpu_ticks(server.pid)?;
    let started = Instant::now();
    let progress = progress_bar(args.seconds);
    let figures = match args.mode {
        Mode::Raw => raw(&args, &server, &key, &pcm, &progress).await?,
        Mode::Idle => idle(&args, &server, &key, &progress, rss_before).await?,
        Mode::Segments => segments(&args, &server, &key, &pcm, &progress).await?,
    };
    progress.finish_and_clear();
    let wall = started.elapsed().as_secs_f64();
    let cpu_s = (cpu_ticks(server.pid)? - cpu_before) as f64 / clock_ticks_per_s();
    let health = server.health().await?;
    let mut report = json!({
        "mode": format!("{:?}", args.mode).to_lowercase(),
        "counters": args.counters,
        "seconds": args.seconds,
        "server_cpu_cores": cpu_s / wall,
        "server_rss_mib": rss_kib(server.pid)? as f64 / 1024.0,
        "server_rss_before_mib": rss_before as f64 / 1024.0,
        "frame_processing_us": health["frame_processing_us"].clone(),
        "segments_stored": health["segments_stored"].clone(),
    });
    if let Value::Object(r) = &mut report {
        r.extend(figures);
    }
    if args.json {
        println!("{report}");
    } else {
        print_table(&report);
    }
    Ok(())
}

fn default_audio() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/audio/speech/pt1.wav")
}

fn progress_bar(seconds: u64) -> ProgressBar {
    let bar = ProgressBar::new(seconds);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} s")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// Ticks the bar once a second until `seconds` have passed.
async fn hold(progress: &ProgressBar, seconds: u64, what: &str) {
    progress.set_message(what.to_string());
    for s in 1..=seconds {
        tokio::time::sleep(Duration::from_secs(1)).await;
        progress.set_position(s);
    }
}

fn print_table(report: &Value) {
    let Value::Object(map) = report else { return };
    for (k, v) in map {
        println!("{k:<32} {v}");
    }
}

/// A counter that never fell more than this behind its real-time schedule kept real time.
const MAX_LAG_MS: u64 = 100;

/// Raw PCM in real time: the same client as `balto stream`, one per counter.
async fn raw(
    args: &Args,
    server: &Server,
    key: &str,
    pcm: &[i16],
    progress: &ProgressBar,
) -> Result<serde_json::Map<String, Value>> {
    // Loop the speech to cover the whole run.
    let want = args.seconds as usize * 16_000;
    let audio: Arc<Vec<i16>> = Arc::new(pcm.iter().copied().cycle().take(want).collect());
    let mut tasks = Vec::new();
    for n in 0..args.counters {
        let mut options = StreamOptions::new(server.ws_url(), key, StreamMode::Raw);
        options.realtime = true;
        options.quiet = Duration::from_millis(200);
        options.deadline = Duration::from_secs(args.seconds + 120);
        let audio = Arc::clone(&audio);
        let delay = Duration::from_millis(args.ramp_ms * n as u64 / args.counters as u64);
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let started = Instant::now();
            let outcome = stream_pcm(&audio, &options, |_| {}).await;
            (started.elapsed(), outcome)
        }));
    }
    hold(progress, args.seconds, "raw PCM in real time").await;
    let (mut kept_real_time, mut failed) = (0usize, 0usize);
    let lag = LatencyHistogram::default();
    for t in tasks {
        let (_, outcome) = t.await?;
        match outcome {
            Ok(o) if o.errors.is_empty() => {
                lag.record(Duration::from_millis(o.max_lag_ms));
                if o.max_lag_ms <= MAX_LAG_MS {
                    kept_real_time += 1;
                }
            }
            _ => failed += 1,
        }
    }
    let mut m = serde_json::Map::new();
    m.insert("counters_kept_real_time".into(), json!(kept_real_time));
    m.insert("counters_failed".into(), json!(failed));
    m.insert(
        "counter_max_lag_ms_p50".into(),
        json!(lag.quantile(0.5).as_millis() as u64),
    );
    m.insert(
        "counter_max_lag_ms_max".into(),
        json!(lag.max().as_millis() as u64),
    );
    Ok(m)
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect_authed(url: &str, key: &str) -> Result<Ws> {
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await?;
    ws.send(Message::Text(
        json!({"comando": "auth", "api_key": key})
            .to_string()
            .into(),
    ))
    .await?;
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(t))) => {
                let v: Value = serde_json::from_str(t.as_str())?;
                if v["comando"] == "auth_ok" {
                    return Ok(ws);
                }
                bail!("auth refused: {v}");
            }
            Some(Ok(_)) => continue,
            other => bail!("socket ended during auth: {other:?}"),
        }
    }
}

/// Authenticated connections that only answer pings.
async fn idle(
    args: &Args,
    server: &Server,
    key: &str,
    progress: &ProgressBar,
    rss_before: u64,
) -> Result<serde_json::Map<String, Value>> {
    let mut sockets = Vec::with_capacity(args.counters);
    let opened = Instant::now();
    for _ in 0..args.counters {
        sockets.push(connect_authed(&server.ws_url(), key).await?);
    }
    let open_s = opened.elapsed().as_secs_f64();
    // Keep reading so pings are answered, as a live client would.
    let readers: Vec<_> = sockets
        .into_iter()
        .map(|mut ws| tokio::spawn(async move { while let Some(Ok(_)) = ws.next().await {} }))
        .collect();
    hold(progress, args.seconds, "idle connections").await;
    let health = server.health().await?;
    let rss_after = rss_kib(server.pid)?;
    let per_conn_kib = (rss_after.saturating_sub(rss_before)) as f64 / args.counters as f64;
    for r in readers {
        r.abort();
    }
    let mut m = serde_json::Map::new();
    m.insert(
        "connections_open".into(),
        health["connections_open"].clone(),
    );
    m.insert("seconds_to_open_all".into(), json!(open_s));
    m.insert("server_kib_per_connection".into(), json!(per_conn_kib));
    Ok(m)
}

/// Length of each load segment.
const SEGMENT_MS: u64 = 2000;

/// Part 2 segments every few seconds per counter, with latency to ack and to `recomendar`.
async fn segments(
    args: &Args,
    server: &Server,
    key: &str,
    pcm: &[i16],
    progress: &ProgressBar,
) -> Result<serde_json::Map<String, Value>> {
    let segment: Arc<Vec<u8>> = Arc::new(
        pcm.iter()
            .take(SEGMENT_MS as usize * 16)
            .flat_map(|s| s.to_le_bytes())
            .collect(),
    );
    let ack = Arc::new(LatencyHistogram::default());
    let advice = Arc::new(LatencyHistogram::default());
    let transcript = Arc::new(LatencyHistogram::default());
    let every = Duration::from_secs(5);
    let until = Instant::now() + Duration::from_secs(args.seconds);
    let mut tasks = Vec::new();
    for n in 0..args.counters {
        let (url, key) = (server.ws_url(), key.to_string());
        let (segment, ack, advice, transcript) = (
            Arc::clone(&segment),
            Arc::clone(&ack),
            Arc::clone(&advice),
            Arc::clone(&transcript),
        );
        let delay =
            Duration::from_millis(every.as_millis() as u64 * n as u64 / args.counters as u64);
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let mut ws = connect_authed(&url, &key).await?;
            let mut seq = 0u64;
            while Instant::now() < until {
                let id = format!("c{n}-s{seq}");
                let header = json!({"comando": "segmento", "id": id, "inicio_ms": seq * 5000,
                    "duracao_ms": SEGMENT_MS, "formato": "pcm_s16le_16k"});
                let sent = Instant::now();
                ws.send(Message::Text(header.to_string().into())).await?;
                ws.send(Message::Binary(segment.to_vec().into())).await?;
                let mut acked = false;
                // A repeat of the last product is not pushed: after the transcript, wait a
                // little for `recomendar`, not forever.
                let mut wait = Duration::from_secs(30);
                while let Ok(Some(frame)) = tokio::time::timeout(wait, ws.next()).await {
                    let Message::Text(t) = frame? else { continue };
                    let v: Value = serde_json::from_str(t.as_str())?;
                    match v["comando"].as_str() {
                        Some("segmento_ok") if !acked => {
                            acked = true;
                            ack.record(sent.elapsed());
                        }
                        Some("transcricao") => {
                            transcript.record(sent.elapsed());
                            wait = Duration::from_secs(2);
                        }
                        Some("recomendar") => {
                            advice.record(sent.elapsed());
                            break;
                        }
                        Some("erro") => bail!("server error: {v}"),
                        _ => {}
                    }
                }
                seq += 1;
                tokio::time::sleep(every.saturating_sub(sent.elapsed())).await;
            }
            anyhow::Ok(seq)
        }));
    }
    hold(progress, args.seconds, "segments every 5 s").await;
    let mut sent = 0u64;
    let mut failed = 0usize;
    for t in tasks {
        match t.await? {
            Ok(n) => sent += n,
            Err(e) => {
                failed += 1;
                eprintln!("counter failed: {e:#}");
            }
        }
    }
    let ms = |h: &LatencyHistogram, q: f64| h.quantile(q).as_secs_f64() * 1000.0;
    let mut m = serde_json::Map::new();
    m.insert("segments_sent".into(), json!(sent));
    m.insert("counters_failed".into(), json!(failed));
    m.insert("ack_ms_p50".into(), json!(ms(&ack, 0.5)));
    m.insert("ack_ms_p99".into(), json!(ms(&ack, 0.99)));
    m.insert("transcricao_count".into(), json!(transcript.count()));
    m.insert(
        "segment_to_transcricao_ms_p50".into(),
        json!(ms(&transcript, 0.5)),
    );
    m.insert(
        "segment_to_transcricao_ms_p99".into(),
        json!(ms(&transcript, 0.99)),
    );
    m.insert("recomendar_count".into(), json!(advice.count()));
    m.insert(
        "segment_to_recomendar_ms_p50".into(),
        json!(ms(&advice, 0.5)),
    );
    m.insert(
        "segment_to_recomendar_ms_p99".into(),
        json!(ms(&advice, 0.99)),
    );
    m.insert(
        "note".into(),
        json!("STT answered by a local stub: Balto's own latency; add the provider's and the front end's hang-over (250 ms) for end of speech → recomendar"),
    );
    Ok(m)
}

/// A local HTTP server answering as ElevenLabs' speech-to-text endpoint does, instantly.
async fn stt_stub() -> Result<String> {
    use axum::routing::post;
    const COMPLAINTS: [&str; 4] = [
        "Bom dia, estou com dor de cabeça desde ontem.",
        "Estou com muita azia depois do almoço.",
        "Meu filho está com tosse seca há dois dias.",
        "Tenho o nariz entupido, acho que é rinite.",
    ];
    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let app = axum::Router::new().route(
        "/v1/speech-to-text",
        post(move || {
            let n = calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            async move {
                axum::Json(json!({
                    "language_code": "por",
                    "language_probability": 0.99,
                    "text": COMPLAINTS[n % COMPLAINTS.len()],
                    "words": []
                }))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(url)
}

struct Server {
    child: Child,
    pid: u32,
    addr: String,
    db: PathBuf,
}

impl Server {
    async fn start(bin: &Path, dir: &Path, counters: usize, stt: Option<&str>) -> Result<Server> {
        let db = dir.join("balto.db");
        let mut cmd = Command::new(bin);
        cmd.arg("serve")
            .env("PORT", "0")
            .env("DB_FILE", &db)
            .env("AUDIO_DUMP_DIR", dir.join("audio"))
            .env("WHISPER_MODEL", "/nonexistent/ggml.bin")
            .env("MAX_CONNECTIONS", (counters + 100).to_string())
            .env("MAX_CONNECTIONS_PER_KEY", (counters + 100).to_string())
            .env("RUST_LOG", "warn,balto=info,balto_local=info")
            .env_remove("ADMIN_SECRET")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(url) = stt {
            cmd.env("STT_PROVIDER", "elevenlabs")
                .env("ELEVENLABS_BASE_URL", url)
                .env("ELEVENLABS_API_KEY", "load-test-stub");
        }
        let mut child = cmd
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let pid = child.id().context("server exited at once")?;
        let mut lines = BufReader::new(child.stderr.take().context("no stderr")?).lines();
        let addr = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await? {
                if let Some(at) = line.find("ws://") {
                    let rest = &line[at + 5..];
                    let end = rest.find('/').unwrap_or(rest.len());
                    return Ok(rest[..end].to_string());
                }
            }
            bail!("server exited before listening")
        })
        .await
        .context("server did not start within 60 s")??;
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Server {
            child,
            pid,
            addr,
            db,
        })
    }

    fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    async fn create_key(&self, bin: &Path) -> Result<String> {
        let out = Command::new(bin)
            .args([
                "keys", "create", "--loja", "Carga", "--balcao", "B", "--json",
            ])
            .env("DB_FILE", &self.db)
            .output()
            .await?;
        if !out.status.success() {
            bail!("keys create: {}", String::from_utf8_lossy(&out.stderr));
        }
        let v: Value = serde_json::from_slice(&out.stdout)?;
        v["api_key"]
            .as_str()
            .map(str::to_string)
            .context("no api_key in keys create output")
    }

    async fn health(&self) -> Result<Value> {
        let mut stream = tokio::net::TcpStream::connect(&self.addr).await?;
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let request = format!(
            "GET /healthz HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        );
        stream.write_all(request.as_bytes()).await?;
        let mut body = String::new();
        stream.read_to_string(&mut body).await?;
        let json = body.split("\r\n\r\n").nth(1).context("no HTTP body")?;
        Ok(serde_json::from_str(json.trim())?)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// Resident memory of `pid` in KiB (Linux).
fn rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmRSS")
}

/// User + system CPU ticks of `pid` (Linux).
fn cpu_ticks(pid: u32) -> Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after_name = stat.rsplit_once(')').context("bad stat")?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let utime: u64 = fields.get(11).context("no utime")?.parse()?;
    let stime: u64 = fields.get(12).context("no stime")?.parse()?;
    Ok(utime + stime)
}

fn clock_ticks_per_s() -> f64 {
    100.0
}
