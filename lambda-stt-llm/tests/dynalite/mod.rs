//! Starts a DynamoDB-compatible server (npm `dynalite`, installed by `scripts/dynamo-local.sh`)
//! on a free loopback port for one test, and builds stores on fresh tables in it.

#![allow(dead_code)]

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use lambda_stt_llm::dynamo::DynamoStore;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A running server; killed when dropped.
pub struct Dynalite {
    child: Child,
    pub endpoint: String,
}

impl Drop for Dynalite {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// Where `scripts/dynamo-local.sh install` puts the server (or `$BALTO_DYNALITE`).
pub fn entry_point() -> PathBuf {
    if let Ok(p) = std::env::var("BALTO_DYNALITE") {
        return PathBuf::from(p);
    }
    let cache = std::env::var("BALTO_CACHE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| "/root".into()))
                .join(".cache/balto")
        });
    cache.join("dynalite/node_modules/dynalite/cli.js")
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    l.local_addr().unwrap().port()
}

/// Starts dynalite in memory on a free 127.0.0.1 port and waits until it listens.
pub async fn start() -> Dynalite {
    let entry = entry_point();
    assert!(
        entry.is_file(),
        "dynalite is not installed ({} is missing): run scripts/dynamo-local.sh install",
        entry.display()
    );
    for _ in 0..5 {
        let port = free_port();
        let mut child = Command::new("node")
            .arg(&entry)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("node must be installed to run dynalite (apt-get install nodejs)");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(Duration::from_secs(30), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if line.contains("listening") {
                    return true;
                }
            }
            false
        })
        .await
        .unwrap_or(false);
        if ready {
            // Keep draining stdout so the server never blocks on a full pipe.
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return Dynalite {
                child,
                endpoint: format!("http://127.0.0.1:{port}"),
            };
        }
        let _ = child.kill().await;
    }
    panic!("dynalite did not start (5 tries)");
}

/// An SDK client for a local endpoint with dummy credentials.
pub fn client(endpoint: &str) -> Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .endpoint_url(endpoint)
        .build();
    Client::from_conf(config)
}

/// A store on a fresh table of its own.
pub async fn fresh_store(server: &Dynalite) -> DynamoStore {
    static N: AtomicU32 = AtomicU32::new(0);
    let table = format!(
        "balto-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let store = DynamoStore::new(client(&server.endpoint), table);
    let report = store.ensure_table().await.expect("create the table");
    assert!(report.created, "a fresh table is created");
    store
}
