//! The three kinds of simulated people, their weights, and the loop every user runs:
//! a visit, a pause, the next visit, until the run stops.

pub mod kind;
mod shopper;
mod staff;
mod visitor;

use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio_util::sync::CancellationToken;

use crate::client::{Api, CallError};
use crate::duration::ThinkTime;
use crate::world::World;

pub use kind::{Kind, Weights};
pub use shopper::Shopper;
pub use staff::Staff;
pub use visitor::Visitor;

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
