//! The `latchkey` binary.

// The server allocates and frees many small buffers per request; mimalloc does that in a
// fraction of glibc malloc's time (see BENCHMARKS.md, token refreshes).
#[global_allocator]
static ALLOCATOR: latchkey_api::Allocator = latchkey_api::Allocator;

fn main() -> std::process::ExitCode {
    latchkey_api::cli::main()
}
