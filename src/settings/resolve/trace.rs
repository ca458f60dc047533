//! Where each resolved setting came from, recorded for `xray-sync config`.
//!
//! Owns `Trace` (the layer picker every resolver calls) and how values print; secrets print
//! as `***` through their own `Display`.

use std::path::PathBuf;

use crate::secret::Secret;
use crate::settings::{Product, UnmappedPolicy};

/// Where a resolved value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A flag or an environment variable (clap merged them; `config` tells them apart).
    Cli,
    File,
    Default,
}

/// One resolved value for `xray-sync config`. Secrets show as `***`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Traced {
    /// The `SettingsArgs` field id (the flag is `--` + id with `-`), or a file-only key.
    pub id: &'static str,
    pub value: String,
    pub source: Source,
}

#[derive(Debug, Default)]
pub struct Trace {
    pub entries: Vec<Traced>,
}

/// How a value prints in `xray-sync config`.
pub(super) trait Shown {
    fn shown(&self) -> String;
}
macro_rules! shown_display {
    ($($t:ty),*) => {$(impl Shown for $t { fn shown(&self) -> String { self.to_string() } })*};
}
shown_display!(String, bool, usize, u64, u32, Secret);
impl Shown for PathBuf {
    fn shown(&self) -> String {
        self.display().to_string()
    }
}
impl Shown for Vec<String> {
    fn shown(&self) -> String {
        self.join(",")
    }
}
impl Shown for Product {
    fn shown(&self) -> String {
        match self {
            Product::Cloud => "cloud".into(),
            Product::Dc => "dc".into(),
        }
    }
}
impl Shown for UnmappedPolicy {
    fn shown(&self) -> String {
        match self {
            UnmappedPolicy::Create => "create".into(),
            UnmappedPolicy::Skip => "skip".into(),
            UnmappedPolicy::Fail => "fail".into(),
        }
    }
}

impl Trace {
    /// The first layer that has a value, recorded.
    pub(super) fn pick<T: Shown>(
        &mut self,
        id: &'static str,
        cli: Option<T>,
        file: Option<T>,
    ) -> Option<T> {
        let (value, source) = match (cli, file) {
            (Some(v), _) => (Some(v), Source::Cli),
            (None, Some(v)) => (Some(v), Source::File),
            (None, None) => (None, Source::Default),
        };
        self.entries.push(Traced {
            id,
            value: value.as_ref().map(Shown::shown).unwrap_or_default(),
            source,
        });
        value
    }

    pub(super) fn pick_or<T: Shown>(
        &mut self,
        id: &'static str,
        cli: Option<T>,
        file: Option<T>,
        default: T,
    ) -> T {
        let picked = self.pick(id, cli, file);
        match picked {
            Some(v) => v,
            None => {
                if let Some(last) = self.entries.last_mut() {
                    last.value = default.shown();
                }
                default
            }
        }
    }
}
