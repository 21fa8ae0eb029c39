//! Patchwork's REST API (1.x): new series from the event stream, series and their mboxes,
//! patches by Message-ID, and checks posted on patches.
//!
//! A check is never edited in Patchwork: a new one is posted and the newest per context wins.
//! [`Client::post_check_once`] reads them first so that a retried delivery posts nothing new.

use std::time::Duration;

use reqwest::Method;
use reqwest::header::AUTHORIZATION;
use serde::{Deserialize, Serialize};

use crate::error::DeliverError;
use crate::http::{DEFAULT_TIMEOUT, Http};
use crate::secret::Secret;
use crate::state::PatchworkState;
use crate::text::cut_chars;

/// Patchwork stores `target_url` in a 200-character URL field.
pub const MAX_TARGET_URL_CHARS: usize = 200;

/// Descriptions are cut here: Patchwork shows them on one line of the patch page.
pub const MAX_DESCRIPTION_CHARS: usize = 1000;

/// A client of one Patchwork instance's API.
#[derive(Clone)]
pub struct Client {
    http: Http,
}

/// A check to post on a patch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// The result.
    pub state: PatchworkState,
    /// The checker's name, a slug (`[-a-zA-Z0-9_]+`), e.g. `provgate`.
    pub context: String,
    /// One line saying what was found.
    pub description: Option<String>,
    /// Where the details are (the dashboard page).
    pub target_url: Option<String>,
}

/// A check as Patchwork lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostedCheck {
    /// Patchwork's id of the check.
    pub id: u64,
    /// When it was posted (Patchwork's naive UTC timestamp).
    pub date: String,
    /// The check.
    #[serde(flatten)]
    pub check: Check,
}

/// What [`Client::post_check_once`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckDelivery {
    /// The check was posted.
    Posted(PostedCheck),
    /// The newest check of that context already says the same; nothing was posted.
    AlreadyPosted(PostedCheck),
}

/// A `series-completed` event: a series whose patches have all arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesEvent {
    /// The event's id.
    pub id: u64,
    /// When it happened; the next poll's `since`.
    pub date: String,
    /// The series' id.
    pub series_id: u64,
    /// The series' name (its cover letter's subject), when it has one.
    pub name: Option<String>,
    /// The series' version.
    pub version: u32,
    /// The series' mbox URL.
    pub mbox: String,
}

/// A series as Patchwork describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesInfo {
    /// Its id.
    pub id: u64,
    /// Its name, when it has one.
    pub name: Option<String>,
    /// Its version (`v2` → 2).
    pub version: u32,
    /// The URL of the whole series as one mbox.
    pub mbox: String,
    /// Whether every announced patch has arrived.
    pub received_all: bool,
    /// The cover letter, when there is one.
    pub cover_letter: Option<PatchRef>,
    /// The patches, in order.
    pub patches: Vec<PatchRef>,
}

/// A patch or cover letter named in a series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchRef {
    /// Patchwork's id (of the patch, or of the cover letter).
    pub id: u64,
    /// Its Message-ID, without angle brackets (as provgate's reports write it).
    pub msgid: String,
    /// Its subject.
    pub name: String,
}

impl Check {
    /// A check of `state` under `context`, without description or link.
    pub fn new(state: PatchworkState, context: impl Into<String>) -> Check {
        Check {
            state,
            context: context.into(),
            description: None,
            target_url: None,
        }
    }

    /// The check as it is posted: the context must be a slug; the description is cut to
    /// [`MAX_DESCRIPTION_CHARS`]; a `target_url` longer than Patchwork stores is left out
    /// rather than cut, since a cut link leads somewhere else.
    pub fn normalized(&self) -> Result<Check, DeliverError> {
        let slug = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if self.context.is_empty() || !self.context.chars().all(slug) {
            return Err(DeliverError::Invalid {
                what: "check context",
                reason: format!(
                    "{:?}: Patchwork accepts only letters, digits, `-` and `_`",
                    self.context
                ),
            });
        }
        Ok(Check {
            state: self.state,
            context: self.context.clone(),
            description: self
                .description
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(|d| cut_chars(d, MAX_DESCRIPTION_CHARS)),
            target_url: self
                .target_url
                .clone()
                .filter(|u| u.chars().count() <= MAX_TARGET_URL_CHARS),
        })
    }
}

