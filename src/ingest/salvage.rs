//! The two shapes of a salvaging reader's answer: kept results with the error that stopped
//! the read (`salvage_*`), or all-or-nothing (`parse_*`). Shared by the readers that keep what
//! they read before a cut (Cucumber/Behave JSON, Playwright JSON).

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::model::InputError;

/// A salvaging read as all-or-nothing: the results when nothing went wrong, else the error.
pub fn complete<T>((parsed, error): (T, Option<InputError>)) -> Result<T, InputError> {
    match error {
        None => Ok(parsed),
        Some(error) => Err(error),
    }
}

/// `read` over the opened file at `path`; a file that cannot be opened keeps nothing.
pub fn open<T: Default>(
    path: &Path,
    read: impl FnOnce(File) -> (T, Option<InputError>),
) -> (T, Option<InputError>) {
    match File::open(path) {
        Ok(file) => read(file),
        Err(e) => (
            T::default(),
            Some(InputError::whole_file(path, format!("cannot open: {e}"))),
        ),
    }
}

/// `r` buffered with a leading UTF-8 byte order mark skipped (Windows tools write one before
/// JSON, which serde does not accept); a read error is the file's error.
pub fn without_bom<R: Read>(r: R, path: &Path) -> Result<BufReader<R>, InputError> {
    let mut r = BufReader::new(r);
    match r.fill_buf() {
        Ok(head) if head.starts_with(b"\xEF\xBB\xBF") => r.consume(3),
        Ok(_) => {}
        Err(e) => return Err(InputError::whole_file(path, format!("cannot read: {e}"))),
    }
    Ok(r)
}
