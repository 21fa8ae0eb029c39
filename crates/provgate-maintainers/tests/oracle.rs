//! Agreement with a real get_maintainer.pl on a real tree, file by file.
//!
//! Runs only when `PROVGATE_MAINTAINERS_ORACLE` names a source tree holding `MAINTAINERS` and
//! `scripts/get_maintainer.pl` (e.g. an export of xen-project/xen). For every file of the tree it
//! runs `perl scripts/get_maintainer.pl --nogit --nogit-fallback --roles --subsystem -f FILE`
//! twice — with the script's default keyword scan (compared with a lookup given the file's
//! content) and with `--nokeywords` (compared with the plain path lookup) — and compares:
//!
//! * the printed addresses and their roles, as sets (get_maintainer.pl orders sections of equal
//!   rank by Perl's randomised hash order, so order is checked separately),
//! * the section names (`--subsystem`), as sets,
//! * that get_maintainer.pl's section order is one our ranks allow (equal ranks in any order).
//!
//! get_maintainer.pl takes ~40 ms a file; the tree is run on two threads. Set
//! `PROVGATE_MAINTAINERS_ORACLE_CACHE=DIR` to keep its answers between runs, and
//! `PROVGATE_MAINTAINERS_ORACLE_LIMIT=N` to compare only every N-th file, and
//! `PROVGATE_MAINTAINERS_ORACLE_MODES=default` (or `nokeywords`) to run one of the two passes.
//!
//! `K:` keywords also have a fixture of their own, built by the test: a small Xen-dialect
//! MAINTAINERS file, files whose content matches or nearly matches, and one-file patches. Its
//! expectations were derived from Xen's get_maintainer.pl (`--no-l --no-r --no-git
//! --no-git-fallback`, `-f FILE` and PATCH); when a script is at hand (`PROVGATE_GET_MAINTAINER`
//! names one, or the tree of `PROVGATE_MAINTAINERS_ORACLE` has one), it is run on the fixture
//! too and must still give them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use provgate_maintainers::{Lookup, LookupOptions, Maintainers};

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
            } else if path.is_file() {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.push(rel);
            }
        }
    }
    out.sort();
    out
}

/// One get_maintainer.pl answer: `address (role)` lines and section names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Answer {
    people: Vec<String>,
    sections: Vec<String>,
}

fn parse_answer(stdout: &str) -> Answer {
    let mut a = Answer::default();
    for line in stdout.lines() {
        if line.contains('@') && line.ends_with(')') {
            a.people.push(line.to_string());
        } else if !line.is_empty() {
            a.sections.push(line.to_string());
        }
    }
    a
}

fn run_oracle(
    tree: &Path,
    files: &[String],
    extra: &[&str],
    cache: Option<PathBuf>,
) -> Vec<Option<Answer>> {
    if let Some(cache) = &cache
        && let Ok(text) = std::fs::read_to_string(cache)
    {
        let mut map: BTreeMap<String, Option<Answer>> = BTreeMap::new();
        let mut current: Option<(String, String, bool)> = None;
        let flush = |c: Option<(String, String, bool)>, map: &mut BTreeMap<_, _>| {
            if let Some((f, body, ok)) = c {
                map.insert(f, ok.then(|| parse_answer(&body)));
            }
        };
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("\u{1}FILE ") {
                flush(current.take(), &mut map);
                let (ok, f) = rest.split_once(' ').unwrap();
                current = Some((f.to_string(), String::new(), ok == "ok"));
            } else if let Some((_, body, _)) = current.as_mut() {
                body.push_str(line);
                body.push('\n');
            }
        }
        flush(current.take(), &mut map);
        if files.iter().all(|f| map.contains_key(f)) {
            return files.iter().map(|f| map[f].clone()).collect();
        }
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<(bool, String)>>> = Mutex::new(vec![None; files.len()]);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= files.len() {
                        break;
                    }
                    let output = Command::new("perl")
                        .arg("scripts/get_maintainer.pl")
                        .args(["--nogit", "--nogit-fallback", "--roles", "--subsystem"])
                        .args(extra)
                        .arg("-f")
                        .arg(&files[i])
                        .current_dir(tree)
                        .env("LC_ALL", "C")
                        .output()
                        .expect("perl runs");
                    let text = String::from_utf8_lossy(&output.stdout).into_owned();
                    results.lock().unwrap()[i] = Some((output.status.success(), text));
                }
            });
        }
    });
    let results: Vec<(bool, String)> = results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    if let Some(cache) = &cache {
        let mut text = String::new();
        for (f, (ok, body)) in files.iter().zip(&results) {
            text.push_str(&format!(
                "\u{1}FILE {} {f}\n{body}",
                if *ok { "ok" } else { "err" }
            ));
        }
        std::fs::write(cache, text).expect("write oracle cache");
    }
    results
        .into_iter()
        .map(|(ok, body)| ok.then(|| parse_answer(&body)))
        .collect()
}

