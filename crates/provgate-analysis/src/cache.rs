//! The on-disk index cache: one file per indexed tree, holding the symbols of its blobs.
//!
//! # Where
//!
//! `<git dir>/provgate/index/v1/<tree id>.pgi` (the repository's git directory, so that the cache
//! follows the repository and never lands in a work tree).
//!
//! # Format (version 3)
//!
//! All integers are little-endian; `varint` is LEB128 (7 bits a byte, high bit = more).
//!
//! | field | bytes | meaning |
//! |---|---|---|
//! | magic | 4 | `PGIX` |
//! | version | 1 | `3` (files of another version are ignored and rebuilt) |
//! | kind | 1 | `0`: full (every blob of the tree); `1`: delta (only the blobs its base lacks) |
//! | depth | 1 | number of delta files below this one (0 for a full file) |
//! | reserved | 1 | `0` |
//! | fingerprint | 8 | the language plug-ins' extraction versions ([`crate::lang::Languages::fingerprint`]); a file with another fingerprint is ignored |
//! | base | 20 | for a delta: the tree id whose file holds the other blobs; zeros for a full file |
//! | strings | varint n, then n × (varint len, UTF-8 bytes) | every name and language name, once |
//! | blobs | varint n, then n × blob | |
//! | checksum | 8 | FNV-1a 64 of every byte before it |
//!
//! A blob is: its id (20 bytes), the language (varint string index), the definitions (varint n,
//! then n × (varint name index, kind byte ([`SymbolKind`] value), flags byte, varint line)), the
//! calls (varint n, then n × varint name index), and the attribute macros (varint n, then n ×
//! (varint name index, bits byte (1: function-like, 2: stands for `asm`), varint number of
//! references, then each as a varint name index)), the paste rules (varint n, then n × (varint
//! macro name index, varint parameter, tag byte, then for tag 0 (a name) varint prefix and suffix
//! indexes, for tag 1 (a forward) varint macro name index and varint argument)), and the
//! file-scope invocations (varint n, then n × (varint name index, varint number of arguments,
//! then each as a varint string index, the empty string for an argument that is not an
//! identifier)); version 1 had no attribute macros, version 2 no paste rules nor invocations.
//!
//! A tree's blob list is not stored: git gives it. Loading a delta loads its base first; delta
//! chains are kept short ([`MAX_DEPTH`]) by writing a full file instead. Files are written to a
//! temporary name and renamed, so a reader never sees half a file; a damaged file (bad magic,
//! checksum, or structure) is ignored and rebuilt.

use std::sync::Arc;

use crate::symbols::{
    AttributeMacro, FileSymbols, MacroInvocation, MacroPaste, PasteTarget, Symbol, SymbolKind,
};

/// The magic bytes.
pub const MAGIC: &[u8; 4] = b"PGIX";
/// The format version.
pub const VERSION: u8 = 3;
/// The longest chain of delta files before a full file is written.
pub const MAX_DEPTH: u8 = 8;

/// A blob id (SHA-1).
pub type BlobId = [u8; 20];

/// The contents of one cache file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexFile {
    /// The extraction fingerprint the symbols were made with.
    pub fingerprint: u64,
    /// For a delta, the tree whose file holds the remaining blobs.
    pub base: Option<BlobId>,
    /// Delta files below this one.
    pub depth: u8,
    /// Blob ids and their symbols.
    pub blobs: Vec<(BlobId, Arc<FileSymbols>)>,
}

/// Why a cache file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CacheError {
    /// Not a provgate index file, or a version this build does not read.
    #[error("not a provgate index file of version {VERSION}")]
    Format,
    /// The checksum does not match: the file is damaged.
    #[error("damaged index file (checksum mismatch)")]
    Checksum,
    /// The structure is inconsistent (a count or index out of range).
    #[error("damaged index file ({0})")]
    Structure(&'static str),
}

/// FNV-1a, 64 bits: the checksum and the plug-in fingerprint.
#[derive(Debug, Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv::new()
    }
}

