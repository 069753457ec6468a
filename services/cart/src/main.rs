fn main() -> std::process::ExitCode {
    kit::cli::main::<cart::Cart>()
}
