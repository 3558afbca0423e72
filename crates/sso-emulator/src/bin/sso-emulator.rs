//! The `sso-emulator` binary: everything lives in the library ([`sso_emulator::cli`]), so this
//! stays a one-liner and the options can be unit-tested.

fn main() -> std::process::ExitCode {
    sso_emulator::cli::main()
}
