//! Attribute values and entity references under the JUnit reader's rules, below `parser`,
//! `case` and `text` (which all read them), so none of those depend on each other for it:
//! character references and the five predefined entities only, never a DOCTYPE entity.

use quick_xml::XmlVersion;
use quick_xml::events::{BytesRef, BytesStart};

use super::Failed;

/// Calls `f` with the local name and unescaped value of each attribute named in `wanted`.
/// Other attributes are skipped without unescaping or allocating.
pub(crate) fn for_attrs(
    e: &BytesStart<'_>,
    pos: u64,
    wanted: &[&[u8]],
    mut f: impl FnMut(&[u8], std::borrow::Cow<'_, str>),
) -> Result<(), Failed> {
    for attr in e.attributes().with_checks(false) {
        let attr = attr.map_err(|err| Failed::at(pos, format!("bad attribute: {err}")))?;
        let key = attr.key.local_name();
        let key = key.as_ref().as_bytes();
        // First byte first: most names differ there, and a slice comparison is a `memcmp` call
        // (one per wanted name and attribute was ~1 % of `xray-sync parse`).
        if !wanted.iter().any(|w| w.first() == key.first() && *w == key) {
            continue;
        }
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|err| Failed::at(pos, xml_message(&err)))?;
        f(key, value);
    }
    Ok(())
}

pub(crate) enum Resolved {
    Char(char),
    Str(&'static str),
}

/// Character references and the five predefined entities. Anything else is an error: entities
/// declared in a DOCTYPE are never expanded (billion laughs, external entities).
pub(crate) fn resolve_ref(r: &BytesRef<'_>, pos: u64) -> Result<Resolved, Failed> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => return Ok(Resolved::Char(c)),
        Ok(None) => {}
        Err(e) => return Err(Failed::at(pos, xml_message(&e))),
    }
    let name: &str = r;
    quick_xml::escape::resolve_predefined_entity(name)
        .map(Resolved::Str)
        .ok_or_else(|| {
            let shown: String = name.chars().take(64).collect();
            Failed::at(
                pos,
                format!("undefined entity &{shown}; (DOCTYPE entities are never expanded)"),
            )
        })
}

pub(crate) fn xml_message(e: &quick_xml::Error) -> String {
    format!("malformed XML: {e}")
}
