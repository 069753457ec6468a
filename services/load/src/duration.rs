//! Durations as people type them: `500ms`, `15s`, `5m`, `1h30m`, or a bare number of seconds.

use std::time::Duration;

/// Why a duration could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid duration {0:?}: write e.g. 500ms, 15s, 5m or 1h30m")]
pub struct DurationError(pub String);

/// Parses `500ms`, `15s`, `5m`, `2h`, `1h30m` (units may be combined, largest first) or `60` (seconds).
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let err = || DurationError(text.to_string());
    let text = text.trim();
    if text.is_empty() {
        return Err(err());
    }
    if let Ok(seconds) = text.parse::<u64>() {
        return Ok(Duration::from_secs(seconds));
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(err)?;
        if digits == 0 {
            return Err(err());
        }
        let number: u64 = rest[..digits].parse().map_err(|_| err())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = match &rest[..unit_len] {
            "ms" => Duration::from_millis(number),
            "s" => Duration::from_secs(number),
            "m" => Duration::from_secs(number * 60),
            "h" => Duration::from_secs(number * 3600),
            _ => return Err(err()),
        };
        total += unit;
        rest = &rest[unit_len..];
    }
    Ok(total)
}

/// The range of pauses a simulated person takes between two pages: `MIN..MAX` or one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThinkTime {
    /// Shortest pause.
    pub min: Duration,
    /// Longest pause.
    pub max: Duration,
}

impl ThinkTime {
    /// A pause drawn uniformly from the range.
    pub fn draw(&self, rng: &mut impl rand::Rng) -> Duration {
        if self.max <= self.min {
            return self.min;
        }
        let span = (self.max - self.min).as_millis() as u64;
        self.min + Duration::from_millis(rng.gen_range(0..=span))
    }
}

impl std::str::FromStr for ThinkTime {
    type Err = DurationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (min, max) = match text.split_once("..") {
            Some((min, max)) => (parse_duration(min)?, parse_duration(max)?),
            None => {
                let one = parse_duration(text)?;
                (one, one)
            }
        };
        if max < min {
            return Err(DurationError(text.to_string()));
        }
        Ok(Self { min, max })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_usual_forms() {
        assert_eq!(parse_duration("60"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("15s"), Ok(Duration::from_secs(15)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        for bad in ["", "s", "10x", "1.5s", "-3s", "m5"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn think_times_are_ranges_drawn_within_their_bounds() {
        let range: ThinkTime = "200ms..1s".parse().unwrap();
        assert_eq!(range.min, Duration::from_millis(200));
        assert_eq!(range.max, Duration::from_secs(1));
        let mut rng = rand::thread_rng();
        for _ in 0..100 {
            let pause = range.draw(&mut rng);
            assert!(pause >= range.min && pause <= range.max);
        }
        let fixed: ThinkTime = "0".parse().unwrap();
        assert_eq!(fixed.draw(&mut rng), Duration::ZERO);
        assert!("2s..1s".parse::<ThinkTime>().is_err());
    }
}
