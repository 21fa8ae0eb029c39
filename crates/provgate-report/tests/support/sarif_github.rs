//! Checks SARIF as GitHub code scanning ingests it, for every test that produces SARIF (this
//! crate's, and the command line's, which include this file): the published SARIF 2.1.0 schema,
//! and the Microsoft SARIF multitool's `validate` with its GitHub ingestion rules (GH1001 a
//! physical location on every result, GH1003 a region, GH1005 relative URIs, GH2012 rule
//! descriptions and help, …), which the schema cannot see.
//!
//! Both come from the npm package `@microsoft/sarif-multitool-linux`, which .ci/run unpacks:
//! `PROVGATE_SARIF_SCHEMA` names its `sarif-2.1.0.json`, `PROVGATE_SARIF_MULTITOOL` its
//! `Sarif.Multitool` executable. Outside CI a check whose tool is not set is skipped with a
//! note; under CI (`CI` set) it fails the test.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// The multitool's GitHub rules are off by default; this configuration turns them on as errors
/// (the multitool reads the key `RULEID.RuleName.Options`).
const GITHUB_RULES: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<Properties>
  <Properties Key="GH1001.ProvideRequiredLocationProperties.Options"><Property Key="RuleEnabled" Value="Error" /></Properties>
  <Properties Key="GH1002.InlineThreadFlowLocations.Options"><Property Key="RuleEnabled" Value="Error" /></Properties>
  <Properties Key="GH1003.ProvideRequiredRegionProperties.Options"><Property Key="RuleEnabled" Value="Error" /></Properties>
  <Properties Key="GH1004.ReviewArraysThatExceedConfigurableDefaults.Options"><Property Key="RuleEnabled" Value="Error" /></Properties>
  <Properties Key="GH1005.LocationsMustBeRelativeUrisOrFilePaths.Options"><Property Key="RuleEnabled" Value="Error" /></Properties>
  <Properties Key="GH1006.ProvideCheckoutPath.Options"><Property Key="RuleEnabled" Value="Error" /></Properties>
  <Properties Key="GH1007.ProvideFullyFormattedMessageStrings.Options"><Property Key="RuleEnabled" Value="Error" /></Properties>
</Properties>
"#;

/// Asserts that GitHub code scanning accepts `sarif` (`what` names it in failures): the schema
/// and the multitool's GitHub rules, each when its tool is set (always under CI).
pub fn assert_github_accepts(sarif: &str, what: &str) {
    check(sarif, what, &[]);
}

/// [`assert_github_accepts`] for a file with more results than GitHub *displays*: GH1004 reports
/// an array longer than the display limit it knows (1,000 results a run in multitool 5.7.0;
/// GitHub now shows 5,000), but GitHub accepts up to 25,000 results a run, so GH1004 on
/// `runs[0].results` is no rejection. Everything else must pass.
pub fn assert_github_accepts_beyond_display_limits(sarif: &str, what: &str) {
    check(sarif, what, &[("GH1004", "runs[0].results")]);
}

fn check(sarif: &str, what: &str, tolerated: &[(&str, &str)]) {
    let log: Value = serde_json::from_str(sarif)
        .unwrap_or_else(|e| panic!("{what}: the SARIF is not JSON ({e}):\n{sarif}"));
    if let Some(schema) = tool("PROVGATE_SARIF_SCHEMA") {
        let schema: Value = serde_json::from_str(
            &std::fs::read_to_string(&schema).expect("the SARIF schema is readable"),
        )
        .expect("the SARIF schema is JSON");
        let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{what}: the SARIF does not follow the 2.1.0 schema:\n{}",
            errors.join("\n")
        );
    }
    if let Some(multitool) = tool("PROVGATE_SARIF_MULTITOOL") {
        let errors = multitool_errors(Path::new(&multitool), sarif, tolerated);
        assert!(
            errors.is_empty(),
            "{what}: GitHub would reject this SARIF (SARIF multitool, GitHub rules):\n{}",
            errors.join("\n")
        );
    }
}

/// The path an environment variable names; under CI an unset one fails the test.
fn tool(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(path) if !path.is_empty() => Some(path),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must set {var} (see .ci/run)"
            );
            eprintln!("{var} is not set: that SARIF check was not run");
            None
        }
    }
}

