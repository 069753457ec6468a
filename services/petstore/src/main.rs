//! `petstore <service>` / `petstore migrate <service>`; see the library.
fn main() -> std::process::ExitCode {
    kit::cli::main(&petstore::targets())
}
