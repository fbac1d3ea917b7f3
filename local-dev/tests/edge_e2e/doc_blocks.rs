//! The command blocks the documentation shows for the local serverless stack, read from the
//! Markdown itself so that what the test runs and what a reader copies cannot drift apart.
//!
//! A block is a ```` ```sh ```` fence right after a marker comment, e.g.
//! `<!-- local serverless stack, terminal 1: … -->`.

use std::path::Path;

/// The terminal that starts the stack (runs until Ctrl-C).
pub const TERMINAL_1: &str = "<!-- local serverless stack, terminal 1";
/// The terminal that issues a key and runs a counter.
pub const TERMINAL_2: &str = "<!-- local serverless stack, terminal 2";

/// The body of the fence after `marker` in `markdown`, or why there is none. Errors when the
/// marker appears more than once.
pub fn block_after(markdown: &str, marker: &str) -> Result<String, String> {
    let mut lines = markdown.lines();
    let mut found = None;
    while let Some(line) = lines.next() {
        if !line.trim_start().starts_with(marker) {
            continue;
        }
        if found.is_some() {
            return Err(format!("{marker:?} appears more than once"));
        }
        let fence = lines.by_ref().find(|l| !l.trim().is_empty());
        if fence.map(str::trim) != Some("```sh") {
            return Err(format!("{marker:?} is not followed by a ```sh block"));
        }
        let mut body = String::new();
        let mut closed = false;
        for l in lines.by_ref() {
            if l.trim() == "```" {
                closed = true;
                break;
            }
            body.push_str(l);
            body.push('\n');
        }
        if !closed {
            return Err(format!("the block after {marker:?} is not closed"));
        }
        found = Some(body);
    }
    found.ok_or_else(|| format!("no {marker:?}"))
}

/// The block after `marker` in `file` (relative to the repository).
pub fn read_block(repo: &Path, file: &str, marker: &str) -> String {
    let text = std::fs::read_to_string(repo.join(file))
        .unwrap_or_else(|e| panic!("cannot read {file}: {e}"));
    block_after(&text, marker).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn a_marked_block_is_read_exactly_and_a_broken_one_is_reported() {
    let md =
        "text\n<!-- local serverless stack, terminal 1: x -->\n\n```sh\na  # c\n\nb\n```\nmore\n";
    assert_eq!(block_after(md, TERMINAL_1).unwrap(), "a  # c\n\nb\n");
    assert!(block_after(md, TERMINAL_2).is_err());
    let twice = format!("{md}{md}");
    assert!(block_after(&twice, TERMINAL_1).is_err());
    let unclosed = "<!-- local serverless stack, terminal 1 -->\n```sh\na\n";
    assert!(block_after(unclosed, TERMINAL_1).is_err());
    let not_sh = "<!-- local serverless stack, terminal 1 -->\n```\na\n```\n";
    assert!(block_after(not_sh, TERMINAL_1).is_err());
}
