//! Everything Xray: the JSON import format (`payload`) and, later, the Cloud and DC clients.

pub mod payload;
