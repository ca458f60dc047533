//! Indented JSON, byte for byte what `serde_json`'s pretty printer writes (two spaces a level),
//! with each line break and its indentation written in one call.
//!
//! `serde_json::PrettyFormatter` writes the indentation one level at a time: a test in the plan
//! JSON sits six levels deep, so its ten lines cost some sixty writes of two bytes. Each is a
//! `memcpy` call through the writer, which the shipped musl build does slowly (benches/README).
//! Used for every large JSON output: the plan JSON, `parse --json`, the JSON report, spool files.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::Formatter;

/// Writes `value` as indented JSON.
pub fn to_writer<W: Write, T: Serialize + ?Sized>(writer: W, value: &T) -> serde_json::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(writer, Indented::default());
    value.serialize(&mut serializer)
}

/// [`to_writer`] into a new vector.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(128);
    to_writer(&mut out, value)?;
    Ok(out)
}

/// [`to_writer`] into a new string.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    // serde_json writes valid UTF-8 only, so this cannot fail; an error all the same, not a panic.
    String::from_utf8(to_vec(value)?).map_err(serde::ser::Error::custom)
}

/// The formatter. `break_line` is `,\n` followed by the current indentation: a value after the
/// first one of an array or object takes it whole, the first one from its second byte, and a
/// closing bracket from its second byte too, one level shorter.
struct Indented {
    depth: usize,
    /// Whether the array or object being closed had any value.
    has_value: bool,
    break_line: Vec<u8>,
}

impl Default for Indented {
    fn default() -> Self {
        Indented {
            depth: 0,
            has_value: false,
            break_line: b",\n".to_vec(),
        }
    }
}

const INDENT: &[u8] = b"  ";

impl Indented {
    fn open<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        let wanted = 2 + self.depth * INDENT.len();
        while self.break_line.len() < wanted {
            self.break_line.extend_from_slice(INDENT);
        }
        writer.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            writer.write_all(&self.break_line[1..2 + self.depth * INDENT.len()])?;
        }
        writer.write_all(bracket)
    }

    fn next_value<W: ?Sized + Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        let start = usize::from(first);
        writer.write_all(&self.break_line[start..2 + self.depth * INDENT.len()])
    }
}

impl Formatter for Indented {
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.next_value(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.next_value(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;

    fn same_as_serde_json(value: &Value) {
        assert_eq!(
            to_string(value).unwrap(),
            serde_json::to_string_pretty(value).unwrap()
        );
    }

    #[test]
    fn writes_what_serde_json_pretty_writes() {
        for value in [
            json!(null),
            json!(1.5),
            json!("a \"quoted\"\n\u{1}line"),
            json!([]),
            json!({}),
            json!([[]]),
            json!({"a": {}}),
            json!([1, [2, [3, [4, [5, [6, [7, [8, []]]]]]]]]),
            json!({"a": [1, {"b": [], "c": {"d": [true, false, null]}}], "e": "f"}),
            json!([{"deep": {"er": {"est": [{}, [], [[]], {"x": 1}]}}}, 2]),
        ] {
            same_as_serde_json(&value);
        }
    }

    fn any_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            ".{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(8, 64, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(".{0,4}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_document_is_written_as_serde_json_pretty_writes_it(value in any_value()) {
            prop_assert_eq!(
                to_string(&value).unwrap(),
                serde_json::to_string_pretty(&value).unwrap()
            );
        }
    }
}
