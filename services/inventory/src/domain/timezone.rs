//! IANA time-zone names, checked without a time-zone database.
//!
//! A full check would need the tz database (chrono-tz, a large build); stores only need the
//! name for display and reporting, so a strict shape check over the IANA areas catches
//! typos such as `Europe Paris`, `CET` or `paris` at a fraction of the cost.

/// The top-level areas of the IANA database (plus `Etc` for fixed offsets).
const AREAS: &[&str] = &[
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
    "Etc",
];

/// Longest accepted name (the longest IANA name is 32 characters).
pub const TIMEZONE_MAX: usize = 64;

/// Whether `name` looks like an IANA zone: `UTC`, or `Area/Location[/Sub]` with a known
/// area and locations made of letters, digits, `_`, `-` and `+` starting with a capital
/// letter (or `GMT±n` under `Etc`).
pub fn is_iana_timezone(name: &str) -> bool {
    if name == "UTC" {
        return true;
    }
    if name.len() > TIMEZONE_MAX {
        return false;
    }
    let mut parts = name.split('/');
    let Some(area) = parts.next() else {
        return false;
    };
    let rest: Vec<&str> = parts.collect();
    AREAS.contains(&area)
        && (1..=2).contains(&rest.len())
        && rest.iter().all(|part| {
            part.starts_with(|c: char| c.is_ascii_uppercase())
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_iana_names() {
        for good in [
            "UTC",
            "Europe/Paris",
            "America/Argentina/Buenos_Aires",
            "America/Port-au-Prince",
            "Etc/GMT+5",
            "Asia/Ho_Chi_Minh",
        ] {
            assert!(is_iana_timezone(good), "{good}");
        }
    }

    #[test]
    fn refuses_everything_else() {
        for bad in [
            "",
            "CET",
            "Europe",
            "Europe/",
            "europe/paris",
            "Europe/paris",
            "Europe Paris",
            "Mars/Olympus_Mons",
            "Europe/Paris/Left/Bank",
            "../etc/passwd",
        ] {
            assert!(!is_iana_timezone(bad), "{bad}");
        }
    }
}
