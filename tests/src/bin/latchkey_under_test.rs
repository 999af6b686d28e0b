//! The `latchkey` command line, built inside the test crate so the tests can run it as a child
//! process (`CARGO_BIN_EXE_latchkey-under-test`).

// The allocator of the `latchkey` binary: measure (and test) what ships.
#[global_allocator]
static ALLOCATOR: latchkey_api::Allocator = latchkey_api::Allocator;

fn main() -> std::process::ExitCode {
    latchkey_api::cli::main()
}
