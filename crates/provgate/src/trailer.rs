//! `provgate trailer add`: the disclosure trailer the project's policy uses, written in its syntax
//! and put where the policy wants it, on HEAD or in a commit message file.

use std::path::Path;

use provgate_patch::trailers::{Placement, insert_trailer};
use provgate_policy::Policy;
use provgate_policy::policy::Syntax;

use crate::cli::TrailerAddArgs;
use crate::{EXIT_OK, UserError, options};

/// Runs `trailer add` and returns the exit status.
pub fn run(args: TrailerAddArgs) -> anyhow::Result<u8> {
    let loaded = options::load(&args.policy, &args.repo)?;
    let (key, value) = disclosure(&loaded.policy, &args)?;
    let placement = match loaded.policy.disclosure.placement {
        provgate_policy::policy::Placement::BeforeSignoff => Placement::BeforeSignoff,
        provgate_policy::policy::Placement::Anywhere => Placement::End,
    };
    match &args.file {
        Some(file) => {
            let message = std::fs::read_to_string(file).map_err(|e| {
                UserError::new(
                    format!("cannot read {}: {e}", file.display()),
                    "name the commit message file git passes to the commit-msg hook",
                )
            })?;
            let updated = insert_trailer(&message, &key, &value, placement);
            std::fs::write(file, updated)?;
        }
        None => amend_head(&args.repo, &key, &value, placement)?,
    }
    eprintln!("added `{key}: {value}`");
    Ok(EXIT_OK)
}

/// The trailer key and value for the policy's first disclosure trailer.
fn disclosure(policy: &Policy, args: &TrailerAddArgs) -> Result<(String, String), UserError> {
    if !policy.ai.allowed {
        return Err(UserError::new(
            format!(
                "the policy ({}) does not allow AI-assisted contributions, so there is nothing to disclose with",
                policy.extends
            ),
            "see `provgate policy render` for what the project allows",
        ));
    }
    let Some(trailer) = policy.disclosure.trailers.first() else {
        return Err(UserError::new(
            "the policy names no disclosure trailer",
            "add a [[disclosure.trailer]] to provgate.toml, or extend a preset that has one",
        ));
    };
    let value = match trailer.syntax {
        Syntax::Categories => {
            let uses: Vec<&str> = args
                .used_for
                .iter()
                .flat_map(|u| u.split(','))
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .collect();
            if uses.is_empty() {
                return Err(UserError::new(
                    format!("`{}:` needs what AI was used for", trailer.key),
                    format!(
                        "pass --used-for with one or more of: {}",
                        trailer.vocabulary.join(", ")
                    ),
                ));
            }
            if trailer.enforce_vocabulary
                && let Some(unknown) = uses
                    .iter()
                    .find(|u| !trailer.vocabulary.iter().any(|v| v.eq_ignore_ascii_case(u)))
            {
                return Err(UserError::new(
                    format!("`{unknown}` is not one of the policy's uses"),
                    format!("use one or more of: {}", trailer.vocabulary.join(", ")),
                ));
            }
            let mut value = uses.join(", ");
            if let Some(explain) = &args.explain {
                value.push_str(&format!(" ({explain})"));
            }
            value
        }
        // The kernel's current form (2026) is `LLM [TOOL…]`: the agent and model are no longer
        // named; the older `AGENT:MODEL` stays valid in history but is not written any more.
        Syntax::AgentModel => {
            if args.agent.is_some() || args.model.is_some() {
                eprintln!(
                    "note: `{}:` no longer names the agent and model (`LLM [TOOL…]`); --agent and --model are not written",
                    trailer.key
                );
            }
            let mut value = "LLM".to_string();
            for tool in args.tools.iter().flat_map(|t| t.split(',')).map(str::trim) {
                if !tool.is_empty() {
                    value.push(' ');
                    value.push_str(tool);
                }
            }
            value
        }
        Syntax::ToolModel | Syntax::Free => {
            let Some(agent) = &args.agent else {
                return Err(UserError::new(
                    format!("`{}:` names the tool", trailer.key),
                    "pass --agent NAME (and --model VERSION)",
                ));
            };
            match &args.model {
                Some(model) => format!("{agent} ({model})"),
                None => agent.clone(),
            }
        }
    };
    Ok((trailer.key.clone(), value))
}

/// Rewrites HEAD's message with the trailer, keeping its author and date.
fn amend_head(repo: &Path, key: &str, value: &str, placement: Placement) -> anyhow::Result<()> {
    let message = provgate_git::head_message(repo).map_err(|e| {
        UserError::new(
            format!("cannot read HEAD's message: {e}"),
            "run it inside a repository with at least one commit, or pass --file",
        )
    })?;
    let updated = insert_trailer(&message, key, value, placement);
    if updated == message {
        return Ok(());
    }
    match provgate_git::amend_head_message(repo, &updated) {
        Ok(()) => Ok(()),
        Err(provgate_git::GitError::Spawn { source, .. }) => Err(source.into()),
        Err(_) => {
            Err(UserError::new("git commit --amend failed", "see git's message above").into())
        }
    }
}
