//! get_maintainer.pl's semantics on a MAINTAINERS file written for these tests
//! (`tests/data/MAINTAINERS`). Every expectation below was derived from get_maintainer.pl's code
//! and checked once by running Xen's `scripts/get_maintainer.pl --nogit --nogit-fallback --roles
//! --subsystem -f FILE` on a tree built from this fixture (see the crate's README section in
//! `src/lib.rs`). Where get_maintainer.pl orders sections of equal rank by Perl hash order
//! (random), these tests expect file order.

use provgate_maintainers::{
    Dialect, Lookup, LookupOptions, Maintainers, MaintainersError, MatchKind, Parser, Problem,
    Role, Section, WarningAction,
};

const FIXTURE: &str = include_str!("data/MAINTAINERS");

/// The fixture as Xen's script reads it: `THE REST` carries `V: xen-maintainers-1`.
fn xen_text() -> String {
    FIXTURE.replace("F:\t*/\n", "F:\t*/\nV:\txen-maintainers-1\n")
}

fn linux() -> Maintainers {
    Maintainers::parse(FIXTURE).expect("fixture parses strictly")
}

fn xen() -> Maintainers {
    Maintainers::parse(&xen_text()).expect("xen fixture parses strictly")
}

fn names<'a>(l: &'a Lookup<'_>) -> Vec<&'a str> {
    l.sections.iter().map(|s| s.name.as_str()).collect()
}

fn out<'a>(l: &'a Lookup<'_>) -> Vec<&'a str> {
    l.recipients.iter().map(|r| r.address).collect()
}

/// The section called `name`; the test fails without one.
#[track_caller]
fn section<'a>(m: &'a Maintainers, name: &str) -> &'a Section {
    match m.sections().iter().find(|s| s.name == name) {
        Some(s) => s,
        None => panic!("no section {name}"),
    }
}

/// Asserts the names of the sections covering `path`, most specific first; a failure names the
/// path and points at the caller's line.
#[track_caller]
fn expect_sections(m: &Maintainers, path: &str, want: &[&str]) {
    assert_eq!(names(&m.lookup(path)), want, "sections covering {path}");
}

/// Whom a lookup names when THE REST is the only section with maintainers covering the file:
/// THE REST's maintainers, reviewer and list.
const THE_REST: [&str; 4] = [
    "Rex Rest <rex@example.org>",
    "Rhea Rest <rhea@example.org>",
    "Rita Reviewer <rita@example.org>",
    "devel@lists.example.org",
];

/// get_maintainer.pl's `--roles` lines.
fn roles(m: &Maintainers, l: &Lookup<'_>) -> Vec<String> {
    l.recipients
        .iter()
        .map(|r| format!("{} ({})", r.address, r.role_label(m)))
        .collect()
}

#[test]
fn dialect_is_detected() {
    assert_eq!(linux().dialect(), Dialect::Linux);
    assert_eq!(xen().dialect(), Dialect::Xen);
    // A version of 0 is false in Perl: Xen's script refuses the file, so it is not Xen.
    let zero = FIXTURE.replace("F:\t*/\n", "F:\t*/\nV:\txen-maintainers-0\n");
    assert_eq!(Maintainers::parse(&zero).unwrap().dialect(), Dialect::Linux);
}

