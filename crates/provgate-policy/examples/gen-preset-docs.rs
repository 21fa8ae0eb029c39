//! Writes `docs/presets/NAME.md` for every preset (and the index) from the presets' own files.
//!
//! Run from anywhere in the workspace: `cargo run -p provgate-policy --example gen-preset-docs`.
//! The test `preset_docs_are_up_to_date` fails when the committed pages differ from what this
//! writes.

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/presets");
    std::fs::create_dir_all(&dir)?;
    // Pages of presets that no longer exist are removed, so the folder is exactly the presets.
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "md") {
            std::fs::remove_file(path)?;
        }
    }
    let pages = provgate_policy::render::preset_pages();
    for (name, text) in &pages {
        std::fs::write(dir.join(name), text)?;
    }
    println!("wrote {} pages to {}", pages.len(), dir.display());
    Ok(())
}
