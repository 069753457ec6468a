//! The backup program (`scripts/petstore-backup.sh`, shipped in the backup
//! ConfigMap) against the real PostgreSQL of this machine: the command and
//! arguments come from the CronJob the operator builds, so what is tested is
//! what runs in the cluster.
//!
//! Connection: `PGHOST`/`PGPORT`/`PGUSER` from `BACKUP_TEST_PGHOST`,
//! `BACKUP_TEST_PGPORT`, `BACKUP_TEST_PGUSER`, default 127.0.0.1:5432 as
//! `postgres` (trust authentication). Every test makes uniquely named
//! databases and a temporary backup directory and drops them at the end.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use petstore_operator::build::backup;
use petstore_operator::crd::valid_backup_name;
use petstore_operator::fixtures;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/petstore-backup.sh");

fn pg(var: &str, default: &str) -> String {
    std::env::var(format!("BACKUP_TEST_{var}")).unwrap_or_else(|_| default.into())
}

/// PATH with the PostgreSQL client tools, or a panic naming what is missing.
fn path_with_tools() -> String {
    let path = std::env::var("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<PathBuf> = entries.flatten().map(|e| e.path().join("bin")).collect();
        versions.sort();
        dirs.extend(versions.into_iter().rev());
    }
    let missing: Vec<&str> = ["bash", "pg_dump", "pg_restore", "psql", "sha256sum"]
        .into_iter()
        .filter(|tool| !dirs.iter().any(|d| d.join(tool).is_file()))
        .collect();
    assert!(
        missing.is_empty(),
        "the backup tests need {} (PostgreSQL client tools: apt-get install postgresql-client; looked in PATH and /usr/lib/postgresql/*/bin)",
        missing.join(", ")
    );
    std::env::join_paths(dirs)
        .expect("PATH")
        .to_string_lossy()
        .into_owned()
}