#[test]
fn sections_and_fields() {
    let m = linux();
    let names: Vec<&str> = m.sections().iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names.first(), Some(&"ARM VIRT MACHINE"));
    assert_eq!(names.last(), Some(&"THE REST"));
    assert_eq!(m.sections().len(), 15);
    let virt = &m.sections()[0];
    assert_eq!(virt.line, 17);
    assert_eq!(virt.status.as_deref(), Some("Maintained"));
    assert_eq!(virt.maintainers, vec!["Alice Arm <alice@example.org>"]);
    assert_eq!(virt.reviewers, vec!["Rita Reviewer <rita@example.org>"]);
    assert_eq!(virt.lists, vec!["arm-list@lists.example.org"]);
    assert_eq!(virt.files, vec!["hw/arm/virt.c", "hw/arm/virt-acpi*.c"]);
    let arm = &m.sections()[1];
    assert_eq!(arm.excludes, vec!["hw/arm/legacy/"]);
    let virtio = section(&m, "VIRTIO EVERYWHERE");
    assert_eq!(virtio.regexes, vec!["virtio"]);
    let frob = section(&m, "FROBNICATOR");
    assert_eq!(frob.keywords, vec![r"\bfrobnicate\b"]);
    // Blank lines do not end a section.
    let blank = section(&m, "BLANK LINES INSIDE");
    assert_eq!(blank.files, vec!["blank/"]);
    assert_eq!(blank.status.as_deref(), Some("Maintained"));
    let orphan = section(&m, "ORPHANED LEGACY CODE");
    assert!(orphan.is_unmaintained() && orphan.maintainers.is_empty());
    let obsolete = section(&m, "OBSOLETE DRIVERS");
    assert!(obsolete.is_unmaintained());
    assert_eq!(obsolete.status.as_deref(), Some("Obsolete"));
    assert!(!virt.is_unmaintained());
}

#[test]
fn specific_file_then_directory_then_catch_all() {
    let m = xen();
    let l = m.lookup("hw/arm/virt.c");
    assert_eq!(names(&l), ["ARM VIRT MACHINE", "ARM MACHINES", "THE REST"]);
    assert_eq!(
        l.matches.iter().map(|x| x.rank).collect::<Vec<_>>(),
        [3, 2, -1]
    );
    assert_eq!(
        roles(&m, &l),
        [
            "Alice Arm <alice@example.org> (maintainer:ARM VIRT MACHINE)",
            "Rita Reviewer <rita@example.org> (reviewer)",
            "Bob Board <bob@example.org> (odd fixer:ARM MACHINES)",
            "arm-list@lists.example.org (open list:ARM VIRT MACHINE)",
            "devel@lists.example.org (open list)",
        ]
    );
    assert_eq!(
        l.maintainers,
        [
            "Alice Arm <alice@example.org>",
            "Bob Board <bob@example.org>"
        ]
    );
    assert_eq!(l.reviewers, ["Rita Reviewer <rita@example.org>"]);
    assert_eq!(
        l.lists,
        ["arm-list@lists.example.org", "devel@lists.example.org"]
    );
    assert!(l.exact);
    // A glob in the file name.
    let l = m.lookup("hw/arm/virt-acpi-build.c");
    assert_eq!(names(&l), ["ARM VIRT MACHINE", "ARM MACHINES", "THE REST"]);
}

#[test]
fn trailing_slash_covers_everything_below_and_exclusions_win() {
    let m = xen();
    expect_sections(&m, "hw/arm/sbsa.c", &["ARM MACHINES", "THE REST"]);
    // X: hw/arm/legacy/ beats F: hw/arm/.
    let l = m.lookup("hw/arm/legacy/old.c");
    assert_eq!(names(&l), ["THE REST"]);
    assert_eq!(out(&l), THE_REST);
}

#[test]
fn dir_star_is_only_files_directly_in_dir() {
    let m = xen();
    expect_sections(&m, "hw/core.c", &["HW TOP LEVEL FILES ONLY", "THE REST"]);
    assert_eq!(
        roles(&m, &m.lookup("hw/core.c"))[0],
        "Carol Core <carol@example.org> (supporter:HW TOP LEVEL FILE...)"
    );
    // Near miss: `hw/*` does not reach hw/arm/virt.c.
    let l = m.lookup("hw/arm/virt.c");
    assert!(!names(&l).contains(&"HW TOP LEVEL FILES ONLY"));
}

