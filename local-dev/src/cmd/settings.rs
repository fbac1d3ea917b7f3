//! `balto settings`: the settings a target reads, as the Markdown table the docs carry.

use anyhow::{Result, bail};
use balto_core::settings::{Target, markdown_table};
use std::io::Write;

pub fn print(target: &str) -> Result<()> {
    let Some(target) = Target::ALL.into_iter().find(|t| t.as_str() == target) else {
        let names: Vec<&str> = Target::ALL.iter().map(|t| t.as_str()).collect();
        bail!("unknown target {target:?}: one of {}", names.join(", "));
    };
    std::io::stdout().write_all(markdown_table(target).as_bytes())?;
    Ok(())
}
