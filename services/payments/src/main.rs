fn main() -> std::process::ExitCode {
    kit::cli::main::<payments::Payments>()
}