impl Client {
    /// A client of the API at `base_url` (e.g. `https://patchwork.kernel.org/api/1.2`); a token
    /// is needed to post checks, not to read.
    pub fn new(base_url: &str, token: Option<Secret>) -> Result<Client, DeliverError> {
        Client::with_timeout(base_url, token, DEFAULT_TIMEOUT)
    }

    /// As [`Client::new`], with a per-request timeout.
    pub fn with_timeout(
        base_url: &str,
        token: Option<Secret>,
        timeout: Duration,
    ) -> Result<Client, DeliverError> {
        let auth = token.map(|t| format!("Token {}", t.expose()));
        let headers: Vec<_> = auth.iter().map(|a| (AUTHORIZATION, a.as_str())).collect();
        Ok(Client {
            http: Http::new(base_url, &headers, timeout)?,
        })
    }

    /// The API's base URL.
    pub fn base_url(&self) -> &str {
        self.http.base().as_str()
    }

    /// Posts a check on a patch (see [`Check::normalized`] for what is sent).
    pub async fn post_check(
        &self,
        patch_id: u64,
        check: &Check,
    ) -> Result<PostedCheck, DeliverError> {
        let check = check.normalized()?;
        let url = self
            .http
            .url(&["patches", &patch_id.to_string(), "checks", ""]);
        self.http.json(Method::POST, url, Some(&check)).await
    }

    /// Every check posted on a patch.
    pub async fn checks(&self, patch_id: u64) -> Result<Vec<PostedCheck>, DeliverError> {
        let url = self
            .http
            .url(&["patches", &patch_id.to_string(), "checks", ""]);
        self.http.all_pages(url).await
    }

    /// Posts a check unless the newest check of its context already has the same state,
    /// description and link (so a retried or repeated delivery posts nothing new).
    pub async fn post_check_once(
        &self,
        patch_id: u64,
        check: &Check,
    ) -> Result<CheckDelivery, DeliverError> {
        let wanted = check.normalized()?;
        let newest = self
            .checks(patch_id)
            .await?
            .into_iter()
            .filter(|c| c.check.context == wanted.context)
            .max_by(|a, b| a.date.cmp(&b.date).then(a.id.cmp(&b.id)));
        if let Some(newest) = newest
            && newest.check == wanted
        {
            return Ok(CheckDelivery::AlreadyPosted(newest));
        }
        self.post_check(patch_id, &wanted)
            .await
            .map(CheckDelivery::Posted)
    }

