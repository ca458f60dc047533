//! `Secret`: a credential that never prints itself.
//!
//! Owns redaction. Only request builders call [`Secret::expose`]; every `Display`/`Debug` prints
//! `***`, so a secret inside settings, errors or reports cannot leak through formatting.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The raw value, for building an Authorization header or a token request. Nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_string())
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Secret(s.to_string()))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// [`scrub`] of an owned text, returned as it is (no copy) when it holds no secret.
pub fn scrub_owned(text: String, secrets: &[&Secret]) -> String {
    if secrets
        .iter()
        .any(|s| s.0.len() >= 4 && text.contains(&s.0))
    {
        scrub(&text, secrets)
    } else {
        text
    }
}

/// Replaces every occurrence of each non-empty secret in `text` with `***`. Used on text that
/// came back from a server (which may echo a credential) before it is shown or stored.
pub fn scrub(text: &str, secrets: &[&Secret]) -> String {
    let mut out = text.to_string();
    for s in secrets {
        // Very short values would mangle ordinary text and cannot be secrets worth the name.
        if s.0.len() >= 4 {
            out = out.replace(&s.0, "***");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_owned_scrubs_like_scrub_and_keeps_clean_text_as_it_is() {
        let secret = Secret::from("tok-1234");
        let leaked = "a tok-1234 b".to_string();
        assert_eq!(
            scrub_owned(leaked.clone(), &[&secret]),
            scrub(&leaked, &[&secret])
        );
        assert_eq!(scrub_owned(leaked, &[&secret]), "a *** b");
        let clean = "nothing here".to_string();
        let at = clean.as_ptr();
        let kept = scrub_owned(clean, &[&secret]);
        assert_eq!(kept.as_ptr(), at, "no copy");
        assert_eq!(
            scrub_owned("ab".into(), &[&Secret::from("ab")]),
            "ab",
            "too short to scrub"
        );
    }

    #[test]
    fn never_prints() {
        let s = Secret::from("hunter2");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(format!("{:?}", Some(&s)), "Some(Secret(***))");
    }

    #[test]
    fn scrub_removes_echoed_values() {
        let s = Secret::from("tok-123456");
        assert_eq!(scrub("bad token tok-123456!", &[&s]), "bad token ***!");
    }
}
