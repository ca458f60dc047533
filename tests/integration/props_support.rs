//! What the never-panic proptests of every reader share: the real files they start from and
//! the edits that turn a real result file into a damaged one. (The number of cases is
//! proptest's default, 256, or `PROPTEST_CASES` from the environment, which its default
//! config reads.)

use proptest::sample::Index;

/// The bytes of `rel` under the repository root (`fixtures/…`); each case reads only the file
/// it mutates.
pub fn fixture(rel: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Applies `edits` in order: 0 replaces a byte, 1 removes one, anything else cuts the file
/// there (a truncated write). Stops once the file is empty.
pub fn mutate(bytes: &mut Vec<u8>, edits: Vec<(Index, u8, u8)>) {
    for (at, byte, op) in edits {
        if bytes.is_empty() {
            break;
        }
        let i = at.index(bytes.len());
        match op {
            0 => bytes[i] = byte,
            1 => {
                bytes.remove(i);
            }
            _ => bytes.truncate(i),
        }
    }
}
