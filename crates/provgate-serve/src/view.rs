//! A stored report read back for the dashboard, typed: the fields of the JSON report
//! (docs/report-format.md) the pages show, with the engine's own [`Finding`], [`Verdict`] and
//! [`Level`] and the report's [`Snippet`], so that a page decides by enum, never by comparing
//! strings from the JSON.

use provgate_report::{Finding, Level, ProofReport, Snippet, Verdict};
use serde::Deserialize;

/// The parts of a stored report the dashboard shows.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StoredReport {
    /// The series, with their own findings.
    #[serde(default)]
    pub series: Vec<StoredSeries>,
    /// Every patch, cover letters included.
    #[serde(default)]
    pub patches: Vec<StoredPatch>,
    /// Findings about the policy itself.
    #[serde(default)]
    pub findings: Vec<StoredFinding>,
    /// Remarks on the run.
    #[serde(default)]
    pub notes: Vec<String>,
    /// The verdict.
    pub verdict: Option<Verdict>,
}

impl StoredReport {
    /// The report stored as `json`; an unreadable one reads as empty (the page says there is
    /// nothing to show rather than failing).
    pub fn parse(json: &str) -> Result<StoredReport, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// Every finding of the report: series, policy and patch findings.
    pub fn all_findings(&self) -> impl Iterator<Item = &StoredFinding> {
        self.series
            .iter()
            .flat_map(|s| &s.findings)
            .chain(&self.findings)
            .chain(self.patches.iter().flat_map(|p| &p.findings))
    }

    /// (errors, warnings) over every finding.
    pub fn counts(&self) -> (usize, usize) {
        let mut counts = (0, 0);
        for finding in self.all_findings() {
            match finding.finding.level {
                Level::Deny => counts.0 += 1,
                Level::Warn => counts.1 += 1,
                Level::Allow => {}
            }
        }
        counts
    }
}

/// A series of a stored report.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StoredSeries {
    /// Findings about the series as a whole.
    #[serde(default)]
    pub findings: Vec<StoredFinding>,
}

/// A patch of a stored report.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StoredPatch {
    /// Its id (the Message-ID for mail).
    #[serde(default)]
    pub id: String,
    /// Its subject, without the prefix.
    #[serde(default)]
    pub subject: String,
    /// Its author.
    pub author: Option<StoredPerson>,
    /// Its findings.
    #[serde(default)]
    pub findings: Vec<StoredFinding>,
    /// Its verdict (none for a cover letter).
    pub verdict: Option<Verdict>,
    /// Its AI evidence.
    pub ai: Option<StoredAi>,
    /// Its regression-test proof.
    pub proof: Option<ProofReport>,
}

/// A person as the report names them.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StoredPerson {
    /// The name.
    #[serde(default)]
    pub name: String,
    /// The address.
    #[serde(default)]
    pub email: String,
}

/// A patch's AI evidence, as far as the dashboard shows it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StoredAi {
    /// Whether the patch discloses AI help.
    #[serde(default)]
    pub disclosed: bool,
    /// Fingerprints of AI tools found.
    #[serde(default)]
    pub fingerprints: Vec<serde_json::Value>,
    /// Lines agents wrote, per a git-ai note.
    #[serde(default)]
    pub authorship: Vec<serde_json::Value>,
}

impl StoredAi {
    /// Whether it shows AI use: a disclosure, a fingerprint or authorship notes.
    pub fn shows_ai(&self) -> bool {
        self.disclosed || !self.fingerprints.is_empty() || !self.authorship.is_empty()
    }
}

/// A finding with its code frame.
#[derive(Debug, Clone, Deserialize)]
pub struct StoredFinding {
    /// The finding.
    #[serde(flatten)]
    pub finding: Finding,
    /// The lines around it.
    pub snippet: Option<Snippet>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_with_a_code_frame_reads_back_typed() {
        let json = r#"{"schema":"provgate/report/v1","verdict":"fail","notes":["n"],
            "series":[{"findings":[]}],
            "patches":[{"id":"a@b","subject":"x","author":{"name":"Jane","email":"j@x"},
              "verdict":"fail","ai":{"disclosed":true,"declarations":[],"fingerprints":[]},
              "findings":[{"rule":"dco-missing-signoff","level":"deny","message":"m","patch":"a@b",
                "path":"a.c","line":3,"help":null,
                "snippet":{"origin":"a.c","first_line":2,"lines":["x","y"],"target":3}}]}],
            "findings":[]}"#;
        let report = StoredReport::parse(json).unwrap();
        assert_eq!(report.verdict, Some(Verdict::Fail));
        assert_eq!(report.counts(), (1, 0));
        let finding = &report.patches[0].findings[0];
        assert_eq!(finding.finding.level, Level::Deny);
        assert_eq!(finding.snippet.as_ref().unwrap().target, 3);
        assert!(report.patches[0].ai.as_ref().unwrap().shows_ai());
    }
}
