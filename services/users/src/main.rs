fn main() -> std::process::ExitCode {
    kit::cli::main::<kit::service::Data<users::Users>>()
}