/// Runs `Sarif.Multitool validate` with the GitHub rules on `sarif`; every error it reports,
/// its own failures included, as a line.
fn multitool_errors(multitool: &Path, sarif: &str, tolerated: &[(&str, &str)]) -> Vec<String> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let input = dir.path().join("provgate.sarif");
    let config = dir.path().join("github-rules.xml");
    let output = dir.path().join("validation.sarif");
    std::fs::write(&input, sarif).expect("SARIF written");
    std::fs::write(&config, GITHUB_RULES).expect("configuration written");
    let run = Command::new(multitool)
        .arg("validate")
        .args(["--rule-kind", "Sarif;Gh"])
        .arg("--config")
        .arg(&config)
        // `--quiet true`: 5.7.0's console logger throws on some GitHub rule messages (GH1001's
        // format names an argument it is not given); the output file has them all.
        .args(["--quiet", "true", "--log", "ForceOverwrite"])
        // GitHub's limit is 10 MB gzipped; the multitool skips files over 10,000 KB as they are.
        .args(["--max-file-size-in-kb", "1000000", "--output"])
        .arg(&output)
        .arg(&input)
        // A .NET program needs libicu unless told to do without; messages here are ASCII.
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .output()
        .unwrap_or_else(|e| panic!("{} does not run: {e}", multitool.display()));
    let log: Value = match std::fs::read_to_string(&output) {
        Ok(text) => serde_json::from_str(&text).expect("the multitool writes JSON"),
        Err(e) => panic!(
            "the SARIF multitool wrote no result ({e}); exit {:?}\n{}{}",
            run.status.code(),
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        ),
    };
    let run_log = &log["runs"][0];
    let rules = run_log["tool"]["driver"]["rules"].as_array().cloned();
    let mut errors = Vec::new();
    for invocation in run_log["invocations"].as_array().into_iter().flatten() {
        if invocation["executionSuccessful"] == Value::Bool(false) {
            errors.push("the multitool's run did not succeed".to_string());
        }
        for note in [
            "toolExecutionNotifications",
            "toolConfigurationNotifications",
        ]
        .iter()
        .flat_map(|key| invocation[*key].as_array().into_iter().flatten())
        {
            let text = note["message"]["text"].as_str().unwrap_or("");
            let line = format!("multitool: {}", text.lines().next().unwrap_or(""));
            if note["level"] == "error" || note["descriptor"]["id"].is_null() {
                errors.push(line);
            } else {
                eprintln!("SARIF {line}");
            }
        }
    }
    for result in run_log["results"].as_array().into_iter().flatten() {
        let text = message(result, rules.as_deref().unwrap_or(&[]));
        let pointer = result["message"]["arguments"][0].as_str().unwrap_or("");
        let excused = tolerated
            .iter()
            .any(|(rule, at)| result["ruleId"] == *rule && pointer == *at);
        // A result without a level is a warning (SARIF §3.27.10): advice, not a rejection.
        if result["level"] == "error" && !excused {
            errors.push(text);
        } else {
            eprintln!("SARIF multitool: {text}");
        }
    }
    errors
}

/// `GH1001: runs[0].results[3].locations[0]: 'physicalLocation' is absent. …`: the result's
/// message string with its arguments filled in.
fn message(result: &Value, rules: &[Value]) -> String {
    let rule = result["ruleId"].as_str().unwrap_or("?");
    let id = result["message"]["id"].as_str().unwrap_or("");
    let arguments: Vec<&str> = result["message"]["arguments"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let template = rules
        .iter()
        .find(|r| r["id"] == rule)
        .and_then(|r| r["messageStrings"][id]["text"].as_str())
        .or_else(|| result["message"]["text"].as_str())
        .unwrap_or(id);
    let mut text = template.to_string();
    for (i, argument) in arguments.iter().enumerate() {
        text = text.replace(&format!("{{{i}}}"), argument);
    }
    // Some of 5.7.0's message strings name an argument they are not given (GH1001's `{2}`).
    if (0..10).any(|i| text.contains(&format!("{{{i}}}"))) {
        text.push_str(&format!(" [arguments: {}]", arguments.join(", ")));
    }
    format!("{rule}: {text}")
}
