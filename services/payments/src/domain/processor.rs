//! The simulated card processor, with a deterministic, documented decline rule so that
//! tests (and people trying the store) can provoke a decline on purpose:
//!
//! - an amount above [`CARD_LIMIT`] minor units (1 000 000.00) is declined
//!   ("card limit exceeded");
//! - an amount whose minor units end in `13` (e.g. 12.13 EUR = 1213) is declined
//!   ("card declined");
//! - everything else is approved.

use super::Money;

/// Largest amount (minor units) the simulated card accepts.
pub const CARD_LIMIT: i64 = 100_000_000;
/// Minor units that make the simulated card decline (`amount % 100`).
pub const DECLINED_CENTS: i64 = 13;

/// What the processor answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Charged.
    Approved,
    /// Not charged, and why.
    Declined(&'static str),
}

/// Charges `amount` with the simulated processor.
pub fn charge(amount: &Money) -> Decision {
    if amount.amount > CARD_LIMIT {
        Decision::Declined("card limit exceeded")
    } else if amount.amount % 100 == DECLINED_CENTS {
        Decision::Declined("card declined")
    } else {
        Decision::Approved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_decline_rule() {
        let eur = |amount| Money::new(amount, "EUR");
        assert_eq!(charge(&eur(2000)), Decision::Approved);
        assert_eq!(charge(&eur(0)), Decision::Approved);
        assert_eq!(charge(&eur(CARD_LIMIT)), Decision::Approved);
        assert_eq!(charge(&eur(1214)), Decision::Approved);
        assert_eq!(charge(&eur(113)), Decision::Declined("card declined"));
        assert_eq!(charge(&eur(1213)), Decision::Declined("card declined"));
        assert_eq!(
            charge(&eur(CARD_LIMIT + 1)),
            Decision::Declined("card limit exceeded")
        );
    }
}
