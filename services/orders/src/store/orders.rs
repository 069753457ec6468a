//! SQL of orders, their lines, status history and shipments.

use chrono::{DateTime, Utc};
use kit::conditional::ETag;
use kit::cursor::KeyKind;
use kit::pagination::{Page, PageOf};
use kit::record::{self, Record};
use kit::sql::{ListError, SortKey};
use sqlx::{PgConnection, PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::domain::Money;
use crate::domain::order::{Order, OrderLine, OrderQuery, OrderStatus, Shipment, StatusChange};

/// PostgreSQL `NOTIFY` channel on which every change of an order is announced (payload: its
/// id), in the transaction that makes it: waiting reads of every replica wake on it.
pub const CHANGES_CHANNEL: &str = "orders_changed";

const COLUMNS: &str = "o.id, o.user_id, o.store_id, o.status, o.total_amount, o.currency, \
                       o.source, o.payment_id, o.status_reason, o.created_at, o.updated_at, \
                       s.carrier, s.tracking_number, s.shipped_at, s.delivered_at";
const FROM: &str = "orders o LEFT JOIN shipments s ON s.order_id = o.id";

/// An order as stored, without its lines.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrderRow {
    /// Id.
    pub id: Uuid,
    /// Customer.
    pub user_id: Uuid,
    /// Store.
    pub store_id: Uuid,
    /// Status.
    pub status: OrderStatus,
    total_amount: i64,
    currency: String,
    source: String,
    /// Payment, once paid.
    pub payment_id: Option<Uuid>,
    status_reason: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    carrier: Option<String>,
    tracking_number: Option<String>,
    shipped_at: Option<DateTime<Utc>>,
    delivered_at: Option<DateTime<Utc>>,
}

impl Record for OrderRow {
    const TABLE: &'static str = "orders";
    const ALIAS: &'static str = "o";
    const FROM: &'static str = FROM;
    const COUNT_FROM: &'static str = "orders o";
    const COLUMNS: &'static str = COLUMNS;
    type Item = Self;
}

impl kit::owner::Owned for OrderRow {
    fn owner(&self) -> Uuid {
        self.user_id
    }
}

impl OrderRow {
    /// The strong entity tag of the order as [`OrderRow::into_order`] shows it: every
    /// change of an order goes through [`set_status`], which sets `updated_at` and changes
    /// `status` (no transition leads back to the status it starts from), and its shipment
    /// changes only in the same transaction; lines never change.
    pub fn etag(&self) -> ETag {
        ETag::strong(&format!(
            "{}-{}",
            self.updated_at.timestamp_micros(),
            self.status.as_str()
        ))
    }

    /// The total.
    pub fn total(&self) -> Money {
        Money::new(self.total_amount, self.currency.clone())
    }

    /// The full order, given its lines.
    pub fn into_order(self, lines: Vec<OrderLine>) -> Order {
        let shipment = match (self.carrier, self.tracking_number, self.shipped_at) {
            (Some(carrier), Some(tracking_number), Some(shipped_at)) => Some(Shipment {
                carrier,
                tracking_number,
                shipped_at,
                delivered_at: self.delivered_at,
            }),
            _ => None,
        };
        Order {
            id: self.id,
            user_id: self.user_id,
            store_id: self.store_id,
            status: self.status,
            total: Money::new(self.total_amount, self.currency),
            lines,
            source: self.source,
            payment_id: self.payment_id,
            status_reason: self.status_reason,
            shipment,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
struct LineRow {
    order_id: Uuid,
    product_id: Uuid,
    pet_id: Option<Uuid>,
    sku: String,
    name: String,
    quantity: i64,
    unit_price_amount: i64,
    currency: String,
}

impl From<LineRow> for OrderLine {
    fn from(row: LineRow) -> Self {
        Self {
            product_id: row.product_id,
            pet_id: row.pet_id,
            sku: row.sku,
            name: row.name,
            quantity: row.quantity,
            unit_price: Money::new(row.unit_price_amount, row.currency),
        }
    }
}

/// What a new order is made of.
#[derive(Debug, Clone)]
pub struct NewOrderRow<'a> {
    /// Id (from the checkout, or fresh).
    pub id: Uuid,
    /// Customer.
    pub user_id: Uuid,
    /// Store.
    pub store_id: Uuid,
    /// Total.
    pub total: &'a Money,
    /// `api` or `checkout`.
    pub source: &'static str,
    /// The checked-out cart, for checkout orders.
    pub cart_id: Option<Uuid>,
    /// The client's idempotency key, for API orders.
    pub idempotency_key: Option<&'a str>,
}

/// Inserts an order unless one with its id or its (user, idempotency key) exists; whether
/// it was inserted. `ON CONFLICT DO NOTHING` waits for a concurrent insert of the same key
/// to commit, so two racing requests cannot both insert.
pub async fn insert(conn: &mut PgConnection, order: &NewOrderRow<'_>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO orders (id, user_id, store_id, total_amount, currency, source, cart_id, \
             idempotency_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
    )
    .bind(order.id)
    .bind(order.user_id)
    .bind(order.store_id)
    .bind(order.total.amount)
    .bind(&order.total.currency)
    .bind(order.source)
    .bind(order.cart_id)
    .bind(order.idempotency_key)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Inserts the lines of an order, keeping their order.
pub async fn insert_lines(
    conn: &mut PgConnection,
    order_id: Uuid,
    lines: &[OrderLine],
) -> Result<(), sqlx::Error> {
    for (position, line) in lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO order_lines (order_id, position, product_id, pet_id, sku, name, \
                 quantity, unit_price_amount, currency) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(order_id)
        .bind(i32::try_from(position).unwrap_or(i32::MAX))
        .bind(line.product_id)
        .bind(line.pet_id)
        .bind(&line.sku)
        .bind(&line.name)
        .bind(line.quantity)
        .bind(line.unit_price.amount)
        .bind(&line.unit_price.currency)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Appends a status change to an order's history.
pub async fn insert_history(
    conn: &mut PgConnection,
    order_id: Uuid,
    from: Option<OrderStatus>,
    to: OrderStatus,
    reason: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO order_status_history (order_id, from_status, to_status, reason) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(order_id)
    .bind(from.map(OrderStatus::as_str))
    .bind(to.as_str())
    .bind(reason)
    .execute(conn)
    .await?;
    Ok(())
}

/// One order (without lines).
pub async fn get(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<OrderRow>, sqlx::Error> {
    record::get::<OrderRow>(db, id).await
}

/// One order, locked until the end of the transaction.
pub async fn get_for_update(
    db: impl PgExecutor<'_>,
    id: Uuid,
) -> Result<Option<OrderRow>, sqlx::Error> {
    record::get_for_update::<OrderRow>(db, id).await
}

/// The order a user created with an idempotency key.
pub async fn find_by_key(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    key: &str,
) -> Result<Option<OrderRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE o.user_id = $1 AND o.idempotency_key = $2"
    ))
    .bind(user_id)
    .bind(key)
    .fetch_optional(db)
    .await
}

/// The lines of the given orders, each order's in position order.
pub async fn lines(
    db: impl PgExecutor<'_>,
    order_ids: &[Uuid],
) -> Result<Vec<(Uuid, OrderLine)>, sqlx::Error> {
    let rows: Vec<LineRow> = sqlx::query_as(
        "SELECT order_id, product_id, pet_id, sku, name, quantity, unit_price_amount, currency \
         FROM order_lines WHERE order_id = ANY($1) ORDER BY order_id, position",
    )
    .bind(order_ids)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.order_id, r.into())).collect())
}

