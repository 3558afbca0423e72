//! `aws-sso`: see `lib.rs`.

fn main() -> std::process::ExitCode {
    aws_sso::main(std::env::args_os())
}