fn ours(m: &Maintainers, l: &Lookup<'_>) -> Answer {
    let mut sections: Vec<String> = Vec::new();
    for s in &l.sections {
        if !sections.contains(&s.name) {
            sections.push(s.name.clone());
        }
    }
    Answer {
        people: l
            .recipients
            .iter()
            .map(|r| format!("{} ({})", r.address, r.role_label(m)))
            .collect(),
        sections,
    }
}

/// Whether get_maintainer.pl's section order is a reordering of ours among equal ranks only.
fn order_allowed(l: &Lookup<'_>, theirs: &[String]) -> bool {
    let rank: BTreeMap<&str, i32> = l
        .sections
        .iter()
        .zip(&l.matches)
        .map(|(s, m)| (s.name.as_str(), m.rank))
        .collect();
    let ranks: Vec<i32> = theirs
        .iter()
        .filter_map(|n| rank.get(n.as_str()).copied())
        .collect();
    ranks.windows(2).all(|w| w[0] >= w[1])
}

#[test]
fn agrees_with_get_maintainer_on_a_real_tree() {
    let Ok(tree) = std::env::var("PROVGATE_MAINTAINERS_ORACLE") else {
        eprintln!("PROVGATE_MAINTAINERS_ORACLE is not set: skipping the real-tree comparison");
        return;
    };
    let tree = PathBuf::from(tree);
    assert!(
        tree.join("scripts/get_maintainer.pl").is_file(),
        "{} has no scripts/get_maintainer.pl",
        tree.display()
    );
    // The script's own `@penguin_chief` list (people it never prints), when it filters them.
    let script = std::fs::read_to_string(tree.join("scripts/get_maintainer.pl")).unwrap();
    let mut parser = provgate_maintainers::Parser::new().lenient(true);
    if script.contains("@email_to = grep($_->[0] !~ /${email_address}/, @email_to);") {
        let chiefs: Vec<String> = script
            .lines()
            .filter_map(|l| l.strip_prefix("push(@penguin_chief, \""))
            .filter_map(|l| l.split_once('"').map(|x| x.0.replace("\\@", "@")))
            .filter_map(|c| c.split_once(':').map(|(n, a)| format!("{n} <{a}>")))
            .collect();
        eprintln!("chief penguins: {chiefs:?}");
        parser = parser.chief_penguins(chiefs);
    } else {
        parser = parser.chief_penguins(Vec::<String>::new());
    }
    // U-Boot's .get_maintainer.conf asks for every MAINTAINERS file of the tree.
    let conf = std::fs::read_to_string(tree.join(".get_maintainer.conf")).unwrap_or_default();
    let (m, warnings) = if conf.contains("--find-maintainer-files") {
        Maintainers::load_tree(&tree, &parser).expect("MAINTAINERS files read")
    } else {
        Maintainers::load_with(&tree.join("MAINTAINERS"), &parser).expect("MAINTAINERS reads")
    };
    eprintln!("{} sections", m.sections().len());
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    let step: usize = std::env::var("PROVGATE_MAINTAINERS_ORACLE_LIMIT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let files: Vec<String> = list_files(&tree).into_iter().step_by(step.max(1)).collect();
    let cache_dir = std::env::var("PROVGATE_MAINTAINERS_ORACLE_CACHE")
        .ok()
        .map(PathBuf::from);
    let mut total_disagreements = 0;
    let modes = std::env::var("PROVGATE_MAINTAINERS_ORACLE_MODES").unwrap_or_default();
    for (mode, extra) in [
        ("keywords (default)", &[][..]),
        ("--nokeywords", &["--nokeywords"][..]),
    ] {
        if (modes == "default" && !extra.is_empty()) || (modes == "nokeywords" && extra.is_empty())
        {
            continue;
        }
        let cache = cache_dir.as_ref().map(|d| {
            d.join(format!(
                "oracle-{}-{}.txt",
                tree.file_name().unwrap().to_string_lossy(),
                if extra.is_empty() {
                    "default"
                } else {
                    "nokeywords"
                }
            ))
        });
        let answers = run_oracle(&tree, &files, extra, cache);
        let (mut compared, mut same_order, mut tie_order, mut errors) = (0, 0, 0, 0);
        let mut in_file = 0;
        let mut tie_dedup_files: Vec<String> = Vec::new();
        let mut bad: Vec<String> = Vec::new();
        for (file, answer) in files.iter().zip(&answers) {
            let Some(theirs) = answer else {
                errors += 1;
                continue;
            };
            compared += 1;
            let content = if extra.is_empty() {
                std::fs::read(tree.join(file)).ok()
            } else {
                None
            };
            let options = LookupOptions {
                content: content.as_deref(),
                ..Default::default()
            };
            let l = m.lookup_with(file, &options);
            let mine = ours(&m, &l);
            // Linux-style scripts also print addresses found inside `*.yaml` files ("in file"):
            // that is file content, not MAINTAINERS data, and this crate does not do it.
            let mut theirs = theirs.clone();
            let before = theirs.people.len();
            theirs.people.retain(|p| !p.ends_with(" (in file)"));
            for p in &mut theirs.people {
                if p.ends_with(",in file)") {
                    *p = p.replace(",in file)", ")");
                }
            }
            if theirs.people.len() != before {
                in_file += 1;
            }
            let theirs = &theirs;
            let set = |v: &[String]| v.iter().cloned().collect::<BTreeSet<_>>();
            let addresses = |v: &[String]| {
                v.iter()
                    .map(|p| p.rsplit_once(" (").map_or(p.as_str(), |x| x.0).to_string())
                    .collect::<BTreeSet<_>>()
            };
            let sets_agree = addresses(&mine.people) == addresses(&theirs.people)
                && set(&mine.sections) == set(&theirs.sections);
            // With --remove-duplicates the first of two entries with one name (or address)
            // wins, so equally ranked sections in another order can print the other one.
            let tie_dedup = !sets_agree
                && set(&mine.sections) == set(&theirs.sections)
                && mine.sections != theirs.sections
                && order_allowed(&l, &theirs.sections)
                && m.dialect() == provgate_maintainers::Dialect::Linux;
            if tie_dedup {
                tie_order += 1;
                tie_dedup_files.push(file.clone());
                continue;
            }
            if !sets_agree {
                bad.push(format!(
                    "{file}\n  get_maintainer.pl: {:?}\n                    {:?}\n  provgate:          {:?}\n                    {:?}",
                    theirs.people, theirs.sections, mine.people, mine.sections
                ));
                continue;
            }
            if mine == *theirs {
                same_order += 1;
            } else if mine.sections != theirs.sections && order_allowed(&l, &theirs.sections) {
                tie_order += 1;
            } else {
                bad.push(format!(
                    "{file} (order)\n  get_maintainer.pl: {:?}\n  provgate:          {:?}",
                    theirs.sections, mine.sections
                ));
            }
        }
        eprintln!(
            "{mode}: {} files, {compared} compared, {} agree ({same_order} in the same order, \
             {tie_order} differing only among equal ranks), {} disagree, {errors} get_maintainer.pl errors",
            files.len(),
            compared - bad.len(),
            bad.len()
        );
        if in_file > 0 {
            eprintln!(
                "  ({in_file} files had get_maintainer.pl's \"(in file)\" addresses from *.yaml content, left out)"
            );
        }
        if !tie_dedup_files.is_empty() {
            eprintln!(
                "  ({} files printed another address of a duplicate name because equal ranks came in another order: {:?})",
                tie_dedup_files.len(),
                &tie_dedup_files[..tie_dedup_files.len().min(5)]
            );
        }
        for b in bad.iter().take(40) {
            eprintln!("{b}");
        }
        total_disagreements += bad.len();
    }
    assert_eq!(
        total_disagreements, 0,
        "disagreements with get_maintainer.pl"
    );
}

// ---- K: keywords, on a fixture ------------------------------------------------------------------

const KEYWORD_MAINTAINERS: &str = "\
A fixture for K: keywords, Xen dialect.

ALPHA
M:\tAda Alpha <ada@example.org>
S:\tSupported
F:\talpha/
K:\t\\balpha_[a-z]+\\b

BETA
M:\tBen Beta <ben@example.org>
S:\tMaintained
K:\tbeta$

GAMMA
M:\tGil Gamma <gil@example.org>
S:\tMaintained
K:\tgam|GAMMA_ONLY

DELTA
M:\tDee Delta <dee@example.org>
S:\tSupported
F:\tdelta/
K:\tdelta

EPSILON
M:\tEve Epsilon <eve@example.org>
S:\tOdd Fixes
K:\t(?i)epsilon

THE REST
M:\tRex Rest <rex@example.org>
M:\tRhea Rest <rhea@example.org>
S:\tSupported
F:\t*
F:\t*/
V:\txen-maintainers-1
";

const REST: [&str; 2] = ["Rex Rest <rex@example.org>", "Rhea Rest <rhea@example.org>"];
const ADA: &str = "Ada Alpha <ada@example.org>";
const BEN: &str = "Ben Beta <ben@example.org>";
const GIL: &str = "Gil Gamma <gil@example.org>";
const DEE: &str = "Dee Delta <dee@example.org>";
const EVE: &str = "Eve Epsilon <eve@example.org>";

/// `-f FILE` cases: path, content, the maintainers get_maintainer.pl prints, in its order.
fn file_cases() -> Vec<(&'static str, &'static str, Vec<&'static str>)> {
    vec![
        // Path and keyword name the same section: once.
        ("alpha/a.c", "void f(void) { alpha_init(); }\n", vec![ADA]),
        // THE REST covers the file alone by path, so it keeps its maintainers; `beta$` matches
        // before the newline that ends the file (Perl's `$`).
        (
            "src/uses.c",
            "alpha_go();\nthen beta\n",
            vec![REST[0], REST[1], ADA, BEN],
        ),
        // `beta$` is not at the end: no match (no /m).
        ("src/mid.c", "beta\nmore\n", REST.to_vec()),
        ("src/g.c", "x = GAMMA_ONLY;\n", vec![REST[0], REST[1], GIL]),
        ("src/e.c", "EpSiLoN\n", vec![REST[0], REST[1], EVE]),
        ("src/none.c", "nothing here\n", REST.to_vec()),
        // A path section drops THE REST; keyword sections come after.
        ("delta/d.c", "delta alpha_x\n", vec![DEE, ADA]),
        // Keyword sections in the string order of their line's index: GAMMA's K: is line 13
        // of the non-blank lines, ALPHA's 5, and "13" < "5".
        (
            "src/order.c",
            "alpha_go();\nGAMMA_ONLY\n",
            vec![REST[0], REST[1], GIL, ADA],
        ),
        // MAINTAINERS itself is never scanned.
        ("MAINTAINERS", KEYWORD_MAINTAINERS, REST.to_vec()),
    ]
}

/// Patch cases: name, the one file it changes, the hunk's lines, the maintainers printed.
fn patch_cases() -> Vec<(&'static str, &'static str, &'static str, Vec<&'static str>)> {
    vec![
        (
            "added",
            "src/none.c",
            " nothing here\n-old\n+    alpha_init();\n tail\n",
            vec![REST[0], REST[1], ADA],
        ),
        (
            "removed",
            "src/none.c",
            " keep\n-    alpha_init();\n+new\n tail\n",
            vec![REST[0], REST[1], ADA],
        ),
        // Unchanged lines do not count: each line is matched against `^[+-].*KEYWORD`...
        (
            "context",
            "src/none.c",
            " alpha_init();\n-old\n+new\n tail\n",
            REST.to_vec(),
        ),
        // ...with `$` before the line's newline...
        (
            "dollar",
            "src/none.c",
            " keep\n-x beta\n+x bet\n tail\n",
            vec![REST[0], REST[1], BEN],
        ),
        // ...and the prefix glued to the keyword, so a top-level alternative matches any line.
        (
            "alternation",
            "src/none.c",
            " GAMMA_ONLY context\n-old\n+new\n tail\n",
            vec![REST[0], REST[1], GIL],
        ),
        // A removed `-- x` or added `++ x` line reads as a file header and is not scanned.
        (
            "dashdash",
            "src/none.c",
            " keep\n--- alpha_x();\n+new\n tail\n",
            REST.to_vec(),
        ),
        (
            "plusplus",
            "src/none.c",
            " keep\n-old\n+++ alpha_x();\n tail\n",
            REST.to_vec(),
        ),
        (
            "plusplus-no-space",
            "src/none.c",
            " keep\n-old\n+++alpha_x();\n tail\n",
            vec![REST[0], REST[1], ADA],
        ),
        // A patch to MAINTAINERS is scanned like any other.
        (
            "maintainers",
            "MAINTAINERS",
            " keep\n-old\n+K:\tepsilon\n tail\n",
            vec![REST[0], REST[1], EVE],
        ),
        (
            "path-and-keyword",
            "alpha/a.c",
            " keep\n-old\n+ alpha_new()\n tail\n",
            vec![ADA],
        ),
    ]
}

fn keyword_fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("MAINTAINERS"), KEYWORD_MAINTAINERS).unwrap();
    for (path, content, _) in file_cases() {
        let file = dir.path().join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        if path != "MAINTAINERS" {
            std::fs::write(file, content).unwrap();
        }
    }
    dir
}

