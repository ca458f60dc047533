//! Everything xray-sync tells people: the console summary (`console`), and later the JSON
//! report and the GitHub job summary, annotations and outputs.

pub mod console;
