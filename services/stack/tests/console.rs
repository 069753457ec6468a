//! The web console in a real browser: Debian's chromium, driven by playwright-core
//! (`services/console/browser/journeys.mjs`), against a whole store started here. The
//! shopper journey (register → filter → pet → cart → checkout → paid → review), the bad
//! inputs (a weak password, an empty cart's checkout, a quantity of 0) and the staff
//! journey (create a product, stock it below its minimum, see the alert, ship the order).
//!
//! Needs `node`, `/usr/bin/chromium` and `npm ci` in `services/console/browser`;
//! `scripts/test` provides them. `PETSTORE_SCREENSHOTS=<dir>` keeps the screenshots there
//! (`docs/images` for the README).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../console/browser")
}

/// What is missing to run the journeys, in words.
fn missing() -> Vec<String> {
    let mut missing = Vec::new();
    if Command::new("node").arg("--version").output().is_err() {
        missing.push("node (apt-get install nodejs npm)".to_string());
    }
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        missing.push(format!("{chromium} (apt-get install chromium)"));
    }
    if !browser_dir().join("node_modules/playwright-core").exists() {
        missing.push("playwright-core (npm ci --prefix services/console/browser)".to_string());
    }
    missing
}

#[tokio::test(flavor = "multi_thread")]
async fn shopper_staff_and_bad_input_journeys_pass_in_chromium() {
    let missing = missing();
    assert!(
        missing.is_empty(),
        "the browser journeys need: {} (scripts/test installs them)",
        missing.join(", ")
    );
    let options = common::options("console");
    let admin = options
        .bootstrap_admin_email
        .clone()
        .expect("the test store has an administrator email");
    let shots = std::env::var("PETSTORE_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| options.state_dir.join("screenshots"));
    let stack = common::start(options).await;
    let started = Instant::now();
    let gateway = stack.gateway_url.clone();
    let browser = browser_dir();
    let run = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg("journeys.mjs")
            .current_dir(browser)
            .env("GATEWAY_URL", gateway)
            .env("ADMIN_EMAIL", admin)
            .env("SCREENSHOT_DIR", shots)
            .output()
    });
    let output = tokio::time::timeout(Duration::from_secs(240), run).await;
    stack.stop().await;
    let output = output
        .expect("the journeys finish within 4 minutes")
        .expect("the journeys' task")
        .expect("node starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(
        output.status.success(),
        "the browser journeys failed after {:?}:\n{stdout}\n{stderr}",
        started.elapsed()
    );
}
