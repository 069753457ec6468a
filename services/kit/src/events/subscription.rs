//! What a consuming service subscribes to: one queue, its routing keys and how its
//! deliveries are handled. Read by the topology (declarations) and the consumer (handling),
//! it imports neither.

use super::DEFAULT_MAX_ATTEMPTS;

/// One queue of a consuming service.
#[derive(Clone, Debug)]
pub struct Subscription {
    /// Durable queue name, unique per consuming service and purpose (e.g. `inventory.orders`).
    pub queue: String,
    /// Event types (topic patterns allowed) bound to the queue.
    pub routing_keys: Vec<String>,
    /// Deliveries attempted before a transiently failing event is dead-lettered.
    pub max_attempts: u32,
    /// Deliveries handled at once; 1 handles them strictly one after the other, in queue
    /// order.
    pub concurrency: usize,
    /// The field of the events' `data` (e.g. `orderId`) whose events must be applied in
    /// queue order: deliveries with the same value always go to the same lane, one after the
    /// other; deliveries with different values may be applied concurrently.
    pub ordered_by: Option<String>,
}

impl Subscription {
    /// A subscription of `queue` to `routing_keys`, with [`DEFAULT_MAX_ATTEMPTS`] attempts.
    pub fn new(queue: impl Into<String>, routing_keys: &[&str]) -> Self {
        Self {
            queue: queue.into(),
            routing_keys: routing_keys.iter().map(|key| (*key).to_owned()).collect(),
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            concurrency: 1,
            ordered_by: None,
        }
    }

    /// The same subscription handling up to `concurrency` deliveries at once, in queue
    /// order among those whose `data.<field>` is equal (e.g. every event of one order).
    /// Events without the field are spread by their id.
    #[must_use]
    pub fn concurrent_by(mut self, field: &str, concurrency: usize) -> Self {
        self.ordered_by = Some(field.to_owned());
        self.concurrency = concurrency.max(1);
        self
    }

    /// The same subscription with another attempt limit.
    #[must_use]
    pub fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = max_attempts;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscription_defaults() {
        let sub = Subscription::new("q", &["a.b", "c.*"]);
        assert_eq!(sub.max_attempts, DEFAULT_MAX_ATTEMPTS);
        assert_eq!(sub.routing_keys, vec!["a.b", "c.*"]);
        assert_eq!((sub.concurrency, sub.ordered_by.as_deref()), (1, None));
        let concurrent = sub.clone().concurrent_by("orderId", 0);
        assert_eq!(concurrent.concurrency, 1, "at least one lane");
        assert_eq!(concurrent.ordered_by.as_deref(), Some("orderId"));
        assert_eq!(sub.with_max_attempts(2).max_attempts, 2);
    }
}
