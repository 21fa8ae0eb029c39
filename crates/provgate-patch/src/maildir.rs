//! Maildir folders: listing their messages under stable keys, and reading one.
//!
//! A Maildir (<https://cr.yp.to/proto/maildir.html>) is a directory holding `tmp/`, `new/` and
//! `cur/`. A delivery agent writes a message into `tmp/` and renames it into `new/` under a
//! unique name; a mail reader later moves it to `cur/`, appending an *info* part (`:2,` and the
//! flags, `:2,RS`), and may change the flags again at any time. The part of the name before
//! the info is the message's identity for as long as it stays in the folder, so that is the key
//! a reader remembers ([`MaildirEntry::key`]); `tmp/` holds messages still being written and is
//! never read.
//!
//! Unique names start with the delivery time in seconds (`1717236000.M20P31.host`), so
//! messages are listed by that number and then by key: delivery order where names follow the
//! convention, and a stable order always.

use std::path::{Path, PathBuf};

/// A Maildir folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Maildir {
    path: PathBuf,
}

/// Which of the two readable subdirectories a message was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Folder {
    /// `new/`: delivered, not yet seen by a mail reader.
    New,
    /// `cur/`: seen by a mail reader, which may have flagged it.
    Cur,
}

impl Folder {
    fn dir(self) -> &'static str {
        match self {
            Folder::New => "new",
            Folder::Cur => "cur",
        }
    }
}

/// A file name of `new/` or `cur/`, split into its unique part and its info.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaildirName<'a> {
    /// The unique part: the message's key.
    pub key: &'a str,
    /// The info after the separator (`2,RS`), if any.
    pub info: Option<&'a str>,
}

/// One message of a Maildir.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaildirEntry {
    /// The unique part of its name, which stays the same when a mail reader moves it from
    /// `new/` to `cur/` or changes its flags.
    pub key: String,
    /// Where it was when listed.
    pub folder: Folder,
    /// Its file name then (key and info).
    pub name: String,
}

/// Why a Maildir could not be listed or a message read.
#[derive(Debug, thiserror::Error)]
pub enum MaildirError {
    /// The directory has neither `cur/` nor `new/`.
    #[error(
        "{}: not a Maildir (it has neither cur/ nor new/); name the Maildir folder itself (e.g. ~/Maildir/.lists.qemu-devel)",
        .0.display()
    )]
    NotAMaildir(PathBuf),
    /// A directory or message could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The directory or file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The message is no longer in the folder (deleted since it was listed).
    #[error("{}: message {key} is no longer in the Maildir (deleted since it was listed)", dir.display())]
    Gone {
        /// The Maildir.
        dir: PathBuf,
        /// The message's key.
        key: String,
    },
}

/// Splits a file name of `new/` or `cur/`. `None` for names a reader must pass over: hidden
/// ones (a leading `.`) and empty ones.
///
/// The info starts at the first `:` (the specification's separator: a unique part never holds
/// one, hosts with a `:` in their name write it `\072`). Where `:` cannot be used in file
/// names, mail programs write `;2,` or `!2,` instead; such a suffix is taken as the info when
/// nothing but flag letters follows it.
pub fn parse_name(name: &str) -> Option<MaildirName<'_>> {
    if name.is_empty() || name.starts_with('.') {
        return None;
    }
    let (key, info) = match name.split_once(':') {
        Some((key, info)) => (key, Some(info)),
        None => match alternative_info(name) {
            Some(at) => (&name[..at], Some(&name[at + 1..])),
            None => (name, None),
        },
    };
    (!key.is_empty()).then_some(MaildirName { key, info })
}

/// Where a `;2,FLAGS` or `!2,FLAGS` suffix starts.
fn alternative_info(name: &str) -> Option<usize> {
    let at = name.rfind([';', '!'])?;
    let info = &name[at + 1..];
    let flags = info.strip_prefix("2,")?;
    flags.bytes().all(|b| b.is_ascii_alphabetic()).then_some(at)
}

/// Whether `dir` looks like a Maildir: it holds `cur/` or `new/`.
pub fn is_maildir(dir: &Path) -> bool {
    dir.join("cur").is_dir() || dir.join("new").is_dir()
}

