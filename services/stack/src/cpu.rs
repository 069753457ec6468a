//! CPU time by process, read from `/proc` (Linux): what one benchmark run cost each
//! service, PostgreSQL, RabbitMQ and the benchmark itself, so that a throughput figure
//! can be read against what the machine had to give.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use crate::Stack;

/// Clock ticks per second of `/proc/<pid>/stat` (`USER_HZ`, 100 on every Linux
/// architecture the store is built for).
const TICKS_PER_SECOND: f64 = 100.0;

/// CPU time used so far by each process of interest, by pid, with its group.
#[derive(Debug, Clone, Default)]
pub struct CpuTimes {
    ticks: HashMap<u32, (String, u64)>,
}

/// Reads the CPU time of the store's services, of every PostgreSQL and RabbitMQ process
/// on the machine (other databases' backends included: run it on a quiet machine), and of
/// this process.
pub fn sample(stack: &Stack) -> CpuTimes {
    let services: HashMap<u32, &str> = stack
        .processes
        .iter()
        .filter_map(|p| Some((p.pid()?, p.spec.name)))
        .collect();
    let me = std::process::id();
    let mut ticks = HashMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return CpuTimes { ticks };
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let Some((command, used)) = parse_stat(&stat) else {
            continue;
        };
        let group = match services.get(&pid) {
            Some(name) => (*name).to_string(),
            None if pid == me => "petstore-bench".to_string(),
            None => match command {
                "postgres" => "postgresql".to_string(),
                "beam.smp" => "rabbitmq".to_string(),
                _ => continue,
            },
        };
        ticks.insert(pid, (group, used));
    }
    CpuTimes { ticks }
}

/// The command name and the user + system ticks of one `/proc/<pid>/stat` line.
fn parse_stat(stat: &str) -> Option<(&str, u64)> {
    // `pid (comm) state ...`: the name may hold spaces and parentheses, so cut at the last `)`.
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let command = stat.get(open + 1..close)?;
    let fields: Vec<&str> = stat.get(close + 1..)?.split_whitespace().collect();
    // After the name: state is field 3 of the line, utime 14 and stime 15.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((command, utime + stime))
}

/// CPU seconds per group between two samples; processes that started in between count
/// from zero, those that ended are missing (their time is lost).
pub fn used(before: &CpuTimes, after: &CpuTimes) -> BTreeMap<String, f64> {
    let mut groups = BTreeMap::new();
    for (pid, (group, now)) in &after.ticks {
        let then = before.ticks.get(pid).map_or(0, |(_, t)| *t);
        *groups.entry(group.clone()).or_insert(0.0) +=
            now.saturating_sub(then) as f64 / TICKS_PER_SECOND;
    }
    groups
}

/// Prints where the CPU went during `elapsed`, per group and per `unit` of work.
pub fn report(before: &CpuTimes, after: &CpuTimes, elapsed: Duration, units: usize, unit: &str) {
    let groups = used(before, after);
    let mut rows: Vec<_> = groups.into_iter().collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    let seconds = elapsed.as_secs_f64().max(f64::EPSILON);
    let units = units.max(1) as f64;
    println!("\nCPU by process over those {seconds:.1} s (from /proc):\n");
    println!("| process | CPU | of one core | CPU per {unit} |\n|---|---|---|---|");
    let mut total = 0.0;
    for (group, cpu) in &rows {
        total += cpu;
        println!(
            "| {group} | {cpu:.2} s | {:.0} % | {:.2} ms |",
            100.0 * cpu / seconds,
            1000.0 * cpu / units
        );
    }
    let per_unit = total / units;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "| total | {total:.2} s | {:.0} % | {:.2} ms |",
        100.0 * total / seconds,
        1000.0 * per_unit
    );
    println!(
        "\nAt {:.2} ms of CPU per {unit}, this machine's {cores} cores carry at most {:.0} {unit}s/s.",
        1000.0 * per_unit,
        cores as f64 / per_unit.max(f64::EPSILON)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stat_line_gives_its_name_and_ticks_even_with_spaces_and_parentheses() {
        let line = "4242 (tokio (rt) worker) S 1 4242 4242 0 -1 4194560 100 0 0 0 \
                    37 5 0 0 20 0 3 0 1000 1000000 300 18446744073709551615";
        assert_eq!(parse_stat(line), Some(("tokio (rt) worker", 42)));
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn usage_is_the_difference_by_group_and_new_processes_count_from_zero() {
        let before = CpuTimes {
            ticks: HashMap::from([(1, ("postgresql".into(), 100)), (2, ("orders".into(), 50))]),
        };
        let after = CpuTimes {
            ticks: HashMap::from([
                (1, ("postgresql".into(), 150)),
                (2, ("orders".into(), 70)),
                (3, ("postgresql".into(), 30)),
            ]),
        };
        let used = used(&before, &after);
        assert!((used["postgresql"] - 0.8).abs() < 1e-9);
        assert!((used["orders"] - 0.2).abs() < 1e-9);
    }
}
