//! The dedup label: the one Jira label that ties a bug to its test across runs.
//!
//! Owns the frozen label algorithm. Changing anything here re-files every open bug, so the
//! algorithm is pinned by `fixtures/labels/vectors.json` (checked by `tests/integration/label_vectors.rs`).
//!
//! Algorithm (version 1):
//! 1. `id` is the Xray key lowercased when the test is mapped to one (`CALC-12` → `calc-12`);
//!    otherwise the first 16 lowercase hex digits of SHA-256 over the UTF-8 bytes of the
//!    *normalized* definition. Normalization: trim, and collapse every run of whitespace
//!    (Unicode `White_Space`, as Rust's `char::is_whitespace`) to one ASCII space. Case is kept:
//!    Xray matches definitions case-sensitively.
//! 2. The prefix is lowercased (Unicode lowercase) and every character outside
//!    `[a-z0-9_.:-]` becomes `-`.
//! 3. label = prefix + id, cut to 255 characters (Jira's limit; all characters are ASCII here).

use sha2::{Digest, Sha256};

use crate::model::identity::TestIdentity;

/// Jira rejects longer labels.
pub const MAX_LABEL_CHARS: usize = 255;

/// Hex digits of the definition hash kept in a label: 64 bits, ample for one site's tests.
const HASH_HEX_CHARS: usize = 16;

/// `<prefix><id>`: see the module doc for the exact, frozen algorithm.
pub fn dedup_label(prefix: &str, test_id: &TestIdentity) -> String {
    let id = match test_id {
        TestIdentity::Key(key) => sanitize(key.as_str()),
        TestIdentity::Definition(definition) => definition_hash(definition),
    };
    let mut label = sanitize(prefix);
    label.push_str(&id);
    // Everything is ASCII after sanitizing, so a byte cut is a char cut.
    label.truncate(MAX_LABEL_CHARS);
    label
}

/// The whitespace-normalized definition the hash is taken over.
pub fn normalize_definition(definition: &str) -> String {
    definition.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// First 16 hex digits of SHA-256 of the normalized definition.
pub fn definition_hash(definition: &str) -> String {
    let digest = Sha256::digest(normalize_definition(definition).as_bytes());
    let mut hex = String::with_capacity(HASH_HEX_CHARS);
    for byte in digest.iter().take(HASH_HEX_CHARS / 2) {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

/// Lowercases and replaces everything outside `[a-z0-9_.:-]` with `-`.
pub fn sanitize(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | ':' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// True when `label` is one xray-sync could have generated: non-empty, at most 255 characters,
/// only `[a-z0-9_.:-]`.
pub fn is_label_safe(label: &str) -> bool {
    !label.is_empty() && label.len() <= MAX_LABEL_CHARS && sanitize(label) == label
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::identity::IssueKey;

    fn key(k: &str) -> TestIdentity {
        TestIdentity::Key(IssueKey::parse(k).unwrap())
    }

    #[test]
    fn key_label_is_lowercased_key() {
        assert_eq!(
            dedup_label("xray-sync-", &key("CALC-123")),
            "xray-sync-calc-123"
        );
    }

    #[test]
    fn definition_label_ignores_whitespace_layout() {
        let a = dedup_label("p-", &TestIdentity::Definition("a.b  c".into()));
        let b = dedup_label("p-", &TestIdentity::Definition(" a.b\tc\n".into()));
        assert_eq!(a, b);
        assert_eq!(a.len(), 2 + 16);
        let c = dedup_label("p-", &TestIdentity::Definition("A.b c".into()));
        assert_ne!(a, c, "case is significant");
    }

    #[test]
    fn prefix_is_sanitized_and_label_bounded() {
        let label = dedup_label("My Team/", &key("CALC-1"));
        assert_eq!(label, "my-team-calc-1");
        let long = "x".repeat(400);
        assert_eq!(dedup_label(&long, &key("CALC-1")).len(), MAX_LABEL_CHARS);
        assert!(is_label_safe("xray-sync-calc-1"));
        assert!(!is_label_safe("has space"));
    }
}
