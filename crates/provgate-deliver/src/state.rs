//! Verdicts as each remote API spells a result.
//!
//! A verdict of `None` means nothing was judged (no policy, or nothing to check). Each mapping
//! says what that becomes: Patchwork and check runs have a neutral state for it; commit
//! statuses do not, and there it is `success`, because a status that never leaves `pending`
//! would block a merge on a check that has nothing to say.

use provgate_report::Verdict;
use serde::{Deserialize, Serialize};

/// The state of a Patchwork check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PatchworkState {
    /// Work has started, or nothing was judged (Patchwork counts it as no check).
    Pending,
    /// The verdict is `pass`.
    Success,
    /// The verdict is `warn`.
    Warning,
    /// The verdict is `fail`.
    Fail,
}

impl PatchworkState {
    /// The state for a report's verdict.
    pub fn for_verdict(verdict: Option<Verdict>) -> PatchworkState {
        match verdict {
            Some(Verdict::Pass) => PatchworkState::Success,
            Some(Verdict::Warn) => PatchworkState::Warning,
            Some(Verdict::Fail) => PatchworkState::Fail,
            None => PatchworkState::Pending,
        }
    }

    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PatchworkState::Pending => "pending",
            PatchworkState::Success => "success",
            PatchworkState::Warning => "warning",
            PatchworkState::Fail => "fail",
        }
    }
}

/// The conclusion of a completed GitHub check run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckConclusion {
    /// The verdict is `pass`.
    Success,
    /// The verdict is `warn`, or nothing was judged: shown, never blocking.
    Neutral,
    /// The verdict is `fail`.
    Failure,
}

impl CheckConclusion {
    /// The conclusion for a report's verdict.
    pub fn for_verdict(verdict: Option<Verdict>) -> CheckConclusion {
        match verdict {
            Some(Verdict::Pass) => CheckConclusion::Success,
            Some(Verdict::Warn) | None => CheckConclusion::Neutral,
            Some(Verdict::Fail) => CheckConclusion::Failure,
        }
    }

    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckConclusion::Success => "success",
            CheckConclusion::Neutral => "neutral",
            CheckConclusion::Failure => "failure",
        }
    }
}

/// The state of a GitHub commit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusState {
    /// The check could not be made.
    Error,
    /// The verdict is `fail`.
    Failure,
    /// Work has started.
    Pending,
    /// The verdict is `pass` or `warn` (a status has no warning state), or nothing was judged.
    Success,
}

impl StatusState {
    /// The state for a report's verdict.
    pub fn for_verdict(verdict: Option<Verdict>) -> StatusState {
        match verdict {
            Some(Verdict::Fail) => StatusState::Failure,
            Some(Verdict::Pass | Verdict::Warn) | None => StatusState::Success,
        }
    }

    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusState::Error => "error",
            StatusState::Failure => "failure",
            StatusState::Pending => "pending",
            StatusState::Success => "success",
        }
    }
}

/// The state of a GitLab commit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PipelineState {
    /// Queued.
    Pending,
    /// Work has started.
    Running,
    /// The verdict is `pass` or `warn` (a status has no warning state), or nothing was judged.
    Success,
    /// The verdict is `fail`.
    Failed,
    /// The check was abandoned.
    Canceled,
}

impl PipelineState {
    /// The state for a report's verdict.
    pub fn for_verdict(verdict: Option<Verdict>) -> PipelineState {
        match verdict {
            Some(Verdict::Fail) => PipelineState::Failed,
            Some(Verdict::Pass | Verdict::Warn) | None => PipelineState::Success,
        }
    }

    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PipelineState::Pending => "pending",
            PipelineState::Running => "running",
            PipelineState::Success => "success",
            PipelineState::Failed => "failed",
            PipelineState::Canceled => "canceled",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_map_to_the_api_strings() {
        let all = [
            None,
            Some(Verdict::Pass),
            Some(Verdict::Warn),
            Some(Verdict::Fail),
        ];
        let spelled = |v: serde_json::Value| v.as_str().unwrap().to_string();
        let pw: Vec<String> = all
            .iter()
            .map(|&v| spelled(serde_json::to_value(PatchworkState::for_verdict(v)).unwrap()))
            .collect();
        assert_eq!(pw, ["pending", "success", "warning", "fail"]);
        let gh: Vec<&str> = all
            .iter()
            .map(|&v| CheckConclusion::for_verdict(v).as_str())
            .collect();
        assert_eq!(gh, ["neutral", "success", "neutral", "failure"]);
        let st: Vec<&str> = all
            .iter()
            .map(|&v| StatusState::for_verdict(v).as_str())
            .collect();
        assert_eq!(st, ["success", "success", "success", "failure"]);
        let gl: Vec<&str> = all
            .iter()
            .map(|&v| PipelineState::for_verdict(v).as_str())
            .collect();
        assert_eq!(gl, ["success", "success", "success", "failed"]);
        for state in [
            PipelineState::Pending,
            PipelineState::Running,
            PipelineState::Success,
            PipelineState::Failed,
            PipelineState::Canceled,
        ] {
            assert_eq!(
                spelled(serde_json::to_value(state).unwrap()),
                state.as_str()
            );
        }
        for state in [StatusState::Error, StatusState::Pending] {
            assert_eq!(
                spelled(serde_json::to_value(state).unwrap()),
                state.as_str()
            );
        }
    }
}
