//! `petstore-console`: the web console.
fn main() -> std::process::ExitCode {
    kit::cli::main::<console::Console>()
}
