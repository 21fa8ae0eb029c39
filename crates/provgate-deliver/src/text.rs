//! Cutting text to an API's limit without splitting a character.

/// `text` cut to at most `max` characters; a cut text ends with `…` (counted in `max`).
pub fn cut_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
pub(crate) fn prefix_bytes(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn cuts_stay_within_limits(text in "\\PC{0,60}", max in 1usize..40) {
            let cut = cut_chars(&text, max);
            proptest::prop_assert!(cut.chars().count() <= max);
            let prefix = prefix_bytes(&text, max);
            proptest::prop_assert!(prefix.len() <= max && text.starts_with(prefix));
        }
    }
}