/// The delivery time a conventional unique name starts with (`1717236000.M20P31.host`).
fn delivery_seconds(key: &str) -> Option<u64> {
    let digits = key.split('.').next()?;
    if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

impl Maildir {
    /// The Maildir at `path`; [`MaildirError::NotAMaildir`] when it has neither `cur/` nor
    /// `new/`.
    pub fn open(path: &Path) -> Result<Maildir, MaildirError> {
        if !is_maildir(path) {
            return Err(MaildirError::NotAMaildir(path.to_path_buf()));
        }
        Ok(Maildir {
            path: path.to_path_buf(),
        })
    }

    /// The folder's directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every message of `new/` and `cur/`, once each (a message caught being moved from `new/`
    /// to `cur/` is listed from `cur/`), by delivery time and then key; subdirectories, hidden
    /// files and `tmp/` are left out.
    pub fn list(&self) -> Result<Vec<MaildirEntry>, MaildirError> {
        let mut entries: Vec<MaildirEntry> = Vec::new();
        for folder in [Folder::Cur, Folder::New] {
            let dir = self.path.join(folder.dir());
            let read = match std::fs::read_dir(&dir) {
                Ok(read) => read,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(source) => return Err(MaildirError::Io { path: dir, source }),
            };
            for entry in read {
                let entry = entry.map_err(|source| MaildirError::Io {
                    path: dir.clone(),
                    source,
                })?;
                // A name that is not UTF-8 cannot be a conventional unique name; it is still a
                // message, known by its lossy name.
                let name = entry.file_name().to_string_lossy().into_owned();
                let Some(parsed) = parse_name(&name) else {
                    continue;
                };
                let is_file = entry
                    .file_type()
                    .map(|t| t.is_file() || t.is_symlink())
                    .unwrap_or(false);
                if !is_file {
                    continue;
                }
                entries.push(MaildirEntry {
                    key: parsed.key.to_string(),
                    folder,
                    name: name.clone(),
                });
            }
        }
        // `cur/` was listed first, so the stable sort keeps its copy first among equal keys.
        entries.sort_by(|a, b| {
            (delivery_seconds(&a.key), &a.key).cmp(&(delivery_seconds(&b.key), &b.key))
        });
        entries.dedup_by(|later, earlier| later.key == earlier.key);
        Ok(entries)
    }

    /// The bytes of a listed message. A mail reader may have moved it to `cur/` or changed its
    /// flags since it was listed; it is then found again by its key.
    pub fn read(&self, entry: &MaildirEntry) -> Result<Vec<u8>, MaildirError> {
        let path = self.path.join(entry.folder.dir()).join(&entry.name);
        match std::fs::read(&path) {
            Ok(bytes) => return Ok(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(MaildirError::Io { path, source }),
        }
        for folder in [Folder::Cur, Folder::New] {
            let dir = self.path.join(folder.dir());
            let Ok(read) = std::fs::read_dir(&dir) else {
                continue;
            };
            for found in read.flatten() {
                let name = found.file_name().to_string_lossy().into_owned();
                if parse_name(&name).is_some_and(|p| p.key == entry.key) {
                    return std::fs::read(found.path()).map_err(|source| MaildirError::Io {
                        path: found.path(),
                        source,
                    });
                }
            }
        }
        Err(MaildirError::Gone {
            dir: self.path.clone(),
            key: entry.key.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names() {
        let p = parse_name("1717236000.M20P31.host:2,RS").unwrap();
        assert_eq!((p.key, p.info), ("1717236000.M20P31.host", Some("2,RS")));
        let p = parse_name("1717236000.M20P31.host").unwrap();
        assert_eq!((p.key, p.info), ("1717236000.M20P31.host", None));
        let p = parse_name("1717236000.M20P31.host!2,S").unwrap();
        assert_eq!((p.key, p.info), ("1717236000.M20P31.host", Some("2,S")));
        let p = parse_name("1717236000.M20P31.host;2,").unwrap();
        assert_eq!((p.key, p.info), ("1717236000.M20P31.host", Some("2,")));
        // `!` inside a unique part that no info follows is part of the key.
        let p = parse_name("odd!name").unwrap();
        assert_eq!((p.key, p.info), ("odd!name", None));
        assert_eq!(parse_name(".hidden"), None);
        assert_eq!(parse_name(""), None);
        assert_eq!(parse_name(":2,S"), None);
        assert_eq!(delivery_seconds("1717236000.M20P31.host"), Some(1717236000));
        assert_eq!(delivery_seconds("host.123"), None);
    }

    fn unique() -> impl Strategy<Value = String> {
        // Unique parts as delivery agents write them, and odd ones: anything but `/`, `:` and
        // a leading dot.
        prop_oneof![
            (1u64..4_000_000_000, 0u32..1_000_000, "[a-z0-9.-]{1,20}")
                .prop_map(|(t, n, host)| format!("{t}.M{n}P{}.{host}", n % 97)),
            "[^/:.\\x00][^/:\\x00]{0,40}",
        ]
    }

    proptest! {
        #[test]
        fn key_survives_any_info(key in unique(), flags in "[A-Za-z]{0,6}") {
            let plain = parse_name(&key).expect("a name");
            // A new/ name is its key, unless it happens to end like an alternative info.
            if alternative_info(&key).is_none() {
                prop_assert_eq!(plain.key, key.as_str());
                prop_assert_eq!(plain.info, None);
            }
            let name = format!("{key}:2,{flags}");
            let info = format!("2,{flags}");
            let cur = parse_name(&name).expect("a name");
            prop_assert_eq!(cur.key, key.as_str());
            prop_assert_eq!(cur.info, Some(info.as_str()));
        }

        #[test]
        fn any_name_splits_without_panicking(name in "\\PC{0,60}") {
            if let Some(p) = parse_name(&name) {
                prop_assert!(!p.key.is_empty());
                prop_assert!(name.starts_with(p.key));
                let rebuilt = match p.info {
                    Some(info) => p.key.len() + 1 + info.len(),
                    None => p.key.len(),
                };
                prop_assert_eq!(rebuilt, name.len());
            }
        }
    }
}