    /// The `series-completed` events of `project` (its `link_name`) from `since` on, when
    /// given, every page read, oldest first.
    ///
    /// Patchwork's `since` is inclusive, so polling again with the newest event's date returns
    /// that event again: remember the event ids already handled (or the series ids) and skip
    /// them.
    pub async fn events_series_completed(
        &self,
        project: &str,
        since: Option<&str>,
    ) -> Result<Vec<SeriesEvent>, DeliverError> {
        let mut url = self.http.url(&["events", ""]);
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("project", project);
            query.append_pair("category", "series-completed");
            if let Some(since) = since {
                query.append_pair("since", since);
            }
        }
        let raw: Vec<wire::Event> = self.http.all_pages(url).await?;
        let mut events: Vec<SeriesEvent> = raw
            .into_iter()
            .filter(|e| e.category == "series-completed")
            .filter_map(|e| {
                let series = e.payload.series?;
                Some(SeriesEvent {
                    id: e.id,
                    date: e.date,
                    series_id: series.id,
                    name: series.name,
                    version: series.version.unwrap_or(1),
                    mbox: series.mbox,
                })
            })
            .collect();
        // Patchwork lists events newest first.
        events.sort_by(|a, b| a.date.cmp(&b.date).then(a.id.cmp(&b.id)));
        Ok(events)
    }

    /// A series.
    pub async fn series(&self, id: u64) -> Result<SeriesInfo, DeliverError> {
        let url = self.http.url(&["series", &id.to_string(), ""]);
        let raw: wire::Series = self.http.json(Method::GET, url, None::<&()>).await?;
        Ok(SeriesInfo {
            id: raw.id,
            name: raw.name,
            version: raw.version.unwrap_or(1),
            mbox: raw.mbox,
            received_all: raw.received_all,
            cover_letter: raw.cover_letter.map(wire::Item::into_ref),
            patches: raw.patches.into_iter().map(wire::Item::into_ref).collect(),
        })
    }

    /// The patch of `project` with this Message-ID (angle brackets optional), if Patchwork has it.
    pub async fn patch_by_msgid(
        &self,
        project: &str,
        msgid: &str,
    ) -> Result<Option<PatchRef>, DeliverError> {
        let mut url = self.http.url(&["patches", ""]);
        url.query_pairs_mut()
            .append_pair("project", project)
            .append_pair("msgid", bare_msgid(msgid));
        let found: Vec<wire::Item> = self.http.json(Method::GET, url, None::<&()>).await?;
        Ok(found.into_iter().next().map(wire::Item::into_ref))
    }

    /// The bytes of an mbox URL (a series' or a patch's). Only URLs on the configured
    /// server's scheme, host and port are fetched.
    pub async fn fetch_mbox(&self, url: &str) -> Result<Vec<u8>, DeliverError> {
        let url = url::Url::parse(url).map_err(|e| DeliverError::Invalid {
            what: "mbox URL",
            reason: format!("{url}: {e}"),
        })?;
        self.http.check_origin(&url)?;
        Ok(self.http.send(Method::GET, url, None::<&()>).await?.body)
    }
}

/// A Message-ID without its angle brackets.
fn bare_msgid(id: &str) -> &str {
    let id = id.trim();
    id.strip_prefix('<')
        .and_then(|i| i.strip_suffix('>'))
        .unwrap_or(id)
}

/// Patchwork's JSON, as far as it is read.
mod wire {
    use serde::Deserialize;

    #[derive(Deserialize)]
    pub struct Event {
        pub id: u64,
        pub category: String,
        pub date: String,
        #[serde(default)]
        pub payload: Payload,
    }

    #[derive(Deserialize, Default)]
    pub struct Payload {
        pub series: Option<SeriesLink>,
    }

    #[derive(Deserialize)]
    pub struct SeriesLink {
        pub id: u64,
        pub name: Option<String>,
        pub version: Option<u32>,
        pub mbox: String,
    }

    #[derive(Deserialize)]
    pub struct Series {
        pub id: u64,
        pub name: Option<String>,
        pub version: Option<u32>,
        pub mbox: String,
        #[serde(default)]
        pub received_all: bool,
        pub cover_letter: Option<Item>,
        #[serde(default)]
        pub patches: Vec<Item>,
    }

    #[derive(Deserialize)]
    pub struct Item {
        pub id: u64,
        pub msgid: String,
        #[serde(default)]
        pub name: String,
    }

    impl Item {
        pub fn into_ref(self) -> super::PatchRef {
            super::PatchRef {
                id: self.id,
                msgid: super::bare_msgid(&self.msgid).to_string(),
                name: self.name,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts_are_slugs_and_long_links_are_left_out() {
        let mut check = Check::new(PatchworkState::Fail, "provgate");
        check.target_url = Some(format!("https://d/{}", "x".repeat(300)));
        check.description = Some("y".repeat(5000));
        let sent = check.normalized().unwrap();
        assert_eq!(sent.target_url, None);
        assert_eq!(
            sent.description.unwrap().chars().count(),
            MAX_DESCRIPTION_CHARS
        );
        for bad in ["", "pro vgate", "a/b", "é"] {
            assert!(
                Check::new(PatchworkState::Pending, bad)
                    .normalized()
                    .is_err(),
                "{bad}"
            );
        }
        assert_eq!(bare_msgid("<a@b>"), "a@b");
        assert_eq!(bare_msgid("a@b"), "a@b");
    }
}
