//! Identifiers that arrive from outside: account ids in paths, summary ids in bodies.

/// Longest id we accept; DynamoDB keys allow more, but no CRM id is this long.
const MAX_ID_LEN: usize = 128;

/// True when `id` is an identifier we are willing to use in a key: 1–128 characters of
/// ASCII letters, digits and `-_.:@`. Anything else is a client mistake (400), never a lookup.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':' | b'@'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_crm_style_ids() {
        assert!(is_valid_id("A-2e4581"));
        assert!(is_valid_id("0015g00000XyZ.1"));
        assert!(is_valid_id("01JH3V4Q9Z8K7M6N5P4R3S2T1V"));
    }

    #[test]
    fn rejects_empty_long_and_key_breaking_ids() {
        assert!(!is_valid_id(""));
        assert!(!is_valid_id(&"a".repeat(129)));
        assert!(!is_valid_id("A#1"));
        assert!(!is_valid_id("a/b"));
        assert!(!is_valid_id("a b"));
        assert!(!is_valid_id("é"));
    }
}
