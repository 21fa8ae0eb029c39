//! Signed checkpoints of the log's head, and ed25519 key files.
//!
//! A checkpoint is a small JSON file:
//!
//! ```json
//! {"type":"provgate/checkpoint/v1","log":"…","seq":4000,"hash":"…","time":"…",
//!  "key":"ed25519:…","signature":"…"}
//! ```
//!
//! `signature` is the base64 ed25519 signature of the UTF-8 text (each line ends with `\n`):
//!
//! ```text
//! provgate/checkpoint/v1
//! log <log id>
//! seq <sequence number of the head entry>
//! hash <hex SHA-256 of the head entry>
//! time <when the checkpoint was made>
//! ```
//!
//! and `key` names the key: `ed25519:` and the hex SHA-256 of the 32-byte public key, first 16
//! bytes. A third party needs only the public key (PEM, `-----BEGIN PUBLIC KEY-----`) to check
//! that the checkpoint is genuine; checking a log or an export against it then shows that the
//! entries up to `seq` are those that existed when it was signed — which catches a truncated or
//! rewritten log even when the head row was rewritten along with it.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const LF: ed25519_dalek::pkcs8::spki::der::pem::LineEnding =
    ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF;

use crate::canonical;
use crate::entry::hex;
use crate::error::{Result, StoreError};

/// The `type` of a checkpoint.
pub const CHECKPOINT_TYPE: &str = "provgate/checkpoint/v1";

/// A signed statement of the log's head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Always [`CHECKPOINT_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// The log's id.
    pub log: String,
    /// The head entry's sequence number.
    pub seq: i64,
    /// The head entry's hash.
    pub hash: String,
    /// When it was signed (RFC 3339 UTC).
    pub time: String,
    /// The signing key's id, see [`key_id`].
    pub key: String,
    /// Base64 ed25519 signature of [`Checkpoint::signed_text`].
    pub signature: String,
}

impl Checkpoint {
    /// Signs the head `(seq, hash)` of log `log`.
    pub fn sign(log: &str, seq: i64, hash: &str, key: &SigningKey) -> Checkpoint {
        let mut cp = Checkpoint {
            kind: CHECKPOINT_TYPE.to_string(),
            log: log.to_string(),
            seq,
            hash: hash.to_string(),
            time: crate::entry::now(),
            key: key_id(&key.verifying_key()),
            signature: String::new(),
        };
        let sig = key.sign(cp.signed_text().as_bytes());
        cp.signature = B64.encode(sig.to_bytes());
        cp
    }

    /// The exact text that is signed.
    pub fn signed_text(&self) -> String {
        format!(
            "{}\nlog {}\nseq {}\nhash {}\ntime {}\n",
            CHECKPOINT_TYPE, self.log, self.seq, self.hash, self.time
        )
    }

    /// Checks the signature with `key`: [`StoreError::WrongKey`] when the checkpoint names
    /// another key, [`StoreError::BadSignature`] when it does not verify.
    pub fn verify_signature(&self, key: &VerifyingKey) -> Result<()> {
        if self.kind != CHECKPOINT_TYPE {
            return Err(StoreError::BadSignature {
                detail: format!("not a provgate checkpoint (type {:?})", self.kind),
            });
        }
        let given = key_id(key);
        if self.key != given {
            return Err(StoreError::WrongKey {
                signed_by: self.key.clone(),
                given,
            });
        }
        let bytes = B64
            .decode(self.signature.trim())
            .map_err(|e| StoreError::BadSignature {
                detail: format!("the signature is not base64: {e}"),
            })?;
        let sig = Signature::from_slice(&bytes).map_err(|e| StoreError::BadSignature {
            detail: format!("the signature is malformed: {e}"),
        })?;
        key.verify(self.signed_text().as_bytes(), &sig)
            .map_err(|_| StoreError::BadSignature {
                detail: format!(
                    "the checkpoint of entry {} does not match its signature (altered)",
                    self.seq
                ),
            })
    }

