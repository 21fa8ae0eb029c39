//! Grouping patch e-mails into series, as a maintainer reading a list would.
//!
//! Messages belong together when they share a thread root (the first `References` id, else
//! `In-Reply-To`, else their own Message-ID) and a version; a v2 sent in reply to v1 stays a
//! separate series. Messages without Message-IDs (format-patch files written without threading)
//! are grouped by version and announced total, a run of them lasting until a position repeats.

use std::collections::HashMap;

use crate::model::{Patch, Series, SeriesPosition};

/// Groups patches into series in order of first appearance, each sorted by position, and fills
/// in every patch's [`Patch::series`].
pub fn group_into_series(patches: Vec<Patch>) -> Vec<Series> {
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<String, Vec<Patch>> = HashMap::new();
    let mut loose = LooseRuns::default();
    // Reports find a patch by its id: two messages with one id (the same Message-ID or commit
    // line sent twice) must stay two patches, so a repeated id gets `#2`, `#3`, ….
    let mut seen: HashMap<String, usize> = HashMap::new();
    for mut patch in patches {
        let count = seen.entry(patch.id.clone()).or_insert(0);
        *count += 1;
        if *count > 1 {
            patch.id = format!("{}#{count}", patch.id);
        }
        let key = group_key(&patch, &mut loose);
        if !groups.contains_key(&key) {
            order.push(key.clone());
        }
        groups.entry(key).or_default().push(patch);
    }
    order
        .into_iter()
        .filter_map(|key| groups.remove(&key))
        .map(build_series)
        .collect()
}

/// Unthreaded numbered patches (`git format-patch` without `--thread`) carry nothing that ties
/// them together but their `i/N` numbering: a run lasts until a position repeats.
#[derive(Default)]
struct LooseRuns {
    run: usize,
    current: Option<(u32, u32)>,
    seen: std::collections::HashSet<u32>,
}

impl LooseRuns {
    fn key(&mut self, version: u32, total: u32, index: Option<u32>) -> String {
        let repeats = index.is_some_and(|i| self.seen.contains(&i));
        if self.current != Some((version, total)) || repeats {
            self.run += 1;
            self.current = Some((version, total));
            self.seen.clear();
        }
        if let Some(i) = index {
            self.seen.insert(i);
        }
        format!("loose\0{}", self.run)
    }
}

fn group_key(patch: &Patch, loose: &mut LooseRuns) -> String {
    let prefix = patch.prefix.clone().unwrap_or_default();
    let version = prefix.version.max(1);
    let root = patch
        .references
        .first()
        .or(patch.in_reply_to.as_ref())
        .or(patch.message_id.as_ref());
    match (root, prefix.total) {
        (Some(root), _) => format!("thread\0{root}\0{version}"),
        (None, Some(total)) => loose.key(version, total, prefix.index),
        // A lone patch without threading is its own series.
        (None, None) => format!("single\0{}", patch.id),
    }
}

fn build_series(mut patches: Vec<Patch>) -> Series {
    patches.sort_by_key(|p| p.prefix.as_ref().and_then(|x| x.index).unwrap_or(1));
    let first = &patches[0];
    let version = first.prefix.as_ref().map_or(1, |p| p.version.max(1));
    let total = patches.iter().find_map(|p| p.prefix.as_ref()?.total);
    let cover_at = patches
        .iter()
        .position(|p| p.prefix.as_ref().and_then(|x| x.index) == Some(0));
    // The series is known by its cover letter, else its first patch.
    let id = cover_at
        .map(|i| &patches[i])
        .unwrap_or(first)
        .message_id
        .clone()
        .unwrap_or_else(|| first.id.clone());
    for patch in &mut patches {
        let prefix = patch.prefix.clone().unwrap_or_default();
        patch.series = Some(SeriesPosition {
            id: id.clone(),
            version,
            index: prefix.index,
            total: prefix.total,
        });
    }
    let cover = cover_at.map(|i| patches.remove(i));
    Series {
        id,
        version,
        total,
        cover,
        patches,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Origin, SubjectPrefix};

    fn mail(id: &str, reply_to: Option<&str>, version: u32, index: u32, total: u32) -> Patch {
        let mut p = Patch::new(id, Origin::Diff { file: "t".into() });
        p.message_id = Some(id.to_string());
        p.in_reply_to = reply_to.map(str::to_string);
        p.references = reply_to.map(|r| vec![r.to_string()]).unwrap_or_default();
        p.prefix = Some(SubjectPrefix {
            version,
            index: Some(index),
            total: Some(total),
            ..SubjectPrefix::default()
        });
        p
    }

    #[test]
    fn unthreaded_runs_split_where_a_position_repeats() {
        let loose = |id: &str, index: u32| {
            let mut p = mail(id, None, 1, index, 2);
            p.message_id = None;
            p
        };
        let series = group_into_series(vec![
            loose("a1", 1),
            loose("a2", 2),
            loose("b1", 1),
            loose("b2", 2),
        ]);
        let ids: Vec<Vec<&str>> = series
            .iter()
            .map(|s| s.patches.iter().map(|p| p.id.as_str()).collect())
            .collect();
        assert_eq!(ids, vec![vec!["a1", "a2"], vec!["b1", "b2"]]);
    }

    #[test]
    fn threads_and_versions_make_series() {
        let series = group_into_series(vec![
            mail("c1", None, 1, 0, 2),
            mail("p2", Some("c1"), 1, 2, 2),
            mail("p1", Some("c1"), 1, 1, 2),
            mail("c2", Some("c1"), 2, 0, 1),
            mail("q1", Some("c1"), 2, 1, 1),
        ]);
        assert_eq!(series.len(), 2);
        assert_eq!(series[0].id, "c1");
        assert_eq!(series[0].cover.as_ref().unwrap().id, "c1");
        let ids: Vec<_> = series[0].patches.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["p1", "p2"]);
        assert_eq!(series[1].id, "c2");
        assert_eq!(series[1].version, 2);
        assert!(series[0].missing().is_empty());
        assert_eq!(series[0].patches[1].series.as_ref().unwrap().index, Some(2));
    }
}
