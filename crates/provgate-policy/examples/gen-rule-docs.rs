//! Writes `docs/rules/NAME.md` for every rule (and the index) from the rules' own documentation.
//!
//! Run from anywhere in the workspace: `cargo run -p provgate-policy --example gen-rule-docs`.
//! The test `rule_docs_are_up_to_date` fails when the committed pages differ from what this writes.

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules");
    std::fs::create_dir_all(&dir)?;
    // Pages of rules that no longer exist are removed, so the folder is exactly the registry.
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "md") {
            std::fs::remove_file(path)?;
        }
    }
    let pages = provgate_policy::render::rule_pages();
    for (name, text) in &pages {
        std::fs::write(dir.join(name), text)?;
    }
    println!("wrote {} pages to {}", pages.len(), dir.display());
    Ok(())
}
