//! Every domain event of the store, once: its name (the routing key), its payload type and
//! who publishes and consumes it.
//!
//! Producers serialize the payload types; consumers deserialize the same types. Where a
//! consumer reads only part of an event, and must keep working when the other fields are
//! missing (tolerant reader), it uses the one reading of that part declared here next to
//! the payload (for example [`OrderRef`], [`ProductFields`]), never one of its own.
//!
//! [`EVENTS`] lists every event with its producer and consumers; `docs/events.md` is
//! checked against it by a test.

mod cart;
mod catalog;
mod inventory;
mod orders;
mod payments;
mod reviews;
mod users;

pub use cart::*;
pub use catalog::*;
pub use inventory::*;
pub use orders::*;
pub use payments::*;
pub use reviews::*;
pub use users::*;

/// One event of the store: what it is called, who publishes it, who consumes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventSpec {
    /// The event type: the envelope's `type` and the routing key.
    pub name: &'static str,
    /// The service that publishes it (a [`petstore_contract::ServiceSpec::name`]).
    pub producer: &'static str,
    /// The services that consume it, in the order of [`petstore_contract::SERVICES`].
    pub consumers: &'static [&'static str],
    /// What it means, in one line.
    pub meaning: &'static str,
}

/// Every data service: all of them consume [`USER_ROLE_CHANGED`].
const DATA_SERVICES: &[&str] = &[
    "users",
    "catalog",
    "inventory",
    "cart",
    "orders",
    "payments",
    "reviews",
];

/// Every event of the store, grouped by producer.
pub const EVENTS: &[EventSpec] = &[
    EventSpec {
        name: USER_REGISTERED,
        producer: "users",
        consumers: &["cart"],
        meaning: "a user registered (the cart opens their empty cart)",
    },
    EventSpec {
        name: USER_ROLE_CHANGED,
        producer: "users",
        consumers: DATA_SERVICES,
        meaning: "a user's role changed (their older access tokens are refused)",
    },
    EventSpec {
        name: CATEGORY_CREATED,
        producer: "catalog",
        consumers: &[],
        meaning: "a category was created",
    },
    EventSpec {
        name: PRODUCT_CREATED,
        producer: "catalog",
        consumers: &["inventory"],
        meaning: "a product was created",
    },
    EventSpec {
        name: PRODUCT_UPDATED,
        producer: "catalog",
        consumers: &["inventory", "cart"],
        meaning: "a product changed (price, active flag or anything else)",
    },
    EventSpec {
        name: PRODUCT_DELETED,
        producer: "catalog",
        consumers: &["inventory", "cart", "reviews"],
        meaning: "a product was deleted",
    },
    EventSpec {
        name: PET_CREATED,
        producer: "catalog",
        consumers: &[],
        meaning: "a pet was created",
    },
    EventSpec {
        name: PET_UPDATED,
        producer: "catalog",
        consumers: &[],
        meaning: "a pet changed (including being sold)",
    },
    EventSpec {
        name: PET_DELETED,
        producer: "catalog",
        consumers: &[],
        meaning: "a pet was deleted",
    },
    EventSpec {
        name: CART_CREATED,
        producer: "cart",
        consumers: &[],
        meaning: "a user's cart was opened",
    },
    EventSpec {
        name: CART_CHECKED_OUT,
        producer: "cart",
        consumers: &["orders"],
        meaning: "a cart was checked out and orders did not take it synchronously (orders creates the order with its id)",
    },
    EventSpec {
        name: ORDER_CREATED,
        producer: "orders",
        consumers: &["inventory", "payments"],
        meaning: "an order was placed (inventory reserves it, payments records what it owes)",
    },
    EventSpec {
        name: ORDER_PAID,
        producer: "orders",
        consumers: &["catalog", "inventory", "reviews"],
        meaning: "an order was paid (its pets are sold, its stock leaves, purchases are verified)",
    },
    EventSpec {
        name: ORDER_CANCELLED,
        producer: "orders",
        consumers: &["inventory", "payments"],
        meaning: "an order was cancelled (stock is released or returned, a charge refunded)",
    },
    EventSpec {
        name: ORDER_FAILED,
        producer: "orders",
        consumers: &["inventory", "payments"],
        meaning: "an order failed (stock is released, the payment intent closed)",
    },
    EventSpec {
        name: INVENTORY_RESERVED,
        producer: "inventory",
        consumers: &["orders", "payments"],
        meaning: "every line of an order is held (payments charges it)",
    },
    EventSpec {
        name: INVENTORY_REJECTED,
        producer: "inventory",
        consumers: &["orders"],
        meaning: "an order could not be reserved, and nothing was (the order fails)",
    },
    EventSpec {
        name: INVENTORY_LOW_STOCK,
        producer: "inventory",
        consumers: &[],
        meaning: "an item's available quantity crossed below its minimum",
    },
    EventSpec {
        name: PAYMENT_COMPLETED,
        producer: "payments",
        consumers: &["orders"],
        meaning: "an order's charge went through (the order is paid)",
    },
    EventSpec {
        name: PAYMENT_FAILED,
        producer: "payments",
        consumers: &["orders"],
        meaning: "an order's charge was declined (the order fails)",
    },
    EventSpec {
        name: PAYMENT_REFUNDED,
        producer: "payments",
        consumers: &[],
        meaning: "a charge was refunded",
    },
    EventSpec {
        name: REVIEW_CREATED,
        producer: "reviews",
        consumers: &[],
        meaning: "a review was written",
    },
];