#[test]
fn star_net_star_is_net_under_any_top_level_directory() {
    let m = xen();
    let l = m.lookup("hw/net/e1000.c");
    assert_eq!(names(&l), ["NETWORKING ANYWHERE", "THE REST"]);
    assert_eq!(l.matches[0].rank, -1);
    assert_eq!(
        roles(&m, &l),
        [
            "Dan Net <dan@example.org> (maintainer:NETWORKING ANYWHERE)",
            "Rita Reviewer <rita@example.org> (reviewer)",
            // Xen's script runs lists through parse_email, which drops the note, so it never
            // sees "moderated".
            "netdev@lists.example.org (open list:NETWORKING ANYWHERE)",
            "devel@lists.example.org (open list)",
        ]
    );
    // Equal ranks (-1 and -1): get_maintainer.pl's order is Perl's hash order; ours is file
    // order. The set is the same.
    expect_sections(
        &m,
        "drivers/net/foo.c",
        &["NETWORKING ANYWHERE", "THE REST"],
    );
    // Near miss: `*/net/*` has two slashes, so a/b/net/c.c (three) is not covered.
    expect_sections(&m, "a/b/net/c.c", &["THE REST"]);
}

#[test]
fn directory_named_without_slash() {
    // With the tree at hand (as get_maintainer.pl runs), docs/devel is a directory.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("docs/devel")).unwrap();
    std::fs::write(dir.path().join("MAINTAINERS"), xen_text()).unwrap();
    let m = Maintainers::load(&dir.path().join("MAINTAINERS")).unwrap();
    expect_sections(&m, "docs/devel/index.rst", &["DOCUMENTATION", "THE REST"]);
    assert_eq!(m.lookup("docs/devel/index.rst").matches[0].rank, 2);
    // get_maintainer.pl matches `^docs/devel/` now, so docs/devel.txt is not covered.
    expect_sections(&m, "docs/devel.txt", &["THE REST"]);

    // Without a tree the name covers the directory *and* files at its depth starting with it
    // (get_maintainer.pl's reading when docs/devel is not a directory).
    let m = xen();
    expect_sections(&m, "docs/devel/index.rst", &["DOCUMENTATION", "THE REST"]);
    expect_sections(&m, "docs/devel.txt", &["DOCUMENTATION", "THE REST"]);
    // A tree where docs/devel is not a directory: only the file-name reading remains.
    let dir = tempfile::tempdir().unwrap();
    let m = Parser::new()
        .tree_root(dir.path())
        .parse(&xen_text())
        .unwrap()
        .0;
    expect_sections(&m, "docs/devel/index.rst", &["THE REST"]);
    expect_sections(&m, "docs/devel.txt", &["DOCUMENTATION", "THE REST"]);
    // A custom directory oracle (e.g. a git tree) works the same way.
    let m = Parser::new()
        .directories(|p| p == "docs/devel")
        .parse(&xen_text())
        .unwrap()
        .0;
    expect_sections(&m, "docs/devel.txt", &["THE REST"]);
}

#[test]
fn n_regex_matches_anywhere_in_the_path() {
    let m = xen();
    let l = m.lookup("drivers/virtio/virtio_ring.c");
    assert_eq!(names(&l), ["VIRTIO EVERYWHERE", "THE REST"]);
    assert_eq!(l.matches[0].kind, MatchKind::Regex);
    assert_eq!(l.matches[0].rank, 0);
    assert_eq!(
        out(&l),
        [
            "Frank Virtio <frank@example.org>",
            "Rita Reviewer <rita@example.org>",
            "devel@lists.example.org",
        ]
    );
    assert!(!l.exact, "N: matches never count as exact");
    expect_sections(&m, "drivers/vhost/net.c", &["THE REST"]);
}

