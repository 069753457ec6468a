//! The PostgreSQL start script (`scripts/postgres-start.sh`, shipped in the
//! start-scripts ConfigMap) against the real PostgreSQL of this machine: it
//! sets each role's password from its variable, creating a missing role and
//! database, so a re-created Secret never locks a service out.
//!
//! The image's `docker-entrypoint.sh` is replaced by a stub on PATH that
//! just waits (the server is this machine's, reached over
//! /var/run/postgresql as `postgres` with trust authentication).

use std::process::Command;
use std::time::{Duration, Instant};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/postgres-start.sh");

fn psql(sql: &str) -> String {
    let out = Command::new("psql")
        .args([
            "-X",
            "-tA",
            "-h",
            "/var/run/postgresql",
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-c",
            sql,
        ])
        .output()
        .expect("psql");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn password_hash(role: &str) -> String {
    psql(&format!(
        "SELECT coalesce(rolpassword, '') FROM pg_authid WHERE rolname = '{role}'"
    ))
}

/// Runs the start script with `password` until it logged that the roles are
/// set, then stops it as the kubelet would (SIGTERM) and checks it exits 0.
fn start_with(role: &str, password: &str) {
    let stub = std::env::temp_dir().join(format!("petstore-entrypoint-{}", std::process::id()));
    std::fs::create_dir_all(&stub).expect("dir");
    let entry = stub.join("docker-entrypoint.sh");
    std::fs::write(
        &entry,
        "#!/bin/sh\ntrap 'exit 0' TERM\nwhile :; do sleep 0.1; done\n",
    )
    .expect("stub");
    Command::new("chmod")
        .arg("755")
        .arg(&entry)
        .status()
        .expect("chmod");
    let path = format!(
        "{}:{}",
        stub.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut child = Command::new("sh")
        .arg(SCRIPT)
        .env("PATH", path)
        .env("POSTGRES_USER", "postgres")
        .env("PETSTORE_ROLES", format!("{role}:THE_PASSWORD:{role}"))
        .env("THE_PASSWORD", password)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start script");
    let started = Instant::now();
    while psql(&format!(
        "SELECT count(*) FROM pg_database WHERE datname = '{role}'"
    )) != "1"
        || password_hash(role).is_empty()
        || (password_hash(role) == *LAST.lock().expect("lock"))
    {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the script did not set the password"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    *LAST.lock().expect("lock") = password_hash(role);
    Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .expect("kill");
    let status = child.wait().expect("wait");
    assert!(
        status.success(),
        "the script exits with the server: {status:?}"
    );
}

static LAST: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

#[test]
fn the_start_script_sets_each_password_from_its_secret_and_creates_what_is_missing() {
    let role = format!("pst_rotation_{}", std::process::id());
    start_with(&role, "first-password-1");
    let first = password_hash(&role);
    assert!(first.starts_with("SCRAM-SHA-256$"), "{first}");
    // The Secret was re-created with a new password: the next start sets it.
    start_with(&role, "second-password-2");
    assert_ne!(password_hash(&role), first);
    psql(&format!("DROP DATABASE \"{role}\""));
    psql(&format!("DROP ROLE \"{role}\""));
}
