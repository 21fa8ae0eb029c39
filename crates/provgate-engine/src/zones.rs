//! Where paths fall: their zones, kind, MAINTAINERS sections and people, read as
//! `get_maintainer.pl -f FILE` reads them (a file's content matched against `K:` keywords).

use std::path::{Path, PathBuf};

use provgate_policy::{Policy, ZoneInfo, Zones};

use crate::EngineError;

/// Paths classified.
#[derive(Debug, Clone)]
pub struct PathZones {
    /// One per path, in order.
    pub infos: Vec<ZoneInfo>,
    /// What could not be read (the MAINTAINERS file's own notes first).
    pub warnings: Vec<String>,
    /// Whether a MAINTAINERS file was read (without one, no path has sections or people).
    pub has_maintainers: bool,
}

/// The zones of `paths` (relative to `root`) under `policy`; `keywords: false` reads sections
/// from paths alone.
pub fn classify_paths(
    policy: &Policy,
    root: &Path,
    paths: &[String],
    keywords: bool,
) -> Result<PathZones, EngineError> {
    let mut zones = Zones::load(policy, Some(root))?;
    if !keywords {
        zones.set_keywords(false);
    }
    let read_content = zones.keywords() && zones.has_maintainers();
    let mut warnings: Vec<String> = zones.notes().to_vec();
    let infos = paths
        .iter()
        .map(|p| {
            let file: PathBuf = root.join(p.trim_start_matches("./"));
            if !read_content || !file.is_file() {
                return zones.classify(p);
            }
            match std::fs::read(&file) {
                Ok(content) => zones.classify_content(p, &content),
                Err(e) => {
                    warnings.push(format!(
                        "cannot read {}: {e}; its MAINTAINERS sections come from its path alone",
                        file.display()
                    ));
                    zones.classify(p)
                }
            }
        })
        .collect();
    Ok(PathZones {
        infos,
        warnings,
        has_maintainers: zones.has_maintainers(),
    })
}