fn push_filters(qb: &mut QueryBuilder<'_, Postgres>, query: &OrderQuery) {
    if let Some(status) = query.status {
        qb.push(" AND o.status = ").push_bind(status.as_str());
    }
    if let Some(user) = query.user_id {
        qb.push(" AND o.user_id = ").push_bind(user);
    }
}

/// One page of the orders matching `query`, newest first, and how many match in all.
pub async fn list(
    db: impl PgExecutor<'_> + Copy,
    query: &OrderQuery,
    page: &Page,
) -> Result<PageOf<OrderRow>, ListError> {
    const KEYS: &[SortKey] = &[
        SortKey::desc("o.created_at", KeyKind::Time),
        SortKey::desc("o.id", KeyKind::Uuid),
    ];
    let scope = format!("{query:?}");
    record::list::<OrderRow>(db, KEYS, &scope, |qb| push_filters(qb, query), page).await
}

/// Moves an order to `to` if (and only if) its status is one of `allowed`: the guard that
/// keeps late or out-of-order events from moving an order backwards. Sets the reason and,
/// when given, the payment, and notifies [`CHANGES_CHANNEL`] (on commit). `false` when the
/// guard did not hold (and nothing is notified).
pub async fn set_status(
    conn: &mut PgConnection,
    id: Uuid,
    allowed: &[OrderStatus],
    to: OrderStatus,
    reason: Option<&str>,
    payment_id: Option<Uuid>,
) -> Result<bool, sqlx::Error> {
    let allowed: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
    // One round trip: the NOTIFY rides along with the update, once per updated row (none
    // when the guard fails), and is delivered only if the caller commits.
    let done = sqlx::query(
        "WITH changed AS (\
             UPDATE orders SET status = $3, status_reason = COALESCE($4, status_reason), \
                 payment_id = COALESCE($5, payment_id), updated_at = now() \
             WHERE id = $1 AND status = ANY($2) RETURNING id\
         ) SELECT pg_notify($6, id::text) FROM changed",
    )
    .bind(id)
    .bind(&allowed)
    .bind(to.as_str())
    .bind(reason)
    .bind(payment_id)
    .bind(CHANGES_CHANNEL)
    .fetch_optional(conn)
    .await?;
    Ok(done.is_some())
}

/// Records the shipment of an order (with [`set_status`] to `shipped` in the same
/// transaction, which notifies the change).
pub async fn insert_shipment(
    conn: &mut PgConnection,
    order_id: Uuid,
    carrier: &str,
    tracking_number: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO shipments (order_id, carrier, tracking_number) VALUES ($1, $2, $3)")
        .bind(order_id)
        .bind(carrier)
        .bind(tracking_number)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records the delivery of a shipped order (with [`set_status`] to `delivered` in the
/// same transaction, which notifies the change).
pub async fn mark_delivered(conn: &mut PgConnection, order_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE shipments SET delivered_at = now() WHERE order_id = $1")
        .bind(order_id)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, sqlx::FromRow)]
struct HistoryRow {
    from_status: Option<OrderStatus>,
    to_status: OrderStatus,
    reason: Option<String>,
    created_at: DateTime<Utc>,
}

/// An order's status history, oldest first.
pub async fn history(
    db: impl PgExecutor<'_>,
    order_id: Uuid,
) -> Result<Vec<StatusChange>, sqlx::Error> {
    let rows: Vec<HistoryRow> = sqlx::query_as(
        "SELECT from_status, to_status, reason, created_at FROM order_status_history \
         WHERE order_id = $1 ORDER BY id",
    )
    .bind(order_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| StatusChange {
            from: r.from_status,
            to: r.to_status,
            reason: r.reason,
            at: r.created_at,
        })
        .collect())
}
