//! API fuzzing: schemathesis against every service's own OpenAPI document on a whole
//! store, with every check on. Any 5xx, any answer the document does not describe (status,
//! media type, headers, schema), any bad input accepted or good input refused fails it.
//!
//! Ignored by a plain `cargo nextest run`: it needs schemathesis, which `scripts/test`
//! installs in a virtual environment and runs this with (`scripts/fuzz` alone does the
//! same; `FUZZ_EXAMPLES` raises the examples per operation for a longer run).

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::store::Api;
use reqwest::StatusCode;
use serde_json::json;

/// Examples per operation and phase unless `FUZZ_EXAMPLES` says otherwise.
const DEFAULT_EXAMPLES: u32 = 10;
/// What the documents cannot say (fixed parameters, rules across fields).
const CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fuzz/schemathesis.toml");
/// Longest a service's run may take.
const PER_SERVICE: Duration = Duration::from_secs(240);

fn schemathesis() -> String {
    std::env::var("SCHEMATHESIS").unwrap_or_else(|_| {
        panic!(
            "SCHEMATHESIS is not set: run `scripts/fuzz` (it installs schemathesis in a \
             virtual environment), or point SCHEMATHESIS at a schemathesis 4 executable"
        )
    })
}

#[tokio::test]
#[ignore = "needs schemathesis: run by scripts/test's fuzzing stage (scripts/fuzz)"]
async fn every_services_api_holds_to_its_document_under_fuzzing() {
    let executable = schemathesis();
    let examples: u32 = std::env::var("FUZZ_EXAMPLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_EXAMPLES);
    // Fixed, so that a failure in CI comes back the same on a laptop; FUZZ_SEED varies it.
    let seed = std::env::var("FUZZ_SEED").unwrap_or_else(|_| "20261201".into());
    // The stateful phase follows links it infers and then asks for ids it never got
    // (`/transfers/None`): left to longer runs, `FUZZ_PHASES=examples,coverage,fuzzing,stateful`.
    let phases =
        std::env::var("FUZZ_PHASES").unwrap_or_else(|_| "examples,coverage,fuzzing".into());
    let options = common::options("fuzz");
    let admin_email = options.bootstrap_admin_email.clone().expect("admin email");
    let stack = common::start(options).await;
    let api = Api::new(&stack.gateway_url);
    // An administrator's token, so that every operation is reachable.
    let password = "fuzzing admin password 1";
    api.expect(
        reqwest::Method::POST,
        "/api/auth/register",
        None,
        Some(json!({ "email": admin_email, "password": password, "displayName": "Fuzzer" })),
        StatusCode::CREATED,
    )
    .await;
    let session = api
        .expect(
            reqwest::Method::POST,
            "/api/auth/login",
            None,
            Some(json!({ "email": admin_email, "password": password })),
            StatusCode::OK,
        )
        .await;
    let token = session["accessToken"]
        .as_str()
        .expect("a token")
        .to_string();

    let mut failed = Vec::new();
    let http = reqwest::Client::new();
    for process in &stack.processes {
        let name = process.spec.name;
        // A service without API operations (the console: its pages are HTML, driven by the
        // browser journeys) has nothing for schemathesis, which refuses an empty document.
        let document: serde_json::Value = http
            .get(format!("{}/openapi.json", process.url))
            .send()
            .await
            .expect("the OpenAPI document")
            .json()
            .await
            .expect("JSON");
        if document["paths"]
            .as_object()
            .is_none_or(serde_json::Map::is_empty)
        {
            eprintln!("{name}: no API operations to fuzz");
            continue;
        }
        let run = tokio::process::Command::new(&executable)
            .args(["--config-file", CONFIG])
            .arg("run")
            .arg(format!("{}/openapi.json", process.url))
            .args(["--checks", "all"])
            .args(["--max-examples", &examples.to_string()])
            // One worker: hypothesis's source inspection is not thread-safe on CPython 3.11.
            .args(["--workers", "1"])
            .args(["--seed", &seed])
            .args(["--phases", &phases])
            .args(["--request-timeout", "10"])
            .args(["--header", &format!("Authorization: Bearer {token}")])
            .arg("--no-color")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .output();
        match tokio::time::timeout(PER_SERVICE, run).await {
            Ok(Ok(output)) if output.status.success() => {
                eprintln!("{name}: no failures");
            }
            Ok(Ok(output)) => {
                eprintln!(
                    "===== {name}: schemathesis found failures =====\n{}\n{}",
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr)
                );
                failed.push(name);
            }
            Ok(Err(err)) => panic!("cannot run {executable}: {err}"),
            Err(_) => {
                eprintln!("{name}: schemathesis did not finish within {PER_SERVICE:?}");
                failed.push(name);
            }
        }
    }
    stack.stop().await;
    assert!(
        failed.is_empty(),
        "schemathesis found failures in {failed:?}"
    );
}
