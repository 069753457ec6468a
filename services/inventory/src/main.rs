fn main() -> std::process::ExitCode {
    kit::cli::main::<inventory::Inventory>()
}
