//! Rough timing of the policy engine alone (no reading): checking synthetic patches under the
//! `qemu` preset and classifying many paths. `cargo run --release -p provgate-policy --example
//! bench-check -- [PATCHES] [PATHS]`.

use std::time::Instant;

use provgate_patch::{FileChange, Hunk, LineKind, Origin, Patch, Person, Series};
use provgate_policy::{CheckContext, Overrides, Policy, Stage, Zones, check};

fn patch(i: usize) -> Patch {
    let mut p = Patch::new(
        format!("{i:040x}"),
        Origin::Commit {
            commit: format!("{i:040x}"),
        },
    );
    p.author = Some(Person::new("Jane Doe", "jane@example.org"));
    p.message = format!(
        "hw/misc: fix {i}\n\nA body line.\n\nAI-used-for: code\nSigned-off-by: Jane Doe <jane@example.org>\n"
    );
    p.trailers = provgate_patch::trailers::parse_trailers(&p.message);
    for f in 0..4 {
        let mut h = Hunk::new(10, 6, 10, 8, "");
        for l in 0..3 {
            h.push_line(LineKind::Context, 10 + l, 10 + l, "ctx();", false);
        }
        h.push_line(LineKind::Removed, 13, 0, "old();", false);
        h.push_line(LineKind::Added, 0, 13, "new_call(a, b);", false);
        h.push_line(LineKind::Added, 0, 14, "/* a comment */", false);
        h.push_line(LineKind::Context, 14, 15, "ctx();", false);
        let path = format!("hw/dir{}/file{f}.c", i % 50);
        p.files.push(FileChange {
            old_path: Some(path.clone()),
            new_path: Some(path),
            hunks: vec![h],
            ..FileChange::default()
        });
    }
    p
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5000);
    let m: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20000);
    let policy = Policy::from_toml(
        "extends = \"qemu\"\n[[zone]]\nname = \"core\"\ntier = \"protected\"\npaths = [\"include/qemu/\", \"util/\", \"qom/\"]\n[[zone]]\nname = \"tests\"\nkind = \"tests\"\npaths = [\"tests/\"]\n",
        "bench.toml",
    )
    .unwrap();
    let series = Series {
        id: "r".into(),
        version: 1,
        total: None,
        cover: None,
        patches: (0..n).map(patch).collect(),
    };
    let ctx = CheckContext::new(
        None,
        Stage::Merge,
        jiff::civil::date(2026, 6, 1),
        Overrides::default(),
    )
    .unwrap();
    let t = Instant::now();
    let r = check(&policy, &ctx, std::slice::from_ref(&series));
    let dt = t.elapsed();
    println!(
        "check: {n} patches in {:?} ({:.1} µs/patch), {} findings",
        dt,
        dt.as_secs_f64() * 1e6 / n as f64,
        r.all_findings().count()
    );
    let zones = Zones::new(&policy, None).unwrap();
    let paths: Vec<String> = (0..m)
        .map(|i| format!("dir{}/sub{}/file{i}.c", i % 97, i % 13))
        .collect();
    let t = Instant::now();
    let mut protected = 0;
    for p in &paths {
        protected += usize::from(zones.classify(p).tier == provgate_policy::Tier::Protected);
    }
    let dt = t.elapsed();
    println!(
        "zones: {m} paths in {:?} ({:.2} µs/path), {protected} protected",
        dt,
        dt.as_secs_f64() * 1e6 / m as f64
    );
}
