//! Prints a preset's rendered policy document: `cargo run -p provgate-policy --example
//! render-policy -- qemu [md|rst]`. The command line's `provgate policy render` does the same.

fn main() {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "qemu".to_string());
    let format = match args.next().as_deref() {
        Some("rst") => provgate_policy::Format::Rst,
        _ => provgate_policy::Format::Markdown,
    };
    match provgate_policy::Policy::preset(&name) {
        Ok(p) => print!("{}", provgate_policy::render(&p, format)),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    }
}
