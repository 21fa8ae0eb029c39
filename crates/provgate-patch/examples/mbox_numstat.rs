//! Prints what provgate reads from mbox files in the form of `git apply --numstat -z`, followed
//! by each message's trailers, so that both can be compared with git's own output.
//!
//! usage: cargo run --release --example mbox_numstat -- FILE [--trailers]

use std::io::Write;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use provgate_patch::input::{ReadOptions, read_path};
use provgate_patch::mail::MailItem;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: mbox_numstat FILE [--trailers]");
        std::process::exit(2);
    };
    let trailers = args.iter().any(|a| a == "--trailers");
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut errors = 0;
    read_path(path, ReadOptions::default(), &mut |item| match item {
        Ok(MailItem::Patch(patch)) => {
            if trailers {
                let _ = writeln!(out, "{}", patch.id);
                for t in &patch.trailers {
                    let _ = writeln!(out, "{}: {}", t.key, t.value);
                }
                return;
            }
            for f in &patch.files {
                let (a, r) = if f.binary {
                    ("-".to_string(), "-".to_string())
                } else {
                    (f.added().to_string(), f.removed().to_string())
                };
                // `git apply --numstat` names only the new path, renames included.
                let _ = write!(out, "{a}\t{r}\t{}\0", f.path());
            }
        }
        Ok(MailItem::NotAPatch { .. }) => {}
        Err(e) => {
            errors += 1;
            eprintln!("error: {e}");
        }
    });
    drop(out);
    if errors > 0 {
        std::process::exit(2);
    }
}
