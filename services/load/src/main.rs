//! `petstore-load`: see `petstore-load --help` and docs/load.md.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = load::Config::parse();
    match load::main_run(config).await {
        Ok(_) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("petstore-load: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
