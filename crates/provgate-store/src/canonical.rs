//! Canonical JSON: the exact bytes that are hashed and signed.
//!
//! The form is that of RFC 8785 (JSON Canonicalization Scheme) for the values provgate writes:
//! UTF-8, no insignificant white space, object members sorted by the UTF-16 code units of their
//! names, strings escaped minimally (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other control
//! characters as `\u00xx` in lower-case hex, everything else as is), integers in decimal. Entries
//! hold integers only; a float (which only a free-form value from a report could bring) is written
//! as an integer when it is one, else in the shortest form that reads back to the same number.
//!
//! Verification never re-serialises: it hashes the bytes stored. Canonical form matters only so
//! that anyone can rebuild the bytes from the content.

use serde::Serialize;
use serde_json::Value;

/// The canonical JSON text of `value`.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let value = serde_json::to_value(value)?;
    let mut out = String::with_capacity(512);
    write_value(&value, &mut out);
    Ok(out)
}

/// Appends the canonical form of `value` to `out`.
pub fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(n, out),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push('{');
            for (i, (key, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_value(item, out);
            }
            out.push('}');
        }
    }
}

fn write_number(n: &serde_json::Number, out: &mut String) {
    use std::fmt::Write;
    if let Some(i) = n.as_i64() {
        let _ = write!(out, "{i}");
    } else if let Some(u) = n.as_u64() {
        let _ = write!(out, "{u}");
    } else if let Some(f) = n.as_f64() {
        if f.fract() == 0.0 && f.abs() < 1e15 {
            let _ = write!(out, "{}", f as i64);
        } else {
            let _ = write!(out, "{n}");
        }
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape: Option<&str> = match b {
            b'"' => Some("\\\""),
            b'\\' => Some("\\\\"),
            0x08 => Some("\\b"),
            0x0c => Some("\\f"),
            b'\n' => Some("\\n"),
            b'\r' => Some("\\r"),
            b'\t' => Some("\\t"),
            0x00..=0x1f => None,
            _ => continue,
        };
        out.push_str(&s[start..i]);
        match escape {
            Some(e) => out.push_str(e),
            None => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 0xf) as usize] as char);
            }
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorted_compact_escaped() {
        let v =
            json!({"b": [1, "x\u{1}\n\"é"], "a": null, "A": true, "\u{e000}": 1, "\u{1f600}": 2});
        let mut s = String::new();
        write_value(&v, &mut s);
        // U+1F600 is a surrogate pair (D83D…) and sorts before U+E000 in UTF-16 order.
        assert_eq!(
            s,
            "{\"A\":true,\"a\":null,\"b\":[1,\"x\\u0001\\n\\\"é\"],\"\u{1f600}\":2,\"\u{e000}\":1}"
        );
        // It reads back to the same value.
        assert_eq!(serde_json::from_str::<Value>(&s).unwrap(), v);
    }

    #[test]
    fn numbers() {
        let mut s = String::new();
        write_value(&json!([0, -3, 18446744073709551615u64, 2.0, 0.5]), &mut s);
        assert_eq!(s, "[0,-3,18446744073709551615,2,0.5]");
    }
}
