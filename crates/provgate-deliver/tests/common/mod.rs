//! A report built by hand, as the engine would write it for a mailed series.

#![allow(dead_code)]

use provgate_report::{
    Finding, FindingReport, Level, PatchReport, Report, RuleId, SeriesRef, SeriesReport, Verdict,
};

pub const SERIES_ID: &str = "cover.1717171717.git.dev@example.org";
pub const PATCH_IDS: [&str; 2] = [
    "p1.1717171717.git.dev@example.org",
    "p2.1717171717.git.dev@example.org",
];

fn patch(
    id: &str,
    index: u32,
    subject: &str,
    findings: Vec<FindingReport>,
    verdict: Option<Verdict>,
) -> PatchReport {
    PatchReport {
        id: id.to_string(),
        origin: "series.mbox:1".to_string(),
        prefix: Some(format!("PATCH v2 {index}/2")),
        series: Some(SeriesRef {
            id: SERIES_ID.to_string(),
            version: 2,
            index: Some(index),
            total: Some(2),
        }),
        subject: subject.to_string(),
        author: None,
        date: None,
        trailers: Vec::new(),
        files: Vec::new(),
        notes: Vec::new(),
        ai: None,
        code_lines: None,
        findings,
        verdict,
        mechanical: None,
        proof: None,
    }
}

/// A finding of `level` on `path:line`, or on the message when `path` is `None`.
pub fn finding(
    level: Level,
    patch: &str,
    path: Option<&str>,
    line: Option<u32>,
    message: &str,
) -> FindingReport {
    let mut finding = Finding::new(RuleId::DcoMissingSignoff, message);
    finding.level = level;
    finding.patch_id = Some(patch.to_string());
    finding.path = path.map(str::to_string);
    finding.line = line;
    finding.help = Some("add a Signed-off-by line".to_string());
    FindingReport::new(finding)
}

/// A v2 series of two patches under a cover letter; the first patch carries `findings`.
pub fn report(findings: Vec<FindingReport>) -> Report {
    let deny = findings.iter().filter(|f| f.level == Level::Deny).count();
    let warn = findings.iter().filter(|f| f.level == Level::Warn).count();
    let verdict = if deny > 0 {
        Verdict::Fail
    } else if warn > 0 {
        Verdict::Warn
    } else {
        Verdict::Pass
    };
    let mut report = Report::new("0.1.0");
    report
        .patches
        .push(patch(SERIES_ID, 0, "Add the frobnicator", Vec::new(), None));
    report.patches.push(patch(
        PATCH_IDS[0],
        1,
        "frob: add the core",
        findings,
        Some(verdict),
    ));
    report.patches.push(patch(
        PATCH_IDS[1],
        2,
        "frob: add tests",
        Vec::new(),
        Some(Verdict::Pass),
    ));
    report.push_series(SeriesReport {
        id: SERIES_ID.to_string(),
        version: 2,
        total: Some(2),
        cover: Some(SERIES_ID.to_string()),
        patches: PATCH_IDS.iter().map(|p| p.to_string()).collect(),
        missing: Vec::new(),
        subject: "[PATCH v2 0/2] Add the frobnicator".to_string(),
        findings: Vec::new(),
        verdict: Some(verdict),
    });
    report.summary.patches = 2;
    report.summary.cover_letters = 1;
    report.summary.deny = deny;
    report.summary.warn = warn;
    report.summary.failed = usize::from(deny > 0);
    report.verdict = Some(verdict);
    report
}
