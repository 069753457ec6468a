//! The whole store on one machine: creates the databases, runs the
//! migrations, generates a development signing key, starts every service
//! binary on loopback and waits until each is ready.
//!
//! `petstore-local` (the README's first command) and the end-to-end tests
//! both run the store through [`Stack`], so what the tests exercise is what
//! a newcomer runs.
#![forbid(unsafe_code)]

pub mod bench;
pub mod cpu;
mod error;
mod preflight;
mod process;
mod stack;
mod vhost;

pub use error::StackError;
pub use preflight::{check_broker, check_database};
pub use stack::{LOCAL_POOL_SIZE, Stack, StackOptions};
pub use vhost::{MANAGEMENT_URL_VAR, VhostError, VirtualHost};

/// The directory of the workspace's binaries, seen from a test executable: tests live in
/// `<target>/<profile>/deps`, the binaries in `<target>/<profile>`.
///
/// # Panics
/// If the running executable's path cannot be known (tests only).
pub fn binaries_beside_this_test() -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    exe.parent()
        .and_then(|deps| deps.parent())
        .expect("target directory")
        .to_path_buf()
}
