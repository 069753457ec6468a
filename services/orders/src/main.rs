fn main() -> std::process::ExitCode {
    kit::cli::main::<orders::Orders>()
}
