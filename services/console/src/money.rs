//! Money as the APIs send it (integer minor units and an ISO 4217 code), shown and typed
//! the way people write it.

use serde::{Deserialize, Serialize};

/// An amount in minor units of a currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    /// Minor units (cents).
    pub amount: i64,
    /// ISO 4217 code.
    pub currency: String,
}

/// Currencies without minor units.
const NO_DECIMALS: [&str; 4] = ["JPY", "KRW", "ISK", "CLP"];

fn decimals(currency: &str) -> u32 {
    if NO_DECIMALS.contains(&currency) {
        0
    } else {
        2
    }
}

impl Money {
    /// `12.99 EUR`.
    pub fn display(&self) -> String {
        let places = decimals(&self.currency);
        if places == 0 {
            return format!("{} {}", self.amount, self.currency);
        }
        let scale = 10i64.pow(places);
        let sign = if self.amount < 0 { "-" } else { "" };
        let abs = self.amount.unsigned_abs();
        let scale = scale.unsigned_abs();
        format!(
            "{sign}{}.{:0width$} {}",
            abs / scale,
            abs % scale,
            self.currency,
            width = places as usize
        )
    }

    /// The amount as typed in a form (`12.99`).
    pub fn input_value(&self) -> String {
        self.display()
            .rsplit_once(' ')
            .map(|(n, _)| n.to_string())
            .unwrap_or_default()
    }
}

/// Why a typed amount is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("enter an amount like 12.99")]
pub struct AmountError;

/// Minor units of `text` (`12`, `12.5`, `12.99`, `12,99`) in `currency`.
pub fn parse_amount(text: &str, currency: &str) -> Result<i64, AmountError> {
    let text = text.trim().replace(',', ".");
    let places = decimals(currency) as usize;
    let (whole, fraction) = match text.split_once('.') {
        Some((_, "")) => return Err(AmountError),
        Some(parts) => parts,
        None => (text.as_str(), ""),
    };
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !digits(whole) || (!fraction.is_empty() && !digits(fraction)) || fraction.len() > places {
        return Err(AmountError);
    }
    let whole: i64 = whole.parse().map_err(|_| AmountError)?;
    let fraction: i64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<places$}")
            .parse()
            .map_err(|_| AmountError)?
    };
    whole
        .checked_mul(10i64.pow(places as u32))
        .and_then(|w| w.checked_add(fraction))
        .ok_or(AmountError)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_shown_with_their_currency() {
        assert_eq!(
            Money {
                amount: 1299,
                currency: "EUR".into()
            }
            .display(),
            "12.99 EUR"
        );
        assert_eq!(
            Money {
                amount: 5,
                currency: "USD".into()
            }
            .display(),
            "0.05 USD"
        );
        assert_eq!(
            Money {
                amount: -150,
                currency: "EUR".into()
            }
            .display(),
            "-1.50 EUR"
        );
        assert_eq!(
            Money {
                amount: 500,
                currency: "JPY".into()
            }
            .display(),
            "500 JPY"
        );
        assert_eq!(
            Money {
                amount: 1299,
                currency: "EUR".into()
            }
            .input_value(),
            "12.99"
        );
    }

    #[test]
    fn typed_amounts_become_minor_units() {
        assert_eq!(parse_amount("12.99", "EUR"), Ok(1299));
        assert_eq!(parse_amount(" 12,5 ", "EUR"), Ok(1250));
        assert_eq!(parse_amount("7", "EUR"), Ok(700));
        assert_eq!(parse_amount("500", "JPY"), Ok(500));
        for bad in [
            "",
            "abc",
            "1.999",
            "-3",
            "1.",
            ".5",
            "1e3",
            "99999999999999999999",
        ] {
            assert_eq!(parse_amount(bad, "EUR"), Err(AmountError), "{bad}");
        }
    }
}
