//! `balto keys create|list|revoke`: counter keys, stored only as salted hashes.

use anyhow::Result;
use balto_core::storage::Storage;
use balto_local::clock::unix_ms;
use balto_local::config::Config;
use balto_local::counter_keys;
use balto_local::sqlite_store::SqliteStore;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Create a key for a store's counter; the key is printed once and never again.
    Create {
        #[arg(long)]
        loja: String,
        #[arg(long)]
        balcao: String,
        /// Print {"api_key", "loja", "balcao"} as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List keys (ids, store, counter, state); never the secrets.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Revoke a key by its id (the 12 hex characters after `balto_`).
    Revoke { id: String },
}

pub async fn run(config: Config, command: KeysCommand) -> Result<()> {
    let store = SqliteStore::open(&config.db_file)?;
    match command {
        KeysCommand::Create { loja, balcao, json } => {
            let pepper = super::serve::key_pepper(&config)?;
            let key = counter_keys::issue(&store, Some(&pepper), &loja, &balcao, unix_ms()).await?;
            if json {
                println!(
                    "{}",
                    serde_json::json!({"api_key": key.api_key, "loja": key.loja, "balcao": key.balcao})
                );
            } else {
                println!(
                    "Chave criada para {} / {} (id {}):",
                    key.loja, key.balcao, key.key_id
                );
                println!("{}", key.api_key);
                println!("Guarde-a agora: ela não será mostrada novamente.");
            }
        }
        KeysCommand::List { json } => {
            let keys = store.list_keys().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&keys)?);
            } else {
                println!("{:<14} {:<24} {:<24} estado", "id", "loja", "balcao");
                for k in keys {
                    let state = if k.is_active() { "ativa" } else { "revogada" };
                    println!("{:<14} {:<24} {:<24} {state}", k.key_id, k.store, k.counter);
                }
            }
        }
        KeysCommand::Revoke { id } => {
            if store.revoke_key(id.trim(), unix_ms()).await? {
                println!("Chave {} revogada.", id.trim());
            } else {
                anyhow::bail!("no key with id {}", id.trim());
            }
        }
    }
    Ok(())
}
