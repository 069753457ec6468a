//! The short run of the test command: the whole store started on loopback (its own
//! databases, RabbitMQ virtual host and free ports, the gateway's rate limits off as
//! `petstore-local --no-rate-limits` sets them), then `petstore-load --seed` with 20
//! users for 15 s. It checks that every scenario ran, that no request got a 5xx or no
//! answer, and that the report files exist and parse.

use serde_json::Value;
use stack::{Stack, StackOptions};

fn options(admin_email: &str, id: &str) -> StackOptions {
    StackOptions {
        database_url: kit::testing::database_url(),
        amqp_url: kit::testing::amqp_url(),
        bin_dir: stack::binaries_beside_this_test(),
        state_dir: std::env::temp_dir().join(format!("petstore-load-stack-{id}")),
        database_prefix: format!("load_{}", &id[..12]),
        vhost: Some(format!("petstore-load-{}", &id[..12])),
        fixed_ports: false,
        bootstrap_admin_email: Some(admin_email.to_string()),
        drop_databases_on_stop: true,
        extra_env: vec![
            ("RATE_LIMIT_PER_IP_PER_MINUTE".into(), "0".into()),
            ("RATE_LIMIT_PER_USER_PER_MINUTE".into(), "0".into()),
        ],
        ..StackOptions::local()
    }
}

fn read_json(path: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_run_exercises_every_scenario_without_server_errors() {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let admin_email = format!("admin-{}@example.com", &id[..12]);
    let report_dir = std::env::temp_dir().join(format!("petstore-load-report-{id}"));

    let stack = match Stack::start(options(&admin_email, &id)).await {
        Ok(stack) => stack,
        Err(err) => panic!("the store did not start: {err}"),
    };
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_petstore-load"))
        .args(["--host", &stack.gateway_url])
        .args(["--users", "20", "--hatch-rate", "10", "--run-time", "15s"])
        .args(["--think-time", "100ms..600ms", "--progress-interval", "5s"])
        .args(["--seed", "--admin-email", &admin_email])
        .arg("--report-dir")
        .arg(&report_dir)
        // No password: `--seed` registers the administrator with one of its own.
        .env_remove("PETSTORE_LOAD_ADMIN_PASSWORD")
        .output()
        .await
        .expect("petstore-load runs");
    let again = |password: Option<String>| {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_petstore-load"));
        command
            .args(["--host", &stack.gateway_url])
            .args(["--users", "2", "--hatch-rate", "2", "--run-time", "2s"])
            .args(["--seed", "--admin-email", &admin_email])
            .arg("--report-dir")
            .arg(report_dir.join("again"))
            .env_remove("PETSTORE_LOAD_ADMIN_PASSWORD");
        if let Some(password) = password {
            command.env("PETSTORE_LOAD_ADMIN_PASSWORD", password);
        }
        command.output()
    };
    let saved = report_dir.join("admin-password");
    let password = std::fs::read_to_string(&saved).unwrap_or_default();
    // With the saved password, a second seeding finds what the first made.
    let with_saved = again(Some(password.trim().to_string()))
        .await
        .expect("runs");
    // Without it, the administrator exists: refused, saying what to give.
    let without = again(None).await.expect("runs");
    stack.stop().await;
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&saved)
            .expect("admin-password")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the password file is its owner's only");
    }
    let with_saved_out = String::from_utf8_lossy(&with_saved.stdout);
    assert!(with_saved.status.success(), "{with_saved_out}");
    assert!(with_saved_out.contains(" 0 created"), "{with_saved_out}");
    assert!(!without.status.success());
    let refusal = String::from_utf8_lossy(&without.stderr);
    assert!(
        refusal.contains("exists already") && refusal.contains("PETSTORE_LOAD_ADMIN_PASSWORD"),
        "{refusal}"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "petstore-load failed:\n{stdout}\n{stderr}"
    );

    // Shown by `cargo nextest run --no-capture`.
    println!("{stdout}");
    // The live progress and the end tables were printed.
    assert!(stdout.contains("users 20/20"), "{stdout}");
    assert!(stdout.contains("p99 ms"), "{stdout}");
    assert!(stdout.contains("Requests per endpoint"), "{stdout}");
    assert!(stdout.contains("Visits per scenario"), "{stdout}");

    let report = read_json(&report_dir.join("report.json"));
    for scenario in ["visitor", "shopper", "staff"] {
        let line = report["scenarios"]
            .as_array()
            .and_then(|s| s.iter().find(|l| l["scenario"] == scenario))
            .unwrap_or_else(|| panic!("no {scenario} in the report:\n{stdout}"));
        assert!(
            line["iterations"].as_u64() > Some(0),
            "{scenario} never finished a visit:\n{stdout}"
        );
    }
    assert_eq!(report["serverErrors"], 0, "answers 5xx:\n{stdout}");
    assert_eq!(
        report["total"]["transportErrors"], 0,
        "requests without an answer:\n{stdout}"
    );
    assert!(
        report["outcomes"]["orders paid"].as_u64() > Some(0),
        "no order was paid:\n{stdout}"
    );
    let endpoints: Vec<&str> = report["endpoints"]
        .as_array()
        .map(|e| e.iter().filter_map(|l| l["endpoint"].as_str()).collect())
        .unwrap_or_default();
    for endpoint in [
        "GET /api/products?q (search)",
        "POST /api/auth/register",
        "POST /api/auth/refresh",
        "POST /api/cart/checkout",
        "GET /api/orders/{id}",
        "GET /api/inventory/alerts",
        "GET /api/orders?status",
    ] {
        assert!(
            endpoints.contains(&endpoint),
            "{endpoint} was never called: {endpoints:?}"
        );
    }
    assert!(report["timeline"].as_array().is_some_and(|t| t.len() >= 14));

    let html = std::fs::read_to_string(report_dir.join("report.html")).expect("report.html");
    assert_eq!(html.matches("<svg").count(), 3, "three charts");
    assert!(html.contains("Latency percentiles"));
    let csv = std::fs::read_to_string(report_dir.join("endpoints.csv")).expect("endpoints.csv");
    let mut lines = csv.lines();
    let columns = lines.next().map_or(0, |h| h.split(',').count());
    assert_eq!(columns, 10);
    assert!(lines.all(|l| l.split(',').count() >= columns), "{csv}");
    let timeline = std::fs::read_to_string(report_dir.join("timeline.csv")).expect("timeline.csv");
    assert!(timeline.lines().count() >= 15);
    let _ = std::fs::remove_dir_all(report_dir);
}