fn unique(tag: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "pst_{tag}_{}_{}_{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

fn base_env(cmd: &mut Command) -> &mut Command {
    cmd.env("PATH", path_with_tools())
        .env("PGHOST", pg("PGHOST", "127.0.0.1"))
        .env("PGPORT", pg("PGPORT", "5432"))
        .env("PGUSER", pg("PGUSER", "postgres"))
        .env("PGCONNECT_TIMEOUT", "5")
        .env_remove("PGPASSFILE")
        .env_remove("RESTORE_FORCE")
}

/// Runs SQL in `db`, returning the unaligned output.
fn sql(db: &str, query: &str) -> String {
    let out = base_env(&mut Command::new("psql"))
        .args([
            "-X",
            "-A",
            "-t",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            db,
            "-c",
            query,
        ])
        .output()
        .expect("psql runs");
    assert!(
        out.status.success(),
        "psql -d {db} failed (is PostgreSQL running at {}:{}?): {}",
        pg("PGHOST", "127.0.0.1"),
        pg("PGPORT", "5432"),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A database that is dropped when the test ends.
struct Db(String);

impl Db {
    fn create(tag: &str) -> Self {
        let name = unique(tag);
        sql("postgres", &format!("CREATE DATABASE \"{name}\""));
        Self(name)
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let _ = base_env(&mut Command::new("psql"))
            .args([
                "-X",
                "-q",
                "-d",
                "postgres",
                "-c",
                &format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.0),
            ])
            .output();
    }
}

/// A temporary backup directory, removed when the test ends.
struct Dir(PathBuf);

impl Dir {
    fn new() -> Self {
        let p = std::env::temp_dir().join(unique("backups"));
        std::fs::create_dir_all(&p).expect("backup dir");
        Self(p)
    }
    fn files(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(&self.0)
            .expect("read dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
    fn dumps(&self) -> Vec<String> {
        self.files()
            .into_iter()
            .filter(|f| f.ends_with(".dump") && self.0.join(format!("{f}.sha256")).is_file())
            .collect()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The program and arguments of the backup CronJob's container, with the
/// ConfigMap mount replaced by the script in this repository.
fn cronjob_invocation() -> (String, Vec<String>, Vec<String>) {
    let ps = fixtures::minimal();
    let svc = backup::databases(&ps)[0];
    let cj = backup::cronjob(&ps, svc);
    let pod = cj
        .spec
        .and_then(|s| s.job_template.spec)
        .and_then(|j| j.template.spec)
        .expect("pod");
    let c = &pod.containers[0];
    let command = c.command.clone().expect("command");
    assert_eq!(
        command[1],
        format!("{}/{}", backup::SCRIPT_DIR, backup::SCRIPT_FILE)
    );
    let env: Vec<String> = c.env.iter().flatten().map(|e| e.name.clone()).collect();
    (command[0].clone(), c.args.clone().expect("args"), env)
}

/// Runs the script as the CronJob does (`subcommand` None) or with another
/// subcommand, against `db` with backups in `dir`.
fn script(db: &str, dir: &Path, subcommand: Option<&[&str]>, extra: &[(&str, &str)]) -> Output {
    let (program, cron_args, env_names) = cronjob_invocation();
    for var in [
        "PGHOST",
        "PGPORT",
        "PGUSER",
        "PGPASSWORD",
        "PGDATABASE",
        "BACKUP_DIR",
        "BACKUP_RETENTION",
    ] {
        assert!(
            env_names.iter().any(|n| n == var),
            "the CronJob does not set {var}"
        );
    }
    let args: Vec<String> = match subcommand {
        None => cron_args,
        Some(a) => a.iter().map(|s| s.to_string()).collect(),
    };
    let mut cmd = Command::new(program);
    base_env(&mut cmd)
        .arg(SCRIPT)
        .args(&args)
        .env("PGDATABASE", db)
        .env("BACKUP_DIR", dir)
        .env("BACKUP_RETENTION", "7");
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.output().expect("bash runs")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "script failed ({}): {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The one error line of a failed run.
fn failed(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "expected a failure, got success: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
    assert_eq!(err.lines().count(), 1, "one clear line, got: {err}");
    assert!(err.starts_with("petstore-backup: error: "), "{err}");
    err
}

/// Fills a database like a store: orders with lines, customers with
/// NULLs, binary data and non-ASCII text, a sequence, a view and an index.
fn fill(db: &str) {
    sql(
        db,
        "CREATE TABLE customers (id bigserial PRIMARY KEY, name text NOT NULL, email text, avatar bytea, joined timestamptz NOT NULL);
         CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers(id), total numeric(12,2) NOT NULL, status text NOT NULL, items jsonb NOT NULL, created timestamptz NOT NULL);
         CREATE TABLE order_lines (order_id bigint NOT NULL REFERENCES orders(id), line int NOT NULL, sku text NOT NULL, qty int NOT NULL, PRIMARY KEY (order_id, line));
         CREATE INDEX orders_by_customer ON orders (customer_id, created);
         CREATE SEQUENCE invoice_numbers START 1000;
         CREATE VIEW open_orders AS SELECT * FROM orders WHERE status = 'open';
         INSERT INTO customers (name, email, avatar, joined)
           SELECT 'Kunde ' || g || ' ü€ 猫', CASE WHEN g % 7 = 0 THEN NULL ELSE 'c' || g || '@example.com' END,
                  decode(md5(g::text), 'hex'), timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute'
           FROM generate_series(1, 2000) g;
         INSERT INTO orders (customer_id, total, status, items, created)
           SELECT 1 + g % 2000, (g * 37 % 100000) / 100.0, CASE WHEN g % 3 = 0 THEN 'open' ELSE 'paid' END,
                  jsonb_build_object('n', g, 'tags', jsonb_build_array('a', g % 5)),
                  timestamptz '2026-02-01 00:00:00+00' + g * interval '1 second'
           FROM generate_series(1, 5000) g;
         INSERT INTO order_lines SELECT o, l, 'SKU-' || (o * l), l FROM generate_series(1, 5000) o, generate_series(1, 3) l;
         SELECT setval('invoice_numbers', 4242);",
    );
}

/// Row count and an md5 of the sorted rows of every table, and the
/// sequences' positions.
fn fingerprint(db: &str) -> BTreeMap<String, String> {
    let tables = sql(
        db,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
    );
    let mut out = BTreeMap::new();
    for t in tables.lines() {
        let v = sql(
            db,
            &format!(
                "SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '-') FROM \"{t}\" t"
            ),
        );
        out.insert(format!("table {t}"), v);
    }
    for s in sql(db, "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = 'public' ORDER BY 1").lines() {
        out.insert(format!("sequence {s}"), sql(db, &format!("SELECT last_value FROM \"{s}\"")));
    }
    out.insert("views".into(), sql(db, "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.views WHERE table_schema = 'public'"));
    out
}

#[test]
fn a_backup_restores_into_a_fresh_database_with_identical_checksums() {
    let src = Db::create("src");
    let dst = Db::create("dst");
    let dir = Dir::new();
    fill(&src.0);

    ok(&script(&src.0, &dir.0, None, &[]));
    let dumps = dir.dumps();
    assert_eq!(dumps.len(), 1, "{:?}", dir.files());
    let file = &dumps[0];
    assert!(file.starts_with(&format!("{}_backup_", src.0)), "{file}");
    assert!(
        valid_backup_name(file),
        "{file} is not <database>_backup_YYYYMMDD_HHMMSS.dump"
    );
    assert_eq!(
        dir.files(),
        [file.clone(), format!("{file}.sha256")],
        "no temporary files left"
    );
    let listed = ok(&script(&src.0, &dir.0, Some(&["list"]), &[]));
    assert!(listed.starts_with(file.as_str()), "{listed}");
    ok(&script(&src.0, &dir.0, Some(&["verify", file]), &[]));

    ok(&script(&dst.0, &dir.0, Some(&["restore", file]), &[]));
    let before = fingerprint(&src.0);
    assert_eq!(before.len(), 7, "{before:?}");
    assert_eq!(before["table orders"].split(' ').next(), Some("5000"));
    assert_eq!(fingerprint(&dst.0), before);

    // Restoring again is a no-op (the restore is recorded in the database).
    let again = ok(&script(&dst.0, &dir.0, Some(&["restore", file]), &[]));
    assert!(again.contains("already restored"), "{again}");
    ok(&script(&dst.0, &dir.0, Some(&["wait-restored", file]), &[]));

    // A non-empty database is refused unless forced; forced replaces.
    let err = failed(&script(&src.0, &dir.0, Some(&["restore", file]), &[]));
    assert!(
        err.contains("is not empty") && err.contains("RESTORE_FORCE"),
        "{err}"
    );
    sql(
        &src.0,
        "DELETE FROM order_lines WHERE qty = 2; UPDATE customers SET name = 'x'",
    );
    ok(&script(
        &src.0,
        &dir.0,
        Some(&["restore", file]),
        &[("RESTORE_FORCE", "true")],
    ));
    assert_eq!(fingerprint(&src.0), before);
}

#[test]
fn retention_keeps_exactly_the_newest_n_complete_backups() {
    let db = Db::create("ret");
    let dir = Dir::new();
    sql(&db.0, "CREATE TABLE t (id int); INSERT INTO t VALUES (1)");
    // A dump without its checksum file is incomplete: never counted, never listed.
    let incomplete = format!("{}_backup_20000101_000000.dump", db.0);
    std::fs::write(dir.0.join(&incomplete), b"partial").expect("write");
    let mut made = Vec::new();
    for _ in 0..4 {
        ok(&script(&db.0, &dir.0, None, &[("BACKUP_RETENTION", "2")]));
        let newest = dir.dumps().last().cloned().expect("a backup");
        made.push(newest);
        // File names have one-second resolution.
        std::thread::sleep(Duration::from_millis(1100));
    }
    assert_eq!(dir.dumps(), made[2..].to_vec());
    let mut expected = vec![incomplete.clone()];
    for f in &made[2..] {
        expected.push(f.clone());
        expected.push(format!("{f}.sha256"));
    }
    expected.sort();
    assert_eq!(dir.files(), expected);
    let listed = ok(&script(&db.0, &dir.0, Some(&["list"]), &[]));
    let names: Vec<&str> = listed
        .lines()
        .filter_map(|l| l.split('\t').next())
        .collect();
    assert_eq!(names, [made[3].as_str(), made[2].as_str()], "newest first");
    let err = failed(&script(&db.0, &dir.0, Some(&["restore", &incomplete]), &[]));
    assert!(err.contains("no checksum file"), "{err}");
}

#[test]
fn a_corrupt_or_truncated_backup_is_refused_and_changes_nothing() {
    let src = Db::create("csrc");
    let dst = Db::create("cdst");
    let dir = Dir::new();
    fill(&src.0);
    ok(&script(&src.0, &dir.0, None, &[]));
    let good = dir.dumps()[0].clone();
    let bytes = std::fs::read(dir.0.join(&good)).expect("read");
    let checksum = std::fs::read_to_string(dir.0.join(format!("{good}.sha256"))).expect("sum");
    let copy = |name: &str, data: &[u8], sum: Option<&str>| {
        std::fs::write(dir.0.join(name), data).expect("write");
        let sum = sum
            .map(str::to_string)
            .unwrap_or_else(|| checksum.replace(&good, name));
        std::fs::write(dir.0.join(format!("{name}.sha256")), sum).expect("write");
    };
    let sha256 = |data: &[u8]| {
        use sha2::Digest;
        let d = sha2::Sha256::digest(data);
        d.iter().map(|b| format!("{b:02x}")).collect::<String>()
    };

    // Truncated: the checksum no longer matches.
    let truncated = "petstore_x_backup_20260101_000001.dump";
    copy(truncated, &bytes[..bytes.len() / 2], None);
    let err = failed(&script(&dst.0, &dir.0, Some(&["restore", truncated]), &[]));
    assert!(err.contains("corrupt or truncated"), "{err}");

    // One flipped byte.
    let mut flipped = bytes.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0xff;
    let corrupt = "petstore_x_backup_20260101_000002.dump";
    copy(corrupt, &flipped, None);
    let err = failed(&script(&dst.0, &dir.0, Some(&["verify", corrupt]), &[]));
    assert!(err.contains("corrupt or truncated"), "{err}");

    // Not an archive at all, with a matching checksum: pg_restore --list refuses it.
    let garbage = b"this is not a pg_dump archive\n".repeat(100);
    let junk = "petstore_x_backup_20260101_000003.dump";
    copy(
        junk,
        &garbage,
        Some(&format!("{}  {junk}\n", sha256(&garbage))),
    );
    let err = failed(&script(&dst.0, &dir.0, Some(&["restore", junk]), &[]));
    assert!(err.contains("not a readable pg_dump archive"), "{err}");

    // Truncated with a forged checksum: the restore fails in one transaction.
    let forged = "petstore_x_backup_20260101_000004.dump";
    let cut = &bytes[..bytes.len() * 3 / 4];
    copy(forged, cut, Some(&format!("{}  {forged}\n", sha256(cut))));
    let out = script(&dst.0, &dir.0, Some(&["restore", forged]), &[]);
    let err = failed(&out);
    assert!(
        err.contains("not a readable pg_dump archive") || err.contains("nothing was changed"),
        "{err}"
    );

    // Missing file.
    let err = failed(&script(
        &dst.0,
        &dir.0,
        Some(&["restore", "petstore_x_backup_20990101_000000.dump"]),
        &[],
    ));
    assert!(err.contains("not found"), "{err}");

    // The target is still empty, and the good backup still restores.
    assert_eq!(
        sql(
            &dst.0,
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ),
        "0"
    );
    ok(&script(&dst.0, &dir.0, Some(&["restore", &good]), &[]));
    assert_eq!(fingerprint(&dst.0), fingerprint(&src.0));
}

#[test]
fn a_backup_of_an_unreachable_database_fails_and_leaves_nothing() {
    let dir = Dir::new();
    let out = script("petstore_nowhere", &dir.0, None, &[("PGPORT", "1")]);
    let err = failed(&out);
    assert!(
        err.contains("petstore_nowhere at") && err.contains("is unreachable"),
        "{err}"
    );
    // A database that does not exist on a reachable server.
    let err = failed(&script(&unique("missing"), &dir.0, None, &[]));
    assert!(
        err.contains("is unreachable") && err.contains("does not exist"),
        "{err}"
    );
    assert!(dir.files().is_empty(), "{:?}", dir.files());
    // A missing backup directory.
    let err = failed(&script("postgres", &dir.0.join("nope"), None, &[]));
    assert!(err.contains("does not exist"), "{err}");
}

/// A login role dropped when the test ends (declare it before the
/// databases it owns objects in, so they are dropped first).
struct Role(String);

impl Drop for Role {
    fn drop(&mut self) {
        let _ = base_env(&mut Command::new("psql"))
            .args([
                "-X",
                "-q",
                "-d",
                "postgres",
                "-c",
                &format!("DROP ROLE IF EXISTS \"{}\"", self.0),
            ])
            .output();
    }
}

#[test]
fn a_dump_error_fails_with_the_reason_and_leaves_nothing() {
    // A table the backup user may not read: pg_dump itself fails.
    let role = Role(unique("reader"));
    sql("postgres", &format!("CREATE ROLE \"{}\" LOGIN", role.0));
    let db = Db::create("perm");
    sql(
        &db.0,
        "CREATE TABLE secret (id int); INSERT INTO secret VALUES (1)",
    );
    let dir = Dir::new();
    let err = failed(&script(&db.0, &dir.0, None, &[("PGUSER", &role.0)]));
    assert!(
        err.contains(&format!("pg_dump of {} failed", db.0)),
        "{err}"
    );
    assert!(err.contains("permission denied"), "{err}");
    assert!(dir.files().is_empty(), "{:?}", dir.files());
}

#[test]
fn a_full_disk_is_reported_as_such() {
    // pg_dump failing the way it does on a full volume (a real full volume
    // needs a mount this test cannot make): a stand-in earlier on PATH.
    let db = Db::create("full");
    let dir = Dir::new();
    let bin = Dir::new();
    let fake = bin.0.join("pg_dump");
    std::fs::write(
        &fake,
        "#!/bin/sh\nfor a; do case $a in --file=*) printf partial > \"${a#--file=}\";; esac; done\n\
         echo 'pg_dump: error: could not write to output file: No space left on device' >&2\nexit 1\n",
    )
    .expect("fake pg_dump");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let path = format!("{}:{}", bin.0.display(), path_with_tools());
    let err = failed(&script(&db.0, &dir.0, None, &[("PATH", &path)]));
    assert!(err.contains("disk full while dumping"), "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    assert!(
        dir.files().is_empty(),
        "the partial file is removed: {:?}",
        dir.files()
    );
}