#[test]
fn keywords_only_when_content_is_given() {
    let m = xen();
    let path_only = m.lookup("src/uses_frob.c");
    assert_eq!(names(&path_only), ["THE REST"]);
    let content = b"we frobnicate here\n";
    let opts = LookupOptions {
        content: Some(content),
        ..Default::default()
    };
    let l = m.lookup_with("src/uses_frob.c", &opts);
    assert_eq!(names(&l), ["THE REST", "FROBNICATOR"]);
    assert_eq!(l.matches[1].kind, MatchKind::Keyword);
    // THE REST covers the file alone, so it keeps its maintainers; keywords come after.
    assert_eq!(
        out(&l),
        [
            "Rex Rest <rex@example.org>",
            "Rhea Rest <rhea@example.org>",
            "Rita Reviewer <rita@example.org>",
            "Grace Frob <grace@example.org>",
            "devel@lists.example.org",
        ]
    );
    // \b: "frobnicated" is no match.
    let opts = LookupOptions {
        content: Some(b"frobnicated"),
        ..Default::default()
    };
    assert_eq!(names(&m.lookup_with("src/x.c", &opts)), ["THE REST"]);
    // get_maintainer.pl never scans MAINTAINERS itself for keywords.
    let opts = LookupOptions {
        content: Some(content),
        ..Default::default()
    };
    assert_eq!(names(&m.lookup_with("MAINTAINERS", &opts)), ["THE REST"]);
    assert_eq!(
        m.keyword_sections(b"+ frobnicate(x);")
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        ["FROBNICATOR"]
    );
}

#[test]
fn a_keyword_that_does_not_compile_is_left_out_with_a_warning() {
    // Strict parsing too: a K: only adds sections by content, so the file's paths still count.
    let text = "FOO\nM: A <a@example.org>\nF: foo/\nK: [z-a]\nK: \\bfoo_bar\\b\n";
    let (m, warnings) = Parser::new().parse(text).unwrap();
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].line, 4);
    assert_eq!(warnings[0].action, WarningAction::Skipped);
    assert!(matches!(
        warnings[0].problem,
        Problem::InvalidPattern { letter: 'K', .. }
    ));
    assert_eq!(m.sections()[0].keywords, [r"\bfoo_bar\b"]);
    assert_eq!(m.keyword_sections(b"x foo_bar y").len(), 1);
    assert_eq!(m.lookup("foo/x.c").sections[0].name, "FOO");
}

