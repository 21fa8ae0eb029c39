//! Measures tree-sitter parsing alone against parsing plus symbol extraction, over the C files
//! of a directory: `cargo run --release --example parse_speed -- DIR`.
use std::time::Instant;

use provgate_analysis::LanguageSupport;

fn main() {
    let dir = std::env::args().nth(1).expect("DIR");
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(dir)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "c" || x == "h") {
                files.push(std::fs::read(&p).unwrap());
            }
        }
    }
    let bytes: usize = files.iter().map(Vec::len).sum();
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_c::LANGUAGE.into())
        .unwrap();
    let t = Instant::now();
    let trees: Vec<_> = files
        .iter()
        .map(|f| parser.parse(f, None).unwrap())
        .collect();
    let parse = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut names = 0;
    for (tree, src) in trees.iter().zip(&files) {
        names += provgate_analysis::lang::c::C.symbols(tree, src).defs.len();
    }
    let extract = t.elapsed().as_secs_f64();
    println!(
        "{} files, {:.1} MB: parse {parse:.2} s ({:.1} MB/s), extract {extract:.2} s, {names} defs",
        files.len(),
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / parse
    );
}
