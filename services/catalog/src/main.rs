fn main() -> std::process::ExitCode {
    kit::cli::main::<catalog::Catalog>()
}