/// The event named `name`, if the store has one.
#[must_use]
pub fn event(name: &str) -> Option<&'static EventSpec> {
    EVENTS.iter().find(|spec| spec.name == name)
}

/// The events `service` consumes, in the order of [`EVENTS`]; every data service's
/// [`USER_ROLE_CHANGED`] included (the kit's platform subscribes to it).
pub fn consumed_by(service: &str) -> impl Iterator<Item = &'static str> {
    EVENTS
        .iter()
        .filter(move |spec| spec.consumers.contains(&service))
        .map(|spec| spec.name)
}

/// Checks that `subscribed` (the event lists of a service's subscriptions) names exactly
/// what [`EVENTS`] says `service` consumes, besides [`USER_ROLE_CHANGED`]; the services'
/// tests call it, so the registry cannot drift from the subscriptions.
///
/// # Panics
/// When they differ, naming both lists.
#[cfg(any(test, feature = "testing"))]
pub fn assert_consumes(service: &str, subscribed: &[&[&str]]) {
    let mut found: Vec<&str> = subscribed
        .iter()
        .flat_map(|names| names.iter().copied())
        .collect();
    found.push(USER_ROLE_CHANGED);
    found.sort_unstable();
    let mut registered: Vec<&str> = consumed_by(service).collect();
    registered.sort_unstable();
    assert_eq!(
        found, registered,
        "{service} subscribes to the first list, kit::events::schema::EVENTS says the second"
    );
}

#[cfg(test)]
mod docs;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_services_exist() {
        for (i, spec) in EVENTS.iter().enumerate() {
            assert!(
                EVENTS[..i].iter().all(|other| other.name != spec.name),
                "{} is listed twice",
                spec.name
            );
            for service in std::iter::once(&spec.producer).chain(spec.consumers) {
                assert!(
                    petstore_contract::service(service).is_some(),
                    "{}: no service {service}",
                    spec.name
                );
            }
            assert!(!spec.consumers.contains(&spec.producer) || spec.name == USER_ROLE_CHANGED);
        }
    }

    #[test]
    fn consumers_are_in_the_order_of_the_services() {
        let position = |name: &str| {
            petstore_contract::SERVICES
                .iter()
                .position(|s| s.name == name)
        };
        for spec in EVENTS {
            let positions: Vec<_> = spec.consumers.iter().map(|c| position(c)).collect();
            assert!(positions.is_sorted(), "{}: {:?}", spec.name, spec.consumers);
        }
    }
}