    /// The file form: canonical JSON and a newline.
    pub fn to_json(&self) -> String {
        let mut s = canonical::to_string(self).expect("a checkpoint encodes");
        s.push('\n');
        s
    }

    /// Parses the file form.
    pub fn from_json(text: &str) -> std::result::Result<Checkpoint, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    /// Writes the file (replacing it atomically).
    pub fn write(&self, path: &Path) -> Result<()> {
        write_atomic(path, self.to_json().as_bytes(), false)
    }

    /// Reads a checkpoint file.
    pub fn read(path: &Path) -> Result<Checkpoint> {
        let text = std::fs::read_to_string(path).map_err(|source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Checkpoint::from_json(&text).map_err(|detail| StoreError::Checkpoint {
            path: path.to_path_buf(),
            detail,
        })
    }
}

/// A key's id: `ed25519:` and the first 16 bytes of the SHA-256 of the public key, in hex.
pub fn key_id(key: &VerifyingKey) -> String {
    format!("ed25519:{}", hex(&Sha256::digest(key.as_bytes())[..16]))
}

/// Reads a private key: PEM PKCS#8 (`-----BEGIN PRIVATE KEY-----`, as `openssl genpkey
/// -algorithm ed25519` writes).
pub fn read_signing_key(path: &Path) -> Result<SigningKey> {
    let text = read_key_text(path)?;
    if text.contains("PUBLIC KEY-----") {
        return Err(key_error(
            path,
            "this is a public key; signing needs the private key",
        ));
    }
    SigningKey::from_pkcs8_pem(&text).map_err(|e| {
        key_error(
            path,
            &format!("not an ed25519 private key in PEM PKCS#8 ({e})"),
        )
    })
}

/// Reads a public key: PEM SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`). A private key
/// file is accepted too (its public half is used).
pub fn read_verifying_key(path: &Path) -> Result<VerifyingKey> {
    let text = read_key_text(path)?;
    if text.contains("PRIVATE KEY-----") {
        return read_signing_key(path).map(|k| k.verifying_key());
    }
    VerifyingKey::from_public_key_pem(&text)
        .map_err(|e| key_error(path, &format!("not an ed25519 public key in PEM ({e})")))
}

/// Makes a new key pair from the operating system's random source and writes the private key
/// (PKCS#8 PEM, mode 0600 on Unix) and the public key (PEM). Refuses to overwrite either file.
pub fn generate_key_pair(private: &Path, public: &Path) -> Result<VerifyingKey> {
    for p in [private, public] {
        if p.exists() {
            return Err(key_error(p, "already exists; not overwritten"));
        }
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| key_error(private, &format!("no randomness: {e}")))?;
    let key = SigningKey::from_bytes(&seed);
    let pem = key
        .to_pkcs8_pem(LF)
        .map_err(|e| key_error(private, &e.to_string()))?;
    let public_pem = key
        .verifying_key()
        .to_public_key_pem(LF)
        .map_err(|e| key_error(public, &e.to_string()))?;
    write_atomic(private, pem.as_bytes(), true)?;
    write_atomic(public, public_pem.as_bytes(), false)?;
    Ok(key.verifying_key())
}

/// The PEM texts of a key pair (private PKCS#8, public SPKI).
pub fn key_pair_pem(key: &SigningKey) -> (String, String) {
    let private = key
        .to_pkcs8_pem(LF)
        .expect("an ed25519 key encodes")
        .to_string();
    let public = key
        .verifying_key()
        .to_public_key_pem(LF)
        .expect("an ed25519 key encodes");
    (private, public)
}

fn read_key_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|_| key_error(path, "not a PEM file (binary content)"))
}

fn key_error(path: &Path, detail: &str) -> StoreError {
    StoreError::Key {
        path: PathBuf::from(path),
        detail: detail.to_string(),
    }
}

pub(crate) fn write_atomic(path: &Path, bytes: &[u8], private: bool) -> Result<()> {
    use std::io::Write;
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let result = (|| {
        let mut f = options.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}
