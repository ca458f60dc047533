//! Everything Xray: the JSON import format (`payload`), the Cloud and DC clients behind one
//! `Client`, evidence reading, and the uploader that carries out an `XrayPlan`.

pub mod client;
pub mod cloud;
pub mod evidence;
pub mod exec_fields;
pub mod folders;
pub(crate) mod issue_ids;
pub mod keys;
pub mod landed;
pub mod organize;
/// The Xray JSON import format is pure data owned by the plan side; this path stays for callers.
pub use crate::plan::xray_json as payload;
pub mod requirements;
pub(crate) mod send;
pub mod server;
pub mod statuses;
pub mod upload;
pub mod wire;
