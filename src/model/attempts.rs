//! `Attempts`: a test's tries, with the first held inline.
//!
//! Most tests run once. A `Vec<Attempt>` gave each of them a heap block of its own (104 bytes
//! plus the allocator's header) and 24 bytes of vector; holding a lone try inline saves about
//! 40 bytes per test, 38 MB on a run of 950,000 tests (issue 18). It reads as a slice
//! (`Deref`), so readers index, iterate and count as before.

use std::ops::{Deref, DerefMut};

use serde::Serialize;

use super::Attempt;

/// A test's tries, in the order they ran. Never empty on a built `TestCase`; empty only as the
/// placeholder `Default` (what `std::mem::take` leaves).
#[derive(Clone, PartialEq)]
pub struct Attempts(Repr);

#[derive(Clone, PartialEq)]
enum Repr {
    One(Attempt),
    Many(Vec<Attempt>),
}

impl Attempts {
    /// Appends a try.
    pub fn push(&mut self, attempt: Attempt) {
        match &mut self.0 {
            Repr::Many(tries) if tries.is_empty() => self.0 = Repr::One(attempt),
            Repr::Many(tries) => tries.push(attempt),
            Repr::One(_) => {
                let Repr::One(first) = std::mem::take(self).0 else {
                    unreachable!("matched One")
                };
                self.0 = Repr::Many(vec![first, attempt]);
            }
        }
    }

    /// The tries as a vector (no copy when there are several).
    pub fn into_vec(self) -> Vec<Attempt> {
        match self.0 {
            Repr::One(a) => vec![a],
            Repr::Many(tries) => tries,
        }
    }
}

impl Default for Attempts {
    fn default() -> Self {
        Attempts(Repr::Many(Vec::new()))
    }
}

impl From<Vec<Attempt>> for Attempts {
    fn from(mut tries: Vec<Attempt>) -> Self {
        match tries.len() {
            1 => Attempts(Repr::One(tries.pop().expect("one try"))),
            _ => Attempts(Repr::Many(tries)),
        }
    }
}

impl From<Attempt> for Attempts {
    fn from(attempt: Attempt) -> Self {
        Attempts(Repr::One(attempt))
    }
}

impl Deref for Attempts {
    type Target = [Attempt];

    fn deref(&self) -> &[Attempt] {
        match &self.0 {
            Repr::One(a) => std::slice::from_ref(a),
            Repr::Many(tries) => tries,
        }
    }
}

impl DerefMut for Attempts {
    fn deref_mut(&mut self) -> &mut [Attempt] {
        match &mut self.0 {
            Repr::One(a) => std::slice::from_mut(a),
            Repr::Many(tries) => tries,
        }
    }
}

impl Extend<Attempt> for Attempts {
    fn extend<I: IntoIterator<Item = Attempt>>(&mut self, tries: I) {
        for attempt in tries {
            self.push(attempt);
        }
    }
}

impl IntoIterator for Attempts {
    type Item = Attempt;
    type IntoIter = std::vec::IntoIter<Attempt>;

    fn into_iter(self) -> Self::IntoIter {
        self.into_vec().into_iter()
    }
}

impl<'a> IntoIterator for &'a Attempts {
    type Item = &'a Attempt;
    type IntoIter = std::slice::Iter<'a, Attempt>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a> IntoIterator for &'a mut Attempts {
    type Item = &'a mut Attempt;
    type IntoIter = std::slice::IterMut<'a, Attempt>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

impl std::fmt::Debug for Attempts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Attempts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Format, Outcome, SourceRef};

    fn attempt(outcome: Outcome) -> Attempt {
        Attempt::new(
            outcome,
            SourceRef::new(std::path::Path::new("r.xml"), Format::Junit, None),
        )
    }

    #[test]
    fn one_try_inline_then_a_vector_in_order() {
        let mut tries = Attempts::from(attempt(Outcome::Skipped { message: None }));
        assert_eq!(tries.len(), 1);
        tries.push(attempt(Outcome::Passed));
        tries.extend([attempt(Outcome::Skipped { message: None })]);
        let kinds: Vec<&str> = tries.iter().map(|a| a.outcome.kind().as_str()).collect();
        assert_eq!(kinds, ["skipped", "passed", "skipped"]);
        assert_eq!(tries.clone().into_vec().len(), 3);
        let mut taken = std::mem::take(&mut tries);
        assert!(tries.is_empty());
        tries.push(taken[0].clone());
        assert_eq!(tries.len(), 1);
        taken[1].duration_secs = Some(1.0);
        assert_eq!(taken[1].duration_secs, Some(1.0));
        assert_eq!(Attempts::from(vec![attempt(Outcome::Passed)]).len(), 1);
        assert_eq!(
            serde_json::to_value(Attempts::from(attempt(Outcome::Passed))).unwrap(),
            serde_json::to_value([attempt(Outcome::Passed)]).unwrap()
        );
    }

    #[test]
    fn a_lone_try_costs_no_heap_block() {
        // Inline: the struct is the try's size (plus at most a tag word), not a vector's.
        assert!(std::mem::size_of::<Attempts>() <= std::mem::size_of::<Attempt>() + 8);
    }
}
