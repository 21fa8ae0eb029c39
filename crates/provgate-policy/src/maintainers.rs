//! The bridge to the `provgate-maintainers` parser (get_maintainer.pl semantics).

use std::path::Path;

use crate::error::PolicyError;
use crate::zones::SectionSource;

/// Reads a MAINTAINERS file into a [`SectionSource`].
///
/// Not wired yet: the `provgate-maintainers` crate has not landed in the workspace, so no file
/// is read and zones see no sections.
pub(crate) fn load(_path: &Path) -> Result<Option<Box<dyn SectionSource>>, PolicyError> {
    Ok(None)
}