impl Fnv {
    /// A new hasher.
    pub fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    /// Adds bytes.
    pub fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    /// The hash.
    pub fn finish(&self) -> u64 {
        self.0
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[derive(Default)]
struct Interner<'a> {
    strings: Vec<&'a str>,
    ids: std::collections::HashMap<&'a str, u64>,
}

impl<'a> Interner<'a> {
    fn id(&mut self, s: &'a str) -> u64 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.strings.len() as u64;
        self.strings.push(s);
        self.ids.insert(s, i);
        i
    }
}

/// Encodes a cache file.
pub fn encode(file: &IndexFile) -> Vec<u8> {
    let mut strings = Interner::default();
    let mut body = Vec::new();
    put_varint(&mut body, file.blobs.len() as u64);
    type Interned<'a> = (
        u64,
        Vec<(u64, &'a Symbol)>,
        Vec<u64>,
        Vec<(u64, u8, Vec<u64>)>,
        Vec<(u64, u32, u8, u64, u64)>,
        Vec<(u64, Vec<u64>)>,
    );
    let mut interned: Vec<Interned> = Vec::new();
    for (_, syms) in &file.blobs {
        let lang = strings.id(syms.language.as_str());
        let defs = syms
            .defs
            .iter()
            .map(|d| (strings.id(d.name.as_str()), d))
            .collect();
        let calls = syms.calls.iter().map(|c| strings.id(c.as_str())).collect();
        let attrs = syms
            .attribute_macros
            .iter()
            .map(|m| {
                let bits = u8::from(m.function_like) | (u8::from(m.asm) << 1);
                let refs = m.refs.iter().map(|r| strings.id(r.as_str())).collect();
                (strings.id(m.name.as_str()), bits, refs)
            })
            .collect();
        let pastes = syms
            .pastes
            .iter()
            .map(|p| {
                let (tag, a, b) = match &p.to {
                    PasteTarget::Name { prefix, suffix } => {
                        (0, strings.id(prefix.as_str()), strings.id(suffix.as_str()))
                    }
                    PasteTarget::Forward { name, arg } => {
                        (1, strings.id(name.as_str()), u64::from(*arg))
                    }
                };
                (strings.id(p.name.as_str()), p.param, tag, a, b)
            })
            .collect();
        let invocations = syms
            .invocations
            .iter()
            .map(|v| {
                let args = v.args.iter().map(|a| strings.id(a.as_str())).collect();
                (strings.id(v.name.as_str()), args)
            })
            .collect();
        interned.push((lang, defs, calls, attrs, pastes, invocations));
    }
    for ((id, _), (lang, defs, calls, attrs, pastes, invocations)) in
        file.blobs.iter().zip(&interned)
    {
        body.extend_from_slice(id);
        put_varint(&mut body, *lang);
        put_varint(&mut body, defs.len() as u64);
        for (name, d) in defs {
            put_varint(&mut body, *name);
            body.push(d.kind as u8);
            body.push(d.flags);
            put_varint(&mut body, u64::from(d.line));
        }
        put_varint(&mut body, calls.len() as u64);
        for c in calls {
            put_varint(&mut body, *c);
        }
        put_varint(&mut body, attrs.len() as u64);
        for (name, bits, refs) in attrs {
            put_varint(&mut body, *name);
            body.push(*bits);
            put_varint(&mut body, refs.len() as u64);
            for r in refs {
                put_varint(&mut body, *r);
            }
        }
        put_varint(&mut body, pastes.len() as u64);
        for (name, param, tag, a, b) in pastes {
            put_varint(&mut body, *name);
            put_varint(&mut body, u64::from(*param));
            body.push(*tag);
            put_varint(&mut body, *a);
            put_varint(&mut body, *b);
        }
        put_varint(&mut body, invocations.len() as u64);
        for (name, args) in invocations {
            put_varint(&mut body, *name);
            put_varint(&mut body, args.len() as u64);
            for a in args {
                put_varint(&mut body, *a);
            }
        }
    }
    let strings = strings.strings;
    let mut out = Vec::with_capacity(body.len() + strings.len() * 12 + 64);
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.push(u8::from(file.base.is_some()));
    out.push(file.depth);
    out.push(0);
    out.extend_from_slice(&file.fingerprint.to_le_bytes());
    out.extend_from_slice(&file.base.unwrap_or([0; 20]));
    put_varint(&mut out, strings.len() as u64);
    for s in &strings {
        put_varint(&mut out, s.len() as u64);
        out.extend_from_slice(s.as_bytes());
    }
    out.extend_from_slice(&body);
    let mut h = Fnv::new();
    h.write(&out);
    out.extend_from_slice(&h.finish().to_le_bytes());
    out
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn bytes(&mut self, n: usize) -> Result<&'a [u8], CacheError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.data.len())
            .ok_or(CacheError::Structure("truncated"))?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn byte(&mut self) -> Result<u8, CacheError> {
        Ok(self.bytes(1)?[0])
    }

    fn varint(&mut self) -> Result<u64, CacheError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(CacheError::Structure("varint too long"))
    }

    /// A count that cannot exceed the bytes left (each item takes at least `min` bytes).
    fn count(&mut self, min: usize) -> Result<usize, CacheError> {
        let n = self.varint()?;
        let left = (self.data.len() - self.pos) as u64;
        if n.saturating_mul(min as u64) > left {
            return Err(CacheError::Structure("count larger than the file"));
        }
        Ok(n as usize)
    }
}

