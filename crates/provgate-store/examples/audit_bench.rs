//! Drives the audit log for bench/audit.sh: fills a log, verifies it, measures appends.
//!
//! ```text
//! audit_bench populate LOCATION N     N entries, appended in transactions of 10,000
//! audit_bench verify LOCATION         verify the whole log
//! audit_bench append LOCATION N       N appends, one transaction (and one sync) each
//! audit_bench scan5000 LOCATION       one entry recording a 5,000-commit scan
//! ```
//!
//! Each prints one line `WORD key=value …` for the script to read.

use std::time::Instant;

use provgate_report::Verdict;
use provgate_store::{
    InputRef, NewEntry, PolicyRef, Store, SubjectRef, ToolRef, sha256_hex, sha256_lines,
};

fn entry(tag: &str, i: usize) -> NewEntry {
    let commit = sha256_hex(format!("{tag}/{i}").as_bytes())[..40].to_string();
    let verdict = [Verdict::Pass, Verdict::Warn, Verdict::Fail][i % 3];
    NewEntry {
        command: "check".into(),
        tool: ToolRef {
            name: "provgate".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        inputs: vec![InputRef {
            name: format!("{commit}^..{commit}"),
            kind: "range".into(),
        }],
        input_sha256: sha256_lines([&commit]),
        subjects: vec![SubjectRef {
            id: commit.clone(),
            verdict: Some(verdict),
        }],
        policy: Some(PolicyRef {
            name: "preset qemu".into(),
            digest: sha256_hex(b"policy"),
            extends: "qemu".into(),
            mode: provgate_report::Mode::Enforce,
            stage: provgate_report::Stage::Submit,
        }),
        findings: (0..(i % 3))
            .map(|k| provgate_report::Finding {
                rule: provgate_report::RuleId::UndisclosedAi,
                level: provgate_report::Level::Warn,
                message: format!("the patch shows signs of AI help ({k}) but declares none"),
                patch_id: Some(commit.clone()),
                path: Some("hw/arm/virt.c".into()),
                line: Some(40 + k as u32),
                help: None,
            })
            .collect(),
        verdict: Some(verdict),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (cmd, location) = match (args.first(), args.get(1)) {
        (Some(c), Some(l)) => (c.as_str(), l.as_str()),
        _ => {
            eprintln!("usage: audit_bench populate|verify|append|scan5000 LOCATION [N]");
            std::process::exit(2);
        }
    };
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(0);
    let store = Store::open(location).unwrap_or_else(|e| {
        eprintln!("error: {e}\nhint: {}", e.hint());
        std::process::exit(2)
    });
    let fail = |e: provgate_store::StoreError| -> ! {
        eprintln!("error: {e}\nhint: {}", e.hint());
        std::process::exit(2)
    };
    match cmd {
        "populate" => {
            let start = Instant::now();
            let tag = format!("p{}", std::process::id());
            let mut done = 0;
            let mut bytes = 0usize;
            while done < n {
                let batch: Vec<NewEntry> = (done..(done + 10_000).min(n))
                    .map(|i| entry(&tag, i))
                    .collect();
                let written = store.append_many(&batch).unwrap_or_else(|e| fail(e));
                bytes += written.iter().map(|e| e.json.len()).sum::<usize>();
                done += batch.len();
            }
            let s = start.elapsed().as_secs_f64();
            println!(
                "POPULATE entries={n} seconds={s:.2} rate={:.0} avg_bytes={}",
                n as f64 / s,
                bytes / n.max(1)
            );
        }
        "verify" => {
            let start = Instant::now();
            let report = store.verify().unwrap_or_else(|e| fail(e));
            let s = start.elapsed().as_secs_f64();
            if let Some(bad) = &report.first_bad {
                eprintln!("NOT INTACT: {bad}");
                std::process::exit(1);
            }
            println!(
                "VERIFY entries={} seconds={s:.2} rate={:.0}",
                report.entries,
                report.entries as f64 / s
            );
        }
        "append" => {
            let tag = format!("a{}", std::process::id());
            let start = Instant::now();
            for i in 0..n {
                store.append(&entry(&tag, i)).unwrap_or_else(|e| fail(e));
            }
            let s = start.elapsed().as_secs_f64();
            println!(
                "APPEND entries={n} seconds={s:.2} rate={:.0} ms_each={:.3}",
                n as f64 / s,
                s * 1000.0 / n.max(1) as f64
            );
        }
        "scan5000" => {
            let mut e = entry("scan", 0);
            e.command = "scan".into();
            e.subjects = (0..5000)
                .map(|i| SubjectRef {
                    id: sha256_hex(format!("scan/{i}").as_bytes())[..40].to_string(),
                    verdict: Some(Verdict::Pass),
                })
                .collect();
            e.input_sha256 = sha256_lines(e.subjects.iter().map(|s| &s.id));
            let start = Instant::now();
            let written = store.append(&e).unwrap_or_else(|e| fail(e));
            let s = start.elapsed().as_secs_f64();
            println!("SCAN5000 seconds={s:.4} bytes={}", written.json.len());
        }
        _ => {
            eprintln!("unknown command {cmd}");
            std::process::exit(2);
        }
    }
}
