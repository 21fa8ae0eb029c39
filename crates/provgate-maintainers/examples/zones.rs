//! Looks up every file of a source tree in its MAINTAINERS file, in one process, and reports the
//! time taken. Used by `bench/zones.sh`.
//!
//! ```text
//! cargo run --release -p provgate-maintainers --example zones -- TREE [--print] [--keywords] [--maintainers=FILE]
//! ```
//!
//! `--print` writes `FILE<TAB>section;section<TAB>address, address` for every file;
//! `--keywords` also reads each file and matches the `K:` keywords (as Xen's get_maintainer.pl
//! does by default), timing the lookups only, not the reads; `--maintainers=FILE` reads another
//! MAINTAINERS file than `TREE/MAINTAINERS`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use provgate_maintainers::{LookupOptions, Maintainers, Parser};

fn list_files(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                if e.file_name() != ".git" {
                    stack.push(path);
                }
            } else if let Ok(rel) = path.strip_prefix(root) {
                out.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(tree) = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
    else {
        eprintln!("usage: zones TREE [--print] [--keywords] [--maintainers=FILE]");
        std::process::exit(2);
    };
    let maintainers = args
        .iter()
        .find_map(|a| a.strip_prefix("--maintainers="))
        .map(PathBuf::from)
        .unwrap_or_else(|| tree.join("MAINTAINERS"));
    let print = args.iter().any(|a| a == "--print");
    let keywords = args.iter().any(|a| a == "--keywords");

    let start = Instant::now();
    // Like get_maintainer.pl, read every MAINTAINERS file when the tree's .get_maintainer.conf
    // says --find-maintainer-files (U-Boot).
    let conf = std::fs::read_to_string(tree.join(".get_maintainer.conf")).unwrap_or_default();
    let parser = Parser::new().lenient(true).tree_root(&tree);
    let loaded = if conf.contains("--find-maintainer-files")
        && !args.iter().any(|a| a.starts_with("--maintainers="))
    {
        Maintainers::load_tree(&tree, &parser)
    } else {
        Maintainers::load_with(&maintainers, &parser)
    };
    let (m, warnings) = match loaded {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let parse = start.elapsed();
    let files = list_files(&tree);
    let contents: Vec<Option<Vec<u8>>> = files
        .iter()
        .map(|f| keywords.then(|| std::fs::read(tree.join(f)).unwrap_or_default()))
        .collect();

    // Warm up once, then time the best of five passes over the whole tree.
    let mut best = f64::MAX;
    let mut matched = 0usize;
    for _ in 0..6 {
        let start = Instant::now();
        matched = 0;
        for (f, c) in files.iter().zip(&contents) {
            let opts = LookupOptions {
                content: c.as_deref(),
                ..Default::default()
            };
            let l = m.lookup_with(f, &opts);
            matched += l.recipients.len();
            std::hint::black_box(&l);
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    if print {
        for (f, c) in files.iter().zip(&contents) {
            let opts = LookupOptions {
                content: c.as_deref(),
                ..Default::default()
            };
            let l = m.lookup_with(f, &opts);
            let sections: Vec<&str> = l.sections.iter().map(|s| s.name.as_str()).collect();
            let people: Vec<&str> = l.recipients.iter().map(|r| r.address).collect();
            println!("{f}\t{}\t{}", sections.join(";"), people.join(", "));
        }
    }
    eprintln!(
        "sections: {}  warnings: {}  parse+compile: {:.2} ms",
        m.sections().len(),
        warnings.len(),
        parse.as_secs_f64() * 1e3
    );
    eprintln!(
        "files: {}  recipients: {matched}  all lookups: {:.3} ms  per file: {:.2} us{}",
        files.len(),
        best * 1e3,
        best * 1e6 / files.len().max(1) as f64,
        if keywords { "  (with K: keywords)" } else { "" }
    );
    // Machine-readable last line for bench/zones.sh.
    println!(
        "ZONES files={} total_s={best:.6} per_file_s={:.9}",
        files.len(),
        best / files.len().max(1) as f64
    );
}
