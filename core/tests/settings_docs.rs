//! The configuration tables of README.md and docs/deploy.md are the settings table of
//! `balto_core::settings`, verbatim: each doc carries `<!-- settings:TARGET -->` … `<!-- /settings -->`
//! around the output of `balto settings --target TARGET`.

use balto_core::settings::{Target, markdown_table};
use std::path::Path;

fn block(doc: &str, target: Target) -> Option<&str> {
    let open = format!("<!-- settings:{} -->\n", target.as_str());
    let start = doc.find(&open)? + open.len();
    let end = doc[start..].find("<!-- /settings -->")? + start;
    Some(&doc[start..end])
}

#[test]
fn docs_list_the_settings_from_the_one_table() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for (file, targets) in [
        ("README.md", &[Target::LocalDev][..]),
        (
            "docs/deploy.md",
            &[Target::Worker, Target::SttLlm, Target::AdminApi][..],
        ),
    ] {
        let doc = std::fs::read_to_string(root.join(file)).expect(file);
        for &target in targets {
            let shown = block(&doc, target)
                .unwrap_or_else(|| panic!("{file} has no settings:{} block", target.as_str()));
            assert_eq!(
                shown,
                markdown_table(target),
                "{file}'s {} table differs from balto_core::settings (regenerate it with \
                 `balto settings --target {}`)",
                target.as_str(),
                target.as_str()
            );
        }
    }
}
