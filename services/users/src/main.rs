fn main() -> std::process::ExitCode {
    kit::cli::main::<users::Users>()
}
