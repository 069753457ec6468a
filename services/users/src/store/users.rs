//! The `users` table.

use kit::auth::Role;
use kit::cursor::KeyKind;
use kit::pagination::{Page, PageOf};
use kit::record::{self, Record};
use kit::sql::{ListError, SortKey, contains_pattern};
use sqlx::{PgConnection, PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::domain::user::User;

const USER_COLUMNS: &str = "id, email, display_name, role, created_at, updated_at";

impl Record for User {
    const TABLE: &'static str = "users";
    const ALIAS: &'static str = "users";
    const FROM: &'static str = "users";
    const COLUMNS: &'static str = USER_COLUMNS;
    type Item = Self;
}

/// A user with the password hash, for logins and password changes.
#[derive(Debug, sqlx::FromRow)]
pub struct Credentials {
    /// The account.
    #[sqlx(flatten)]
    pub user: User,
    /// Its argon2id PHC string.
    pub password_hash: String,
}

/// Inserts a new user; fails on `users_email_key` when the email is taken.
pub async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    email: &str,
    display_name: &str,
    password_hash: &str,
    role: Role,
) -> Result<User, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO users (id, email, display_name, password_hash, role) \
         VALUES ($1, $2, $3, $4, $5) RETURNING {USER_COLUMNS}"
    ))
    .bind(id)
    .bind(email)
    .bind(display_name)
    .bind(password_hash)
    .bind(role)
    .fetch_one(conn)
    .await
}

/// Whether any administrator exists.
pub async fn admin_exists(executor: impl PgExecutor<'_>) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE role = 'admin')")
        .fetch_one(executor)
        .await
}

/// Serializes bootstrap-admin registrations, so two at once cannot both see
/// "no admin yet". Held until the transaction ends.
pub async fn lock_bootstrap(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    // An arbitrary constant that names this one lock in the database.
    const BOOTSTRAP_LOCK: i64 = 0x7573_6572_735f_6164;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(BOOTSTRAP_LOCK)
        .execute(conn)
        .await
        .map(drop)
}

/// The user with `id`.
pub async fn find(executor: impl PgExecutor<'_>, id: Uuid) -> Result<Option<User>, sqlx::Error> {
    record::get::<User>(executor, id).await
}

/// The user with the (normalized) `email`, with the password hash.
pub async fn credentials_by_email(
    executor: impl PgExecutor<'_>,
    email: &str,
) -> Result<Option<Credentials>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = $1"
    ))
    .bind(email)
    .fetch_optional(executor)
    .await
}

/// The user with `id`, with the password hash, locked until the transaction ends.
pub async fn credentials_for_update(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<Credentials>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS}, password_hash FROM users WHERE id = $1 FOR UPDATE"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Changes the display name and/or password hash; `None` keeps the current value.
pub async fn update_profile(
    conn: &mut PgConnection,
    id: Uuid,
    display_name: Option<&str>,
    password_hash: Option<&str>,
) -> Result<Option<User>, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE users SET display_name = COALESCE($2, display_name), \
         password_hash = COALESCE($3, password_hash), updated_at = now() \
         WHERE id = $1 RETURNING {USER_COLUMNS}"
    ))
    .bind(id)
    .bind(display_name)
    .bind(password_hash)
    .fetch_optional(conn)
    .await
}

/// Locks every administrator's row until the transaction ends and returns their ids,
/// so concurrent demotions cannot together remove the last admin.
pub async fn lock_admins(conn: &mut PgConnection) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM users WHERE role = 'admin' ORDER BY id FOR UPDATE")
        .fetch_all(conn)
        .await
}

/// Sets the role of the user with `id`.
pub async fn set_role(
    conn: &mut PgConnection,
    id: Uuid,
    role: Role,
) -> Result<Option<User>, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE users SET role = $2, updated_at = CASE WHEN role = $2 THEN updated_at ELSE now() END \
         WHERE id = $1 RETURNING {USER_COLUMNS}"
    ))
    .bind(id)
    .bind(role)
    .fetch_optional(conn)
    .await
}

/// A page of users matching the filters, oldest first.
pub async fn list(
    db: impl PgExecutor<'_> + Copy,
    role: Option<Role>,
    search: Option<&str>,
    page: &Page,
) -> Result<PageOf<User>, ListError> {
    const KEYS: &[SortKey] = &[
        SortKey::asc("created_at", KeyKind::Time),
        SortKey::asc("id", KeyKind::Uuid),
    ];
    let scope = format!("users {role:?} {search:?}");
    let pattern = search.map(contains_pattern);
    let filters = |qb: &mut QueryBuilder<'_, Postgres>| {
        if let Some(role) = role {
            qb.push(" AND role = ").push_bind(role);
        }
        if let Some(pattern) = &pattern {
            qb.push(" AND (email ILIKE ")
                .push_bind(pattern.clone())
                .push(" OR display_name ILIKE ")
                .push_bind(pattern.clone())
                .push(")");
        }
    };
    record::list::<User>(db, KEYS, &scope, filters, page).await
}
