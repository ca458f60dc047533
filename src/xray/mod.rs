//! Everything Xray: the JSON import format (`payload`), the Cloud and DC clients behind one
//! `Client`, evidence reading, and the uploader that carries out an `XrayPlan`.

pub mod client;
pub mod cloud;
pub mod evidence;
pub mod keys;
pub mod payload;
pub(crate) mod send;
pub mod server;
pub mod upload;
