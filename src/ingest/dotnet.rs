//! The .NET result formats (NUnit, xUnit.net, TRX): one file of a sniffed format to its reader.
//!
//! Owns only the dispatch; the safe XML driver and the sniffing live below the readers in
//! `safe_xml` (re-exported here under their old paths), so `nunit`, `xunit` and `trx` depend on
//! it one way.

use std::path::Path;

use crate::model::{Format, InputError, TestCase};

pub use super::safe_xml::{MAX_DEPTH, MAX_EVENT_BYTES, parse_timespan, root_element, sniff};

/// Parses one file of a .NET `format` (as [`sniff`] named it) into test cases.
pub fn parse_path(path: &Path, format: Format) -> Result<Vec<TestCase>, InputError> {
    match format {
        Format::Nunit => super::nunit::parse_path(path),
        Format::Xunit => super::xunit::parse_path(path),
        Format::Trx => super::trx::parse_path(path),
        other => Err(InputError::whole_file(
            path,
            format!("{} is not a .NET result format", other.as_str()),
        )),
    }
}

/// Like [`parse_path`], but NUnit and xUnit.net files cut short keep the tests read completely
/// before the error. TRX lists results before the definitions that name their classes, so a
/// cut TRX file keeps nothing (its results could not be identified).
pub fn salvage_path(path: &Path, format: Format) -> (Vec<TestCase>, Option<InputError>) {
    match format {
        Format::Nunit => super::nunit::salvage_path(path),
        Format::Xunit => super::xunit::salvage_path(path),
        _ => match parse_path(path, format) {
            Ok(cases) => (cases, None),
            Err(e) => (Vec::new(), Some(e)),
        },
    }
}
