//! Prints the tree-sitter syntax tree of a file, with field names and lines:
//! `cargo run -p provgate-analysis --example dump -- c|rust|python FILE`.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(lang), Some(file)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: dump c|rust|python FILE");
        std::process::exit(2);
    };
    let lang: tree_sitter::Language = match lang.as_str() {
        "c" => tree_sitter_c::LANGUAGE.into(),
        "rust" => tree_sitter_rust::LANGUAGE.into(),
        _ => tree_sitter_python::LANGUAGE.into(),
    };
    let src = std::fs::read(file).expect("readable file");
    let mut p = tree_sitter::Parser::new();
    p.set_language(&lang).expect("grammar loads");
    let t = p.parse(&src, None).expect("parses");
    print(t.root_node(), &src, 0, "");
}

fn print(n: tree_sitter::Node, src: &[u8], depth: usize, field: &str) {
    let leaf = if n.child_count() == 0 {
        String::from_utf8_lossy(&src[n.byte_range()]).to_string()
    } else {
        String::new()
    };
    let field = if field.is_empty() {
        String::new()
    } else {
        format!("{field}: ")
    };
    println!(
        "{}{field}{}{} [{}] {leaf}",
        "  ".repeat(depth),
        n.kind(),
        if n.is_named() { "" } else { " (anon)" },
        n.start_position().row + 1
    );
    let mut c = n.walk();
    for (i, ch) in n.children(&mut c).enumerate() {
        print(
            ch,
            src,
            depth + 1,
            n.field_name_for_child(i as u32).unwrap_or(""),
        );
    }
}
