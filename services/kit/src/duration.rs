//! Durations in configuration: a whole number and a unit, e.g. `90s`, `15m`, `36h`, `7d`.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// A [`Duration`] read from text as `<whole number><unit>`, the unit one of `s`, `m`, `h`,
/// `d`; displayed the same way, in the largest unit that divides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct HumanDuration(pub Duration);

/// Why a text is not a [`HumanDuration`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected a whole number and a unit (s, m, h or d), e.g. 7d or 36h")]
pub struct DurationError;

const UNITS: [(char, u64); 4] = [('d', 86_400), ('h', 3_600), ('m', 60), ('s', 1)];

impl FromStr for HumanDuration {
    type Err = DurationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let unit = text.chars().last().ok_or(DurationError)?;
        let (_, seconds) = UNITS
            .iter()
            .find(|(name, _)| *name == unit)
            .ok_or(DurationError)?;
        let number = &text[..text.len() - unit.len_utf8()];
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DurationError);
        }
        let count: u64 = number.parse().map_err(|_| DurationError)?;
        let total = count.checked_mul(*seconds).ok_or(DurationError)?;
        Ok(Self(Duration::from_secs(total)))
    }
}

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seconds = self.0.as_secs();
        let (unit, size) = UNITS
            .iter()
            .find(|(_, size)| seconds > 0 && seconds.is_multiple_of(*size))
            .copied()
            .unwrap_or(('s', 1));
        write!(f, "{}{unit}", seconds / size)
    }
}

impl From<Duration> for HumanDuration {
    fn from(duration: Duration) -> Self {
        Self(duration)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Duration, DurationError> {
        text.parse::<HumanDuration>().map(|d| d.0)
    }

    #[test]
    fn reads_every_unit() {
        assert_eq!(parse("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse("36h"), Ok(Duration::from_secs(36 * 3600)));
        assert_eq!(parse(" 7d "), Ok(Duration::from_secs(7 * 86_400)));
        assert_eq!(parse("0s"), Ok(Duration::ZERO));
    }

    #[test]
    fn refuses_what_is_not_a_number_and_a_unit() {
        for bad in [
            "",
            "d",
            "7",
            "7 d",
            "-1d",
            "1.5h",
            "7w",
            "+3h",
            "99999999999999999999d",
        ] {
            assert_eq!(parse(bad), Err(DurationError), "{bad:?}");
        }
    }

    #[test]
    fn displays_in_the_largest_exact_unit() {
        let show = |secs| HumanDuration(Duration::from_secs(secs)).to_string();
        assert_eq!(show(7 * 86_400), "7d");
        assert_eq!(show(36 * 3600), "36h");
        assert_eq!(show(90), "90s");
        assert_eq!(show(0), "0s");
        assert_eq!(parse(&show(5400)), Ok(Duration::from_secs(5400)));
    }
}
