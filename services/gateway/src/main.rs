fn main() -> std::process::ExitCode {
    kit::cli::main::<gateway::Gateway>()
}