/// Decodes a cache file; never panics, whatever the bytes.
pub fn decode(data: &[u8]) -> Result<IndexFile, CacheError> {
    if data.len() < 4 + 4 + 8 + 20 + 8 || &data[..4] != MAGIC || data[4] != VERSION {
        return Err(CacheError::Format);
    }
    let (content, sum) = data.split_at(data.len() - 8);
    let mut h = Fnv::new();
    h.write(content);
    if h.finish().to_le_bytes() != sum {
        return Err(CacheError::Checksum);
    }
    let mut r = Reader {
        data: content,
        pos: 5,
    };
    let kind = r.byte()?;
    let depth = r.byte()?;
    let _reserved = r.byte()?;
    let fingerprint = u64::from_le_bytes(r.bytes(8)?.try_into().unwrap_or([0; 8]));
    let mut base = [0u8; 20];
    base.copy_from_slice(r.bytes(20)?);
    let base = match kind {
        0 => None,
        1 => Some(base),
        _ => return Err(CacheError::Structure("unknown kind")),
    };
    let nstrings = r.count(1)?;
    let mut strings: Vec<&str> = Vec::with_capacity(nstrings);
    for _ in 0..nstrings {
        let len = r.count(1)?;
        let s =
            std::str::from_utf8(r.bytes(len)?).map_err(|_| CacheError::Structure("not UTF-8"))?;
        strings.push(s);
    }
    let string = |i: u64| -> Result<&str, CacheError> {
        strings
            .get(i as usize)
            .copied()
            .ok_or(CacheError::Structure("string index out of range"))
    };
    let nblobs = r.count(24)?;
    let mut blobs = Vec::with_capacity(nblobs);
    for _ in 0..nblobs {
        let mut id = [0u8; 20];
        id.copy_from_slice(r.bytes(20)?);
        let language = string(r.varint()?)?.to_string();
        let ndefs = r.count(4)?;
        let mut defs = Vec::with_capacity(ndefs);
        for _ in 0..ndefs {
            let name = string(r.varint()?)?.to_string();
            let kind = SymbolKind::from_u8(r.byte()?)
                .ok_or(CacheError::Structure("unknown symbol kind"))?;
            let flags = r.byte()?;
            let line = u32::try_from(r.varint()?)
                .map_err(|_| CacheError::Structure("line out of range"))?;
            defs.push(Symbol {
                name,
                kind,
                line,
                flags,
            });
        }
        let ncalls = r.count(1)?;
        let mut calls = Vec::with_capacity(ncalls);
        for _ in 0..ncalls {
            calls.push(string(r.varint()?)?.to_string());
        }
        let nattrs = r.count(3)?;
        let mut attribute_macros = Vec::with_capacity(nattrs);
        for _ in 0..nattrs {
            let name = string(r.varint()?)?.to_string();
            let bits = r.byte()?;
            if bits > 3 {
                return Err(CacheError::Structure("unknown attribute macro bits"));
            }
            let nrefs = r.count(1)?;
            let mut refs = Vec::with_capacity(nrefs);
            for _ in 0..nrefs {
                refs.push(string(r.varint()?)?.to_string());
            }
            attribute_macros.push(AttributeMacro {
                name,
                function_like: bits & 1 != 0,
                asm: bits & 2 != 0,
                refs,
            });
        }
        let npastes = r.count(5)?;
        let mut pastes = Vec::with_capacity(npastes);
        for _ in 0..npastes {
            let name = string(r.varint()?)?.to_string();
            let param = u32::try_from(r.varint()?)
                .map_err(|_| CacheError::Structure("parameter out of range"))?;
            let tag = r.byte()?;
            let (a, b) = (r.varint()?, r.varint()?);
            let to = match tag {
                0 => PasteTarget::Name {
                    prefix: string(a)?.to_string(),
                    suffix: string(b)?.to_string(),
                },
                1 => PasteTarget::Forward {
                    name: string(a)?.to_string(),
                    arg: u32::try_from(b)
                        .map_err(|_| CacheError::Structure("argument out of range"))?,
                },
                _ => return Err(CacheError::Structure("unknown paste target")),
            };
            pastes.push(MacroPaste { name, param, to });
        }
        let ninvocations = r.count(2)?;
        let mut invocations = Vec::with_capacity(ninvocations);
        for _ in 0..ninvocations {
            let name = string(r.varint()?)?.to_string();
            let nargs = r.count(1)?;
            let mut args = Vec::with_capacity(nargs);
            for _ in 0..nargs {
                args.push(string(r.varint()?)?.to_string());
            }
            invocations.push(MacroInvocation { name, args });
        }
        blobs.push((
            id,
            Arc::new(FileSymbols {
                language,
                defs,
                calls,
                attribute_macros,
                pastes,
                invocations,
            }),
        ));
    }
    if r.pos != content.len() {
        return Err(CacheError::Structure("trailing bytes"));
    }
    Ok(IndexFile {
        fingerprint,
        base,
        depth,
        blobs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> IndexFile {
        let mut a = FileSymbols::new("c");
        a.def("main", SymbolKind::Function, 3, 1);
        a.def("N", SymbolKind::Macro, 1, 6);
        a.calls = vec!["printf".into(), "helper".into()];
        a.attribute_macros.push(AttributeMacro {
            name: "__init".into(),
            function_like: false,
            asm: false,
            refs: vec!["__section".into(), "helper".into()],
        });
        let mut b = FileSymbols::new("rust");
        b.def("vec!", SymbolKind::Import, 300_000, 0);
        IndexFile {
            fingerprint: 42,
            base: Some([7; 20]),
            depth: 3,
            blobs: vec![([1; 20], Arc::new(a)), ([2; 20], Arc::new(b))],
        }
    }

    #[test]
    fn round_trips() {
        let f = sample();
        assert_eq!(decode(&encode(&f)).unwrap(), f);
        let full = IndexFile {
            base: None,
            depth: 0,
            ..sample()
        };
        assert_eq!(decode(&encode(&full)).unwrap(), full);
    }

    #[test]
    fn files_of_the_first_version_are_not_read() {
        // Version 1 had no attribute macros: its blobs must be rebuilt, not misread.
        let mut bytes = encode(&sample());
        bytes[4] = 1;
        assert_eq!(decode(&bytes), Err(CacheError::Format));
    }

    #[test]
    fn damage_is_detected() {
        let bytes = encode(&sample());
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x55;
            assert!(decode(&b).is_err(), "byte {i}");
        }
        for n in 0..bytes.len() {
            assert!(decode(&bytes[..n]).is_err(), "truncated to {n}");
        }
    }

    fn symbols() -> impl Strategy<Value = FileSymbols> {
        (
            "[a-z]{1,6}",
            proptest::collection::vec(
                ("[a-zA-Z_!]{0,12}", 0u8..13, any::<u8>(), any::<u32>()),
                0..8,
            ),
            proptest::collection::vec("[a-z_]{0,10}", 0..8),
            proptest::collection::vec(
                (
                    "[a-z_]{1,10}",
                    any::<bool>(),
                    any::<bool>(),
                    proptest::collection::vec("[a-z_]{0,10}", 0..4),
                ),
                0..4,
            ),
            proptest::collection::vec(
                (
                    "[a-z_]{1,10}",
                    0u32..4,
                    any::<bool>(),
                    "[a-z_]{0,10}",
                    "[a-z_]{0,10}",
                ),
                0..4,
            ),
            proptest::collection::vec(
                (
                    "[a-z_]{1,10}",
                    proptest::collection::vec("[a-z_]{0,10}", 0..4),
                ),
                0..4,
            ),
        )
            .prop_map(
                |(language, defs, calls, attrs, pastes, invocations)| FileSymbols {
                    language,
                    defs: defs
                        .into_iter()
                        .map(|(name, k, flags, line)| Symbol {
                            name,
                            kind: SymbolKind::from_u8(k).unwrap(),
                            flags,
                            line,
                        })
                        .collect(),
                    calls,
                    attribute_macros: attrs
                        .into_iter()
                        .map(|(name, function_like, asm, refs)| AttributeMacro {
                            name,
                            function_like,
                            asm,
                            refs,
                        })
                        .collect(),
                    pastes: pastes
                        .into_iter()
                        .map(|(name, param, forward, a, b)| MacroPaste {
                            name,
                            param,
                            to: if forward {
                                PasteTarget::Forward {
                                    name: a,
                                    arg: b.len() as u32,
                                }
                            } else {
                                PasteTarget::Name {
                                    prefix: a,
                                    suffix: b,
                                }
                            },
                        })
                        .collect(),
                    invocations: invocations
                        .into_iter()
                        .map(|(name, args)| MacroInvocation { name, args })
                        .collect(),
                },
            )
    }

    proptest! {
        #[test]
        fn any_index_round_trips(
            fingerprint in any::<u64>(),
            base in proptest::option::of(any::<[u8; 20]>()),
            depth in any::<u8>(),
            blobs in proptest::collection::vec((any::<[u8; 20]>(), symbols()), 0..6),
        ) {
            let f = IndexFile {
                fingerprint,
                base,
                depth,
                blobs: blobs.into_iter().map(|(id, s)| (id, Arc::new(s))).collect(),
            };
            prop_assert_eq!(decode(&encode(&f)).unwrap(), f);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = decode(&bytes);
            let mut with_magic = b"PGIX\x02".to_vec();
            with_magic.extend_from_slice(&bytes);
            let _ = decode(&with_magic);
        }
    }
}
