//! The `latchkey` command line, built inside the test crate so the tests can run it as a child
//! process (`CARGO_BIN_EXE_latchkey-under-test`).

fn main() -> std::process::ExitCode {
    latchkey_api::cli::main()
}
