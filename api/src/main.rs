//! The `latchkey` binary.

fn main() -> std::process::ExitCode {
    latchkey_api::cli::main()
}
