//! Shell completions and man pages, generated from the command line's definition for packagers.

mod support;

use support::{provgate_at, succeeded};

/// The visible subcommands, as `provgate --help` lists them.
fn subcommands() -> Vec<String> {
    let help = succeeded(&provgate_at(std::env::temp_dir().as_path(), &["--help"]));
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        // Descriptions wrap onto lines indented further than the names.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

#[test]
fn completions_name_every_subcommand() {
    let commands = subcommands();
    assert!(commands.iter().any(|c| c == "check"));
    assert!(commands.iter().any(|c| c == "completions"));
    assert!(!commands.iter().any(|c| c == "man"), "man is hidden");
    let dir = std::env::temp_dir();
    let bash = succeeded(&provgate_at(&dir, &["completions", "bash"]));
    assert!(bash.contains("complete -F _provgate"), "{bash}");
    for command in &commands {
        assert!(
            bash.contains(command.as_str()),
            "bash completion lacks {command}"
        );
    }
    assert!(bash.contains("--format"));
    assert!(bash.contains("codequality"), "value enums are completed");
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let script = succeeded(&provgate_at(&dir, &["completions", shell]));
        assert!(script.contains("check"), "{shell}");
    }
    let bad = provgate_at(&dir, &["completions", "tcsh"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn man_writes_a_page_for_the_program_and_each_subcommand() {
    let out = tempfile::TempDir::new().unwrap();
    let dir = out.path().join("man1");
    let dir_arg = dir.to_str().unwrap();
    let run = provgate_at(out.path(), &["man", dir_arg]);
    succeeded(&run);
    let mut expected = vec!["provgate.1".to_string()];
    expected.extend(subcommands().iter().map(|c| format!("provgate-{c}.1")));
    for page in &expected {
        let text =
            std::fs::read_to_string(dir.join(page)).unwrap_or_else(|_| panic!("{page} written"));
        assert!(text.contains(".TH"), "{page} is a man page");
    }
    let main = std::fs::read_to_string(dir.join("provgate.1")).unwrap();
    assert!(main.contains("provgate\\-check(1)") || main.contains("provgate-check(1)"));
    assert!(
        dir.join("provgate-audit-verify.1").is_file(),
        "nested subcommands get pages too"
    );
    assert!(
        !dir.join("provgate-man.1").exists(),
        "the hidden command has no page"
    );
}
