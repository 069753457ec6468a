//! Idempotent declarations of exchanges, queues and bindings.

use lapin::options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable, LongString};
use lapin::{Channel, ExchangeKind};

use super::{DEAD_LETTER_EXCHANGE, EVENTS_EXCHANGE, Subscription, dlq_name};

/// Declares the events exchange and the dead-letter exchange.
pub(crate) async fn declare_exchanges(channel: &Channel) -> lapin::Result<()> {
    let durable = ExchangeDeclareOptions {
        durable: true,
        ..ExchangeDeclareOptions::default()
    };
    channel
        .exchange_declare(
            EVENTS_EXCHANGE.into(),
            ExchangeKind::Topic,
            durable,
            FieldTable::default(),
        )
        .await?;
    // Direct: dead-lettered messages carry the queue name as routing key, and each DLQ
    // wants exactly its own queue's messages.
    channel
        .exchange_declare(
            DEAD_LETTER_EXCHANGE.into(),
            ExchangeKind::Direct,
            durable,
            FieldTable::default(),
        )
        .await
}

/// Arguments of a subscription queue. They must be identical on every declaration, or the
/// broker refuses the redeclaration (PRECONDITION_FAILED).
fn queue_arguments(queue: &str) -> FieldTable {
    let mut args = FieldTable::default();
    args.insert(
        "x-dead-letter-exchange".into(),
        AMQPValue::LongString(LongString::from(DEAD_LETTER_EXCHANGE)),
    );
    args.insert(
        "x-dead-letter-routing-key".into(),
        AMQPValue::LongString(LongString::from(queue)),
    );
    args
}

/// Declares the subscription's queue, its DLQ and all bindings (exchanges included).
pub(crate) async fn declare_subscription(
    channel: &Channel,
    subscription: &Subscription,
) -> lapin::Result<()> {
    declare_exchanges(channel).await?;
    let durable = QueueDeclareOptions {
        durable: true,
        ..QueueDeclareOptions::default()
    };
    let queue = subscription.queue.as_str();
    let dlq = dlq_name(queue);

    channel
        .queue_declare(dlq.as_str().into(), durable, FieldTable::default())
        .await?;
    channel
        .queue_bind(
            dlq.as_str().into(),
            DEAD_LETTER_EXCHANGE.into(),
            queue.into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await?;

    channel
        .queue_declare(queue.into(), durable, queue_arguments(queue))
        .await?;
    for key in &subscription.routing_keys {
        channel
            .queue_bind(
                queue.into(),
                EVENTS_EXCHANGE.into(),
                key.as_str().into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await?;
    }
    Ok(())
}
