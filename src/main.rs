//! The `xray-sync` binary. All logic lives in the library; see `xray_sync::cli`.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::SUCCESS
}