fn patch_text(path: &str, lines: &str) -> String {
    format!(
        "diff --git a/{path} b/{path}\nindex 1111111..2222222 100644\n--- a/{path}\n+++ b/{path}\n@@ -1,3 +1,3 @@\n{lines}"
    )
}

fn maintainers_printed(l: &Lookup<'_>) -> Vec<String> {
    l.recipients
        .iter()
        .filter(|r| r.role == provgate_maintainers::Role::Maintainer)
        .map(|r| r.address.to_string())
        .collect()
}

/// A Xen get_maintainer.pl to check the fixture's expectations with, if there is one.
fn get_maintainer_script() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("PROVGATE_GET_MAINTAINER") {
        return Some(PathBuf::from(p));
    }
    let tree = std::env::var("PROVGATE_MAINTAINERS_ORACLE").ok()?;
    let script = PathBuf::from(tree).join("scripts/get_maintainer.pl");
    script.is_file().then_some(script)
}

fn run_script(dir: &Path, arg: &[&str]) -> Vec<String> {
    let out = Command::new("perl")
        .arg("scripts/get_maintainer.pl")
        .args(["--no-l", "--no-r", "--no-git", "--no-git-fallback"])
        .args(arg)
        .current_dir(dir)
        .output()
        .expect("perl runs");
    assert!(
        out.status.success(),
        "get_maintainer.pl {arg:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn keywords_as_get_maintainer_reads_them() {
    let dir = keyword_fixture();
    let m = Maintainers::load(&dir.path().join("MAINTAINERS")).unwrap();
    let script = get_maintainer_script();
    if let Some(script) = &script {
        std::fs::create_dir_all(dir.path().join("scripts")).unwrap();
        std::fs::copy(script, dir.path().join("scripts/get_maintainer.pl")).unwrap();
    } else {
        eprintln!("no get_maintainer.pl (PROVGATE_GET_MAINTAINER): fixed expectations only");
    }
    for (path, content, want) in file_cases() {
        let options = LookupOptions {
            content: Some(content.as_bytes()),
            ..LookupOptions::default()
        };
        let got = maintainers_printed(&m.lookup_with(path, &options));
        assert_eq!(got, want, "-f {path}");
        if script.is_some() {
            assert_eq!(
                run_script(dir.path(), &["-f", path]),
                want,
                "get_maintainer.pl -f {path}"
            );
        }
    }
    for (name, path, lines, want) in patch_cases() {
        let options = LookupOptions {
            diff: Some(lines.as_bytes()),
            ..LookupOptions::default()
        };
        let got = maintainers_printed(&m.lookup_with(path, &options));
        assert_eq!(got, want, "patch {name}");
        if script.is_some() {
            let file = dir.path().join(format!("{name}.patch"));
            std::fs::write(&file, patch_text(path, lines)).unwrap();
            let arg = file.to_string_lossy().into_owned();
            assert_eq!(
                run_script(dir.path(), &[&arg]),
                want,
                "get_maintainer.pl {name}.patch"
            );
        }
    }
}
