//! What the never-panic proptests of every reader share: the edits that turn a real result
//! file into a damaged one.

use proptest::sample::Index;

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
