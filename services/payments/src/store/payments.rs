//! SQL of payments, their audit log and parked saga events.

use chrono::{DateTime, Utc};
use kit::cursor::KeyKind;
use kit::pagination::{Page, PageOf};
use kit::record::{self, Record};
use kit::sql::{ListError, SortKey};
use sqlx::{PgConnection, PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::domain::Money;
use crate::domain::payment::{AuditEntry, Payment, PaymentQuery, PaymentStatus};

const COLUMNS: &str = "p.id, p.order_id, p.user_id, p.amount, p.currency, p.status, \
                       p.decline_reason, p.refund_id, p.created_at, p.updated_at";

/// A payment as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PaymentRow {
    /// Id.
    pub id: Uuid,
    /// Order.
    pub order_id: Uuid,
    /// Customer.
    pub user_id: Uuid,
    amount: i64,
    currency: String,
    /// Status.
    pub status: PaymentStatus,
    decline_reason: Option<String>,
    refund_id: Option<Uuid>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl Record for PaymentRow {
    const TABLE: &'static str = "payments";
    const ALIAS: &'static str = "p";
    const FROM: &'static str = "payments p";
    const COLUMNS: &'static str = COLUMNS;
    type Item = Payment;
}

impl PaymentRow {
    /// The amount due.
    pub fn amount(&self) -> Money {
        Money::new(self.amount, self.currency.clone())
    }
}

impl From<PaymentRow> for Payment {
    fn from(row: PaymentRow) -> Self {
        Self {
            id: row.id,
            order_id: row.order_id,
            user_id: row.user_id,
            amount: Money::new(row.amount, row.currency),
            status: row.status,
            decline_reason: row.decline_reason,
            refund_id: row.refund_id,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// Records a pending payment for an order unless the order has one; whether it did.
pub async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    order_id: Uuid,
    user_id: Uuid,
    amount: &Money,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO payments (id, order_id, user_id, amount, currency) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (order_id) DO NOTHING",
    )
    .bind(id)
    .bind(order_id)
    .bind(user_id)
    .bind(amount.amount)
    .bind(&amount.currency)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An order's payment, locked until the end of the transaction.
pub async fn by_order_for_update(
    conn: &mut PgConnection,
    order_id: Uuid,
) -> Result<Option<PaymentRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM payments p WHERE p.order_id = $1 FOR UPDATE"
    ))
    .bind(order_id)
    .fetch_optional(conn)
    .await
}

/// Moves a payment from `from` to `to` only if it is still in `from` (the state guard that
/// makes a charge or a refund happen at most once); whether it moved.
pub async fn set_status(
    conn: &mut PgConnection,
    id: Uuid,
    from: PaymentStatus,
    to: PaymentStatus,
    decline_reason: Option<&str>,
    refund_id: Option<Uuid>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE payments SET status = $3, decline_reason = COALESCE($4, decline_reason), \
             refund_id = COALESCE($5, refund_id), updated_at = now() \
         WHERE id = $1 AND status = $2",
    )
    .bind(id)
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(decline_reason)
    .bind(refund_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Appends an entry to a payment's audit log.
pub async fn audit(
    conn: &mut PgConnection,
    payment_id: Uuid,
    from: Option<PaymentStatus>,
    to: PaymentStatus,
    event_id: Uuid,
    detail: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO payment_audit (payment_id, from_status, to_status, event_id, detail) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(payment_id)
    .bind(from.map(PaymentStatus::as_str))
    .bind(to.as_str())
    .bind(event_id)
    .bind(detail)
    .execute(conn)
    .await?;
    Ok(())
}

/// What a parked event asks for once the payment intent exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parked {
    /// inventory.reserved: charge.
    Reserved,
    /// order.cancelled: do not charge.
    Cancelled,
}

impl Parked {
    fn as_str(self) -> &'static str {
        match self {
            Self::Reserved => "reserved",
            Self::Cancelled => "cancelled",
        }
    }
}

/// Parks an event that arrived before the order's payment intent.
pub async fn park(
    conn: &mut PgConnection,
    order_id: Uuid,
    kind: Parked,
    event_id: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO parked_events (order_id, kind, event_id) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
    )
    .bind(order_id)
    .bind(kind.as_str())
    .bind(event_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes and returns the events parked for an order: (kind, event id).
pub async fn take_parked(
    conn: &mut PgConnection,
    order_id: Uuid,
) -> Result<Vec<(Parked, Uuid)>, sqlx::Error> {
    let rows: Vec<(String, Uuid)> =
        sqlx::query_as("DELETE FROM parked_events WHERE order_id = $1 RETURNING kind, event_id")
            .bind(order_id)
            .fetch_all(conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(kind, id)| {
            let kind = if kind == "cancelled" {
                Parked::Cancelled
            } else {
                Parked::Reserved
            };
            (kind, id)
        })
        .collect())
}

/// One payment.
pub async fn get(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<Payment>, sqlx::Error> {
    record::get::<PaymentRow>(db, id).await
}

fn push_filters(qb: &mut QueryBuilder<'_, Postgres>, query: &PaymentQuery) {
    if let Some(status) = query.status {
        qb.push(" AND p.status = ").push_bind(status.as_str());
    }
    if let Some(order) = query.order_id {
        qb.push(" AND p.order_id = ").push_bind(order);
    }
    if let Some(user) = query.user_id {
        qb.push(" AND p.user_id = ").push_bind(user);
    }
}

/// One page of the payments matching `query`, newest first, and how many match in all.
pub async fn list(
    db: impl PgExecutor<'_> + Copy,
    query: &PaymentQuery,
    page: &Page,
) -> Result<PageOf<Payment>, ListError> {
    const KEYS: &[SortKey] = &[
        SortKey::desc("p.created_at", KeyKind::Time),
        SortKey::desc("p.id", KeyKind::Uuid),
    ];
    let scope = format!("{query:?}");
    record::list::<PaymentRow>(db, KEYS, &scope, |qb| push_filters(qb, query), page).await
}

#[derive(Debug, sqlx::FromRow)]
struct AuditRow {
    id: i64,
    from_status: Option<PaymentStatus>,
    to_status: PaymentStatus,
    event_id: Option<Uuid>,
    detail: String,
    created_at: DateTime<Utc>,
}

/// A payment's audit log, oldest first.
pub async fn audit_log(
    db: impl PgExecutor<'_>,
    payment_id: Uuid,
) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let rows: Vec<AuditRow> = sqlx::query_as(
        "SELECT id, from_status, to_status, event_id, detail, created_at FROM payment_audit \
         WHERE payment_id = $1 ORDER BY id",
    )
    .bind(payment_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AuditEntry {
            id: r.id,
            from: r.from_status,
            to: r.to_status,
            event_id: r.event_id,
            detail: r.detail,
            at: r.created_at,
        })
        .collect())
}
