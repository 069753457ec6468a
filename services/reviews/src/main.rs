fn main() -> std::process::ExitCode {
    kit::cli::main::<reviews::Reviews>()
}
