//! One module per command that is more than glue in `main.rs`. Commands sit at the top of the
//! layer order: they may use every other module, and nothing below imports them.

pub mod error;
pub mod execution;
pub mod resend;
pub mod run;
