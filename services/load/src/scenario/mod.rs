//! The three kinds of simulated people, their weights, and the loop every user runs:
//! a visit, a pause, the next visit, until the run stops.

mod shopper;
mod staff;
mod visitor;

use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::client::{Api, CallError};
use crate::duration::ThinkTime;
use crate::world::World;

pub use shopper::Shopper;
pub use staff::Staff;
pub use visitor::Visitor;

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

/// Why a visit ended early.
#[derive(Debug, thiserror::Error)]
pub enum VisitError {
    /// The run is stopping.
    #[error("stopped")]
    Stopped,
    /// A request failed.
    #[error(transparent)]
    Call(#[from] CallError),
    /// A shopper's order did not become final in time.
    #[error("order {0} not final after the wait")]
    OrderTimeout(String),
}

/// What every simulated user holds.
#[derive(Debug)]
pub struct User {
    /// Its client.
    pub api: Api,
    /// What the store holds for the scenarios.
    pub world: Arc<World>,
    /// Its own random numbers.
    pub rng: StdRng,
    /// Its number in the run (0-based).
    pub number: usize,
    /// Tells the run to stop.
    pub stop: CancellationToken,
    /// Pauses between pages.
    pub think_time: ThinkTime,
    /// Longest an order is followed.
    pub order_wait: Duration,
    /// Distinguishes this run's accounts from earlier runs'.
    pub run_id: String,
}

impl User {
    /// A user of a run.
    pub fn new(
        api: Api,
        world: Arc<World>,
        number: usize,
        stop: CancellationToken,
        think_time: ThinkTime,
        order_wait: Duration,
        run_id: String,
    ) -> Self {
        Self {
            api,
            world,
            rng: StdRng::from_entropy(),
            number,
            stop,
            think_time,
            order_wait,
            run_id,
        }
    }

    /// Sleeps for `pause` unless the run stops first.
    pub async fn sleep(&self, pause: Duration) -> Result<(), VisitError> {
        tokio::select! {
            _ = self.stop.cancelled() => Err(VisitError::Stopped),
            _ = tokio::time::sleep(pause) => Ok(()),
        }
    }

    /// The pause of a person between two pages.
    pub async fn think(&mut self) -> Result<(), VisitError> {
        let pause = self.think_time.draw(&mut self.rng);
        self.sleep(pause).await
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        use rand::Rng;
        self.rng.gen_bool(p.clamp(0.0, 1.0))
    }
}

/// One person's behaviour: what a visit does.
enum Person {
    Visitor(Visitor),
    Shopper(Box<Shopper>),
    Staff(Box<Staff>),
}

impl Person {
    async fn visit(&mut self, user: &mut User) -> Result<(), VisitError> {
        match self {
            Self::Visitor(v) => v.visit(user).await,
            Self::Shopper(s) => s.visit(user).await,
            Self::Staff(s) => s.visit(user).await,
        }
    }
}

/// Runs one user of `kind` until the run stops: visits with a pause after each.
pub async fn run_user(kind: Kind, mut user: User) {
    let metrics = user.api.metrics();
    metrics.user(kind, true);
    let mut person = match kind {
        Kind::Visitor => Person::Visitor(Visitor),
        Kind::Shopper => Person::Shopper(Box::new(Shopper::new(&user))),
        Kind::Staff => match Staff::new(&user) {
            Some(staff) => Person::Staff(Box::new(staff)),
            None => Person::Visitor(Visitor),
        },
    };
    while !user.stop.is_cancelled() {
        let started = Instant::now();
        match person.visit(&mut user).await {
            Ok(()) => user.api.metrics().iteration(kind, true, started.elapsed()),
            Err(VisitError::Stopped) => break,
            Err(err) => {
                user.api.metrics().iteration(kind, false, started.elapsed());
                let wait = match &err {
                    VisitError::Call(call) => call.retry_after(),
                    _ => None,
                };
                if let Some(wait) = wait
                    && user.sleep(wait.min(Duration::from_secs(30))).await.is_err()
                {
                    break;
                }
            }
        }
        if user.think().await.is_err() {
            break;
        }
    }
    user.api.metrics().user(kind, false);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_are_shared_in_proportion_and_interleaved() {
        let weights = Weights::new([(Kind::Visitor, 6), (Kind::Shopper, 3), (Kind::Staff, 1)]);
        let first_ten: Vec<Kind> = (0..10).map(|n| weights.kind_of(n)).collect();
        let count = |k| first_ten.iter().filter(|x| **x == k).count();
        assert_eq!(
            (
                count(Kind::Visitor),
                count(Kind::Shopper),
                count(Kind::Staff)
            ),
            (6, 3, 1)
        );
        // Interleaved: the first three users are of two kinds already.
        assert_ne!(first_ten[0], first_ten[1]);
        let twenty: Vec<Kind> = (0..20).map(|n| weights.kind_of(n)).collect();
        assert_eq!(twenty.iter().filter(|k| **k == Kind::Staff).count(), 2);

        let no_staff = Weights::new([(Kind::Visitor, 1), (Kind::Shopper, 1), (Kind::Staff, 0)]);
        assert!((0..10).all(|n| no_staff.kind_of(n) != Kind::Staff));
        assert_eq!(no_staff.of(Kind::Staff), 0);
        assert!(Weights::new([(Kind::Visitor, 0)]).is_empty());
    }
}
