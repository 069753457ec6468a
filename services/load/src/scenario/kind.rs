//! The kinds of simulated people and how the users are shared among them: plain data the
//! configuration, the metrics and the scenarios all read (so it imports none of them).

use serde::Serialize;

/// A kind of simulated person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Browses, filters, searches, reads products and reviews.
    Visitor,
    /// Logs in, fills a cart, checks out, follows the order, sometimes cancels, reviews.
    Shopper,
    /// Restocks items below their minimum, ships paid orders.
    Staff,
}

impl Kind {
    /// Every kind, in report order.
    pub const ALL: [Kind; 3] = [Kind::Visitor, Kind::Shopper, Kind::Staff];

    /// The name in tables and reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Visitor => "visitor",
            Self::Shopper => "shopper",
            Self::Staff => "staff",
        }
    }
}

/// How the users are shared among the kinds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weights {
    /// The kinds in the order users are given them: the weights interleaved (smooth
    /// weighted round robin), so any number of users gets every kind of weight > 0 as
    /// soon as there are enough users, in proportion.
    sequence: Vec<Kind>,
    weights: Vec<(Kind, u32)>,
}

impl Weights {
    /// Weights per kind; kinds of weight 0 never run.
    pub fn new(weights: impl IntoIterator<Item = (Kind, u32)>) -> Self {
        let weights: Vec<(Kind, u32)> = weights.into_iter().filter(|(_, w)| *w > 0).collect();
        let total: i64 = weights.iter().map(|(_, w)| i64::from(*w)).sum();
        let mut current = vec![0i64; weights.len()];
        let mut sequence = Vec::new();
        for _ in 0..total {
            for (c, (_, w)) in current.iter_mut().zip(&weights) {
                *c += i64::from(*w);
            }
            let best = (0..weights.len())
                .max_by_key(|&i| (current[i], std::cmp::Reverse(i)))
                .unwrap_or(0);
            current[best] -= total;
            sequence.push(weights[best].0);
        }
        Self { sequence, weights }
    }

    /// Whether no kind can run.
    pub fn is_empty(&self) -> bool {
        self.sequence.is_empty()
    }

    /// The weight of `kind`.
    pub fn of(&self, kind: Kind) -> u32 {
        self.weights
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(0, |(_, w)| *w)
    }

    /// The kind of the `n`th user started.
    pub fn kind_of(&self, n: usize) -> Kind {
        self.sequence[n % self.sequence.len()]
    }
}