#[test]
fn keywords_in_a_patch_are_read_line_by_line() {
    let m = xen();
    let diff = |lines: &[u8]| {
        let opts = LookupOptions {
            diff: Some(lines),
            ..Default::default()
        };
        let l = m.lookup_with("src/x.c", &opts);
        names(&l)
            .into_iter()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(diff(b"+ frobnicate(x);\n"), ["THE REST", "FROBNICATOR"]);
    assert_eq!(diff(b"- frobnicate(x);\n"), ["THE REST", "FROBNICATOR"]);
    // Context lines and file headers are not scanned.
    assert_eq!(diff(b"  frobnicate(x);\n+y\n"), ["THE REST"]);
    assert_eq!(diff(b"+++ frobnicate(x);\n"), ["THE REST"]);
    assert_eq!(diff(b"--- frobnicate(x);\n"), ["THE REST"]);
    // A keyword match says which K: line it was.
    let opts = LookupOptions {
        diff: Some(b"+frobnicate\n"),
        ..Default::default()
    };
    let l = m.lookup_with("MAINTAINERS", &opts);
    assert_eq!(l.matches[1].kind, MatchKind::Keyword);
    let section = l.sections[1];
    assert_eq!(
        section.keywords[l.matches[1].keyword.unwrap()],
        r"\bfrobnicate\b"
    );
}

#[test]
fn orphan_and_obsolete_sections() {
    let m = xen();
    // An orphan section has no maintainer, so THE REST keeps its maintainers.
    let l = m.lookup("legacy/x.c");
    assert_eq!(names(&l), ["ORPHANED LEGACY CODE", "THE REST"]);
    assert_eq!(out(&l), THE_REST);
    assert!(l.sections[0].is_unmaintained());
    assert!(!l.exact);
    let l = m.lookup("old/y.c");
    assert_eq!(
        roles(&m, &l)[0],
        "Oscar Old <oscar@example.org> (obsolete minder:OBSOLETE DRIVERS)"
    );
    assert_eq!(l.sections[0].status.as_deref(), Some("Obsolete"));
    assert!(!l.exact, "an obsolete section is not maintained");
}

#[test]
fn the_rest_rule_is_xen_only() {
    // Xen: THE REST's maintainers go when a more specific section has one.
    let m = xen();
    assert_eq!(
        out(&m.lookup("old/y.c")),
        [
            "Oscar Old <oscar@example.org>",
            "Rita Reviewer <rita@example.org>",
            "devel@lists.example.org"
        ]
    );
    // A file only THE REST covers keeps them.
    assert_eq!(out(&m.lookup("README")), THE_REST);
    // Linux keeps everyone.
    let m = linux();
    assert_eq!(
        out(&m.lookup("old/y.c")),
        [
            "Oscar Old <oscar@example.org>",
            "Rex Rest <rex@example.org>",
            "Rhea Rest <rhea@example.org>",
            "Rita Reviewer <rita@example.org>",
            "devel@lists.example.org"
        ]
    );
    // Linux reads the list note: moderated.
    let l = m.lookup("hw/net/e1000.c");
    assert!(
        roles(&m, &l)
            .contains(&"netdev@lists.example.org (moderated list:NETWORKING ANYWHERE)".to_string())
    );
}

#[test]
fn double_star_is_not_recursive_in_get_maintainer() {
    // `tests/**/*.py` becomes `^tests/.*.*/.*\.py` with two slashes: exactly one directory
    // level below tests/.
    let m = xen();
    expect_sections(&m, "tests/unit/a.py", &["DOUBLE STAR", "THE REST"]);
    expect_sections(&m, "tests/a.py", &["THE REST"]);
    expect_sections(&m, "tests/x/y/a.py", &["THE REST"]);
}

#[test]
fn the_last_matching_line_sets_the_rank() {
    let m = xen();
    // RANK FROM LAST LINE lists util/deep/file.c then util/: its rank is util/'s (1).
    // RANK FROM DEEPEST LAST LINE lists them the other way round: rank 3.
    let l = m.lookup("util/deep/file.c");
    assert_eq!(
        names(&l),
        [
            "RANK FROM DEEPEST LAST LINE",
            "RANK FROM LAST LINE",
            "THE REST"
        ]
    );
    assert_eq!(
        l.matches.iter().map(|x| x.rank).collect::<Vec<_>>(),
        [3, 1, -1]
    );
    let l = m.lookup("util/other.c");
    assert_eq!(
        l.matches.iter().map(|x| x.rank).collect::<Vec<_>>(),
        [1, 1, -1]
    );
}

#[test]
fn patterns_are_prefixes_and_question_mark_is_one_character() {
    let m = xen();
    let l = m.lookup("tools/frob1.c");
    assert_eq!(names(&l), ["QUIRKY PATTERNS", "THE REST"]);
    expect_sections(&m, "tools/frob12.c", &["THE REST"]);
    // No end anchor: scripts/check.sh also covers scripts/check.sh.orig.
    expect_sections(
        &m,
        "scripts/check.sh.orig",
        &["QUIRKY PATTERNS", "THE REST"],
    );
    // Names with characters outside [A-Za-z0-9_ -] are quoted, as get_maintainer.pl prints
    // them (it reads bytes, so ë counts).
    assert_eq!(
        out(&m.lookup("scripts/check.sh"))[..2],
        [
            "\"Quinn Q. Quirk\" <quinn@example.org>",
            "\"Zoë Unicode\" <zoe@example.org>"
        ]
    );
    assert_eq!(
        m.lookup("scripts/check.sh").maintainers[..2],
        [
            "\"Quinn Q. Quirk\" <quinn@example.org>",
            "Zoë Unicode <zoe@example.org>"
        ]
    );
}

#[test]
fn blank_lines_and_catch_all() {
    let m = xen();
    expect_sections(&m, "blank/z.c", &["BLANK LINES INSIDE", "THE REST"]);
    // `F: *` covers top-level files, `F: */` everything else.
    for p in ["Makefile", "README", "a/b/c/d/e.c", "MAINTAINERS"] {
        expect_sections(&m, p, &["THE REST"]);
    }
    let l = m.lookup("Makefile");
    assert!(!l.exact, "rank -1 is below the file's depth");
}

#[test]
fn pattern_depth_option() {
    let m = xen();
    let opts = LookupOptions {
        pattern_depth: 1,
        ..Default::default()
    };
    // hw/arm/virt.c has 2 slashes: F: hw/arm/virt.c (rank 3) passes 2-3 < 1, F: hw/arm/ (rank 2)
    // passes 0 < 1, THE REST (rank -1) fails 3 < 1.
    assert_eq!(
        names(&m.lookup_with("hw/arm/virt.c", &opts)),
        ["ARM VIRT MACHINE", "ARM MACHINES"]
    );
}

#[test]
fn comment_lines_differ_between_dialects() {
    let text = "\
FOO
M: Foo Person <foo@example.org>
# a comment inside the section
F: foo/
";
    let (m, _) = Parser::new().dialect(Dialect::Linux).parse(text).unwrap();
    assert_eq!(m.sections().len(), 1);
    assert_eq!(m.sections()[0].files, ["foo/"]);
    // Xen's script reads the comment as the name of a new section holding F: foo/.
    let (m, _) = Parser::new().dialect(Dialect::Xen).parse(text).unwrap();
    assert_eq!(m.sections().len(), 2);
    assert_eq!(m.sections()[1].name, "# a comment inside the section");
    assert!(m.lookup("foo/x.c").maintainers.is_empty());
}

#[test]
fn linux_removes_duplicates_by_name_or_address() {
    let text = "\
A
M: Same Name <one@example.org>
F: a/

B
M: Same Name <two@example.org>
M: Other Name <ONE@example.org>
M: Third Person <third@example.org>
F: a/b/
";
    let m = Maintainers::parse(text).unwrap();
    let l = m.lookup("a/b/c.c");
    assert_eq!(names(&l), ["B", "A"]);
    assert_eq!(
        out(&l),
        [
            "Same Name <two@example.org>",
            "Other Name <ONE@example.org>",
            "Third Person <third@example.org>"
        ]
    );
    let x = Parser::new().dialect(Dialect::Xen).parse(text).unwrap().0;
    assert_eq!(out(&x.lookup("a/b/c.c")).len(), 4);
}

#[test]
fn xen_brace_expansion() {
    let text = "\
KEXEC
M: K Person <k@example.org>
F: xen/common/{kexec,kimage}.c
F: x/{a,b,c}/
";
    let (x, _) = Parser::new().dialect(Dialect::Xen).parse(text).unwrap();
    assert!(!x.lookup("xen/common/kimage.c").is_empty());
    assert!(!x.lookup("xen/common/kexec.c").is_empty());
    assert!(x.lookup("xen/common/kexe.c").is_empty());
    assert!(!x.lookup("x/c/deep/file").is_empty());
    // Linux: `{` is a regex character, here a literal brace.
    let (l, _) = Parser::new().dialect(Dialect::Linux).parse(text).unwrap();
    assert!(l.lookup("xen/common/kimage.c").is_empty());
    assert!(!l.lookup("xen/common/{kexec,kimage}.c").is_empty());
}

#[test]
fn chief_penguin_is_dropped_by_xen_only() {
    let text = "\
THE REST
M: Linus Torvalds <torvalds@linux-foundation.org>
M: Other Person <other@example.org>
L: linux-kernel@vger.kernel.org
S: Buried alive in reporters
F: *
F: */
";
    let m = Maintainers::parse(text).unwrap();
    let l = m.lookup("Makefile");
    assert_eq!(
        out(&l),
        [
            "Linus Torvalds <torvalds@linux-foundation.org>",
            "Other Person <other@example.org>",
            "linux-kernel@vger.kernel.org"
        ]
    );
    assert_eq!(l.recipients[0].role, Role::Maintainer);
    assert_eq!(l.recipients[0].role_label(&m), "chief penguin:THE REST");
    let (x, _) = Parser::new().dialect(Dialect::Xen).parse(text).unwrap();
    assert_eq!(
        out(&x.lookup("Makefile")),
        [
            "Other Person <other@example.org>",
            "linux-kernel@vger.kernel.org"
        ]
    );
}

#[test]
fn strict_errors_carry_line_numbers() {
    let err = |text: &str| match Maintainers::parse(text) {
        Err(MaintainersError::Malformed { line, problem, .. }) => (line, problem),
        other => panic!("expected an error, got {other:?}"),
    };
    // Problems known in full.
    for (text, want_line, want) in [
        (
            "FOO\nM: A <a@example.org>\nZ: zzz\n",
            3,
            Problem::UnknownField { letter: 'Z' },
        ),
        (
            "\nF: foo/\nFOO\nM: A <a@example.org>\n",
            2,
            Problem::FieldBeforeSection { letter: 'F' },
        ),
        (
            "FOO\nM: A <a@example.org>\nF:\n",
            3,
            Problem::EmptyPattern { letter: 'F' },
        ),
    ] {
        let (line, problem) = err(text);
        assert_eq!(line, want_line, "{text:?}");
        assert_eq!(problem, want, "{text:?}");
    }
    // Patterns that do not compile: the regex engine's message is not ours to pin down.
    for (text, field) in [
        ("FOO\nM: A <a@example.org>\nF: foo/(bar\n", 'F'),
        ("FOO\nM: A <a@example.org>\nN: (unclosed\n", 'N'),
    ] {
        let (line, problem) = err(text);
        assert_eq!(line, 3, "{text:?}");
        assert!(
            matches!(problem, Problem::InvalidPattern { letter, .. } if letter == field),
            "{text:?}: {problem:?}"
        );
    }

    let (line, problem) = err("FOO\nM: A <a@example.org>\nf: foo/\nF: bar/\n");
    assert_eq!(line, 3);
    assert!(matches!(problem, Problem::FieldLikeHeader { .. }));

    let e = Maintainers::parse("FOO\nZ: z\n").unwrap_err();
    assert_eq!(e.line(), Some(2));
    assert!(
        e.to_string()
            .starts_with("MAINTAINERS line 2: unknown field `Z:`")
    );
}

#[test]
fn lenient_mode_warns_and_matches_get_maintainer() {
    let text = "\
F: before/any/section/
FOO
M: A Person <a@example.org>
Z: unknown field
F: foo/(broken
F: foo/
F:
N: (broken
X: foo/skip/ \n\
f: bar/
F: bar/
";
    let (m, warnings) = Maintainers::parse_lenient(text);
    let got: Vec<(usize, WarningAction)> = warnings.iter().map(|w| (w.line, w.action)).collect();
    assert_eq!(
        got,
        [
            (1, WarningAction::Skipped),
            (4, WarningAction::Kept),
            (5, WarningAction::Skipped),
            (7, WarningAction::Kept),
            (8, WarningAction::Skipped),
            (9, WarningAction::Kept),
            (10, WarningAction::Kept),
        ]
    );
    assert_eq!(m.sections().len(), 2);
    assert_eq!(m.sections()[0].other, [('Z', "unknown field".to_string())]);
    // The kept empty F: covers every top-level file, as in get_maintainer.pl.
    expect_sections(&m, "README", &["FOO"]);
    // The X: with trailing whitespace never matches, so foo/skip/ stays in FOO.
    expect_sections(&m, "foo/skip/x.c", &["FOO"]);
    // `f: bar/` starts a section named "f: bar/" holding F: bar/.
    expect_sections(&m, "bar/x.c", &["f: bar/"]);
    // Strict parsing stops at the first of them.
    assert_eq!(Maintainers::parse(text).unwrap_err().line(), Some(1));
    // Every warning prints its line.
    assert!(warnings[1].to_string().contains("line 4"));
}

#[test]
fn crlf_and_odd_input_never_panics() {
    for text in [
        "",
        "\n\n",
        "only text\n",
        "A\r\nM: X <x@example.org>\r\nF: a/\r\n",
        "A\nM:\nR:\nL:\nS:\n",
        "A\nF: [\n",
        "A\nF: {\n",
        "A\nF: a{2}b\n",
        "A\nN: \\\n",
        "A\nK: (?<=x)y\n",
    ] {
        let (m, _) = Maintainers::parse_lenient(text);
        let _ = m.lookup("a/b.c");
        let _ = Maintainers::parse(text);
    }
    // CRLF: Perl keeps the \r in the value, so the pattern `a/\r` never matches.
    let (m, w) = Maintainers::parse_lenient("A\r\nM: X <x@example.org>\r\nF: a/\r\n");
    assert!(m.lookup("a/b.c").is_empty());
    assert_eq!(w.len(), 1);
}

#[test]
fn mailmap_rewrites_printed_addresses() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("MAINTAINERS"), xen_text()).unwrap();
    std::fs::write(
        dir.path().join(".mailmap"),
        "Alice A. Arm <alice@new.example.org> <alice@example.org>\n\
         <devel@lists.example.org> <old-devel@lists.example.org>\n",
    )
    .unwrap();
    let m = Maintainers::load(&dir.path().join("MAINTAINERS")).unwrap();
    let l = m.lookup("hw/arm/virt.c");
    assert_eq!(out(&l)[0], "\"Alice A. Arm\" <alice@new.example.org>");
    // Sections and `maintainers` keep the file's text.
    assert_eq!(l.maintainers[0], "Alice Arm <alice@example.org>");
    assert_eq!(l.recipients[0].written, "Alice Arm <alice@example.org>");

    // Linux --remove-duplicates after mapping: two entries that map to one person print once.
    let text = "\
A
M: Old Name <old@example.org>
M: New Name <new@example.org>
F: a/
";
    let (m, _) = Parser::new()
        .mailmap(provgate_maintainers::Mailmap::parse(
            "New Name <new@example.org> <old@example.org>\n",
        ))
        .parse(text)
        .unwrap();
    assert_eq!(out(&m.lookup("a/x.c")), ["New Name <new@example.org>"]);
    assert_eq!(
        m.lookup("a/x.c").maintainers,
        ["Old Name <old@example.org>"]
    );
}

#[test]
fn several_maintainers_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("board/acme")).unwrap();
    std::fs::write(
        dir.path().join("MAINTAINERS"),
        "ARM\nM: Arm Person <arm@example.org>\nS: Maintained\nF: board/\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("board/acme/MAINTAINERS"),
        "ACME BOARD\nM: Acme Person <acme@example.org>\nS: Maintained\nF: board/acme/\n",
    )
    .unwrap();
    let (m, warnings) = Maintainers::load_tree(dir.path(), &Parser::new()).unwrap();
    assert!(warnings.is_empty());
    let l = m.lookup("board/acme/board.c");
    assert_eq!(names(&l), ["ACME BOARD", "ARM"]);
    assert_eq!(
        l.sections[0].file.as_deref(),
        Some(std::path::Path::new("board/acme/MAINTAINERS"))
    );
    assert_eq!(
        l.sections[1].file.as_deref(),
        Some(std::path::Path::new("MAINTAINERS"))
    );
    // Errors name the file.
    std::fs::write(dir.path().join("board/acme/MAINTAINERS"), "ACME\nZ: z\n").unwrap();
    let e = Maintainers::load_tree(dir.path(), &Parser::new()).unwrap_err();
    assert_eq!(e.line(), Some(2));
    assert!(
        e.to_string()
            .starts_with("board/acme/MAINTAINERS:2: unknown field"),
        "{e}"
    );
}
