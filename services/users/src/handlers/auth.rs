//! `/api/auth`: register, login, refresh, logout.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::Utc;
use kit::auth::{Authenticated, Role};
use kit::error::{Problem, ResultExt as _};
use kit::events::schema::{USER_REGISTERED, UserRegistered};
use kit::extract::{ClientAddress, Json};
use kit::{ApiError, ApiResult};
use sqlx::PgConnection;
use tracing::instrument;
use uuid::Uuid;

use super::PROBLEM;
use crate::domain::auth::{LoginRequest, RefreshTokenRequest, Session, TokenType};
use crate::domain::user::{RegisterRequest, User, normalize_email};
use crate::security::{hash_refresh_token, new_refresh_token};
use crate::state::AppState;
use crate::store;

const INVALID_CREDENTIALS: &str = "invalid email or password";
const INVALID_REFRESH: &str = "the refresh token is invalid or expired";

/// Creates an account. The role is `customer`, except for the configured
/// bootstrap administrator's email while no administrator exists.
#[utoipa::path(
    post,
    path = "/api/auth/register",
    tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Registered", body = User),
        (status = 400, description = "Malformed body", body = Problem, content_type = PROBLEM),
        (status = 409, description = "The email is already registered", body = Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid fields", body = Problem, content_type = PROBLEM),
    )
)]
#[instrument(skip_all, err)]
pub async fn register(
    State(state): State<AppState>,
    Json(body): Json<RegisterRequest>,
) -> ApiResult<impl IntoResponse> {
    let new = body.validate()?;
    let password_hash = state.passwords.hash(new.password.clone()).await?;

    let mut tx = state.pool.begin().await?;
    let role = role_for(&state, &mut tx, &new.email).await?;
    let user = store::users::insert(
        &mut tx,
        Uuid::new_v4(),
        &new.email,
        &new.display_name,
        &password_hash,
        role,
    )
    .await
    .on_constraint("users_email_key", || {
        ApiError::conflict("email", "is already registered")
    })?;
    state
        .outbox
        .enqueue(&mut tx, USER_REGISTERED, &UserRegistered::from(&user))
        .await?;
    tx.commit().await?;

    tracing::info!(user_id = %user.id, role = ?user.role, "user registered");
    let location = format!("/api/users/{}", user.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(user),
    ))
}

/// 429 with the seconds until unlock while `client` is locked out of `email` after
/// repeated failed password checks.
pub(crate) async fn ensure_not_locked(
    state: &AppState,
    email: &str,
    client: std::net::IpAddr,
) -> ApiResult<()> {
    match store::login_failures::locked_for(&state.pool, email, client, state.login_policy).await? {
        Some(seconds) => Err(ApiError::RateLimited {
            retry_after_secs: u64::try_from(seconds).unwrap_or(1).max(1),
        }),
        None => Ok(()),
    }
}

/// `admin` for the bootstrap email while there is no administrator, else `customer`.
async fn role_for(state: &AppState, conn: &mut PgConnection, email: &str) -> ApiResult<Role> {
    if state.bootstrap_admin_email.as_deref() != Some(email) {
        return Ok(Role::Customer);
    }
    store::users::lock_bootstrap(conn).await?;
    if store::users::admin_exists(&mut *conn).await? {
        Ok(Role::Customer)
    } else {
        Ok(Role::Admin)
    }
}

/// Exchanges email and password for an access token and a refresh token.
///
/// After too many failures for one email from one client address, that client is
/// locked out of the email for a while that doubles with each further failure (429
/// with `Retry-After`), even with the right password; other clients are not, unless the
/// email's failures over every client pass a higher limit, which then brakes every
/// client that has failed for it.
#[utoipa::path(
    post,
    path = "/api/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = Session),
        (status = 400, description = "Malformed body", body = Problem, content_type = PROBLEM),
        (status = 401, description = "Invalid email or password", body = Problem, content_type = PROBLEM),
        (status = 422, description = "Missing fields", body = Problem, content_type = PROBLEM),
        (status = 429, description = "Too many failed logins for this email from this client", body = Problem, content_type = PROBLEM,
            headers(("Retry-After" = u64, description = "Seconds until logins are accepted again"))),
    )
)]
#[instrument(skip_all, err)]
pub async fn login(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    Json(body): Json<LoginRequest>,
) -> ApiResult<Json<Session>> {
    body.validate()?;
    let email = normalize_email(&body.email);
    ensure_not_locked(&state, &email, client).await?;

    let credentials = store::users::credentials_by_email(&state.pool, &email).await?;
    let (user, hash) = match credentials {
        Some(c) => (Some(c.user), Some(c.password_hash)),
        None => (None, None),
    };
    // Verified even for an unknown email (against a dummy hash), so the
    // answer takes as long whether or not the account exists.
    let matches = state.passwords.verify(body.password, hash).await?;
    let Some(user) = user.filter(|_| matches) else {
        store::login_failures::record_failure(&state.pool, &email, client, state.login_policy)
            .await?;
        return Err(ApiError::Unauthorized(INVALID_CREDENTIALS.into()));
    };
    store::login_failures::clear(&state.pool, &email, client).await?;

    let mut tx = state.pool.begin().await?;
    store::refresh_tokens::prune_expired(&mut tx, user.id).await?;
    let (session, _) = start_session(&state, &mut tx, user, Uuid::new_v4()).await?;
    tx.commit().await?;
    tracing::info!(user_id = %session.user.id, "logged in");
    Ok(Json(session))
}

/// Exchanges a refresh token for a new access token and a new refresh token.
///
/// The presented token is revoked (rotation). Presenting a token that was
/// already rotated or revoked is treated as theft: every token descending
/// from the same login is revoked.
#[utoipa::path(
    post,
    path = "/api/auth/refresh",
    tag = "auth",
    request_body = RefreshTokenRequest,
    responses(
        (status = 200, description = "New tokens", body = Session),
        (status = 400, description = "Malformed body", body = Problem, content_type = PROBLEM),
        (status = 401, description = "Unknown, expired, revoked or reused refresh token", body = Problem, content_type = PROBLEM),
        (status = 422, description = "Missing refreshToken", body = Problem, content_type = PROBLEM),
    )
)]
#[instrument(skip_all, err)]
pub async fn refresh(
    State(state): State<AppState>,
    Json(body): Json<RefreshTokenRequest>,
) -> ApiResult<Json<Session>> {
    body.validate()?;
    let hash = hash_refresh_token(&body.refresh_token);
    let mut tx = state.pool.begin().await?;
    let Some(stored) = store::refresh_tokens::find_for_update(&mut tx, &hash).await? else {
        return Err(ApiError::Unauthorized(INVALID_REFRESH.into()));
    };
    if stored.revoked_at.is_some() {
        let revoked = store::refresh_tokens::revoke_family(&mut tx, stored.family_id).await?;
        tx.commit().await?;
        tracing::warn!(
            user_id = %stored.user_id,
            family_id = %stored.family_id,
            revoked,
            "revoked refresh token reused; its whole family is revoked"
        );
        return Err(ApiError::Unauthorized(INVALID_REFRESH.into()));
    }
    if stored.expires_at <= Utc::now() {
        return Err(ApiError::Unauthorized(INVALID_REFRESH.into()));
    }
    // The role is read afresh, so a role change takes effect at the next refresh.
    let Some(user) = store::users::find(&mut *tx, stored.user_id).await? else {
        return Err(ApiError::Unauthorized(INVALID_REFRESH.into()));
    };
    let (session, successor) = start_session(&state, &mut tx, user, stored.family_id).await?;
    store::refresh_tokens::rotate(&mut tx, stored.id, successor).await?;
    tx.commit().await?;
    Ok(Json(session))
}

/// Revokes the session of a refresh token (the token and its whole family).
/// Unknown tokens, tokens of other users and repeated logouts change nothing
/// and answer the same, so the call is idempotent and reveals nothing.
#[utoipa::path(
    post,
    path = "/api/auth/logout",
    tag = "auth",
    request_body = RefreshTokenRequest,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Logged out"),
        (status = 400, description = "Malformed body", body = Problem, content_type = PROBLEM),
        (status = 401, description = "No or invalid access token", body = Problem, content_type = PROBLEM),
        (status = 422, description = "Missing refreshToken", body = Problem, content_type = PROBLEM),
    )
)]
#[instrument(skip_all, err)]
pub async fn logout(
    State(state): State<AppState>,
    Authenticated(claims): Authenticated,
    Json(body): Json<RefreshTokenRequest>,
) -> ApiResult<StatusCode> {
    body.validate()?;
    let hash = hash_refresh_token(&body.refresh_token);
    let mut tx = state.pool.begin().await?;
    let stored = store::refresh_tokens::find_for_update(&mut tx, &hash).await?;
    if let Some(stored) = stored.filter(|t| t.user_id == claims.sub) {
        store::refresh_tokens::revoke_family(&mut tx, stored.family_id).await?;
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Issues an access token and a new refresh token in `family`; returns the
/// session and the new refresh token's row id.
async fn start_session(
    state: &AppState,
    conn: &mut PgConnection,
    user: User,
    family: Uuid,
) -> ApiResult<(Session, Uuid)> {
    let refresh = new_refresh_token();
    let id = Uuid::new_v4();
    let ttl = chrono::Duration::from_std(state.refresh_ttl).map_err(ApiError::internal)?;
    store::refresh_tokens::insert(conn, id, &refresh.hash, user.id, family, Utc::now() + ttl)
        .await?;
    let mut claims = state.signer.claims_for(user.id, user.role);
    // A token issued in the second of a role change, after it, must still count.
    if let Some(not_before) = kit::revocation::not_before(conn, user.id).await? {
        claims.iat = claims.iat.max(not_before + 1);
    }
    let access_token = state.signer.sign(&claims)?;
    let session = Session {
        access_token,
        token_type: TokenType::Bearer,
        expires_in: state.signer.ttl().as_secs(),
        refresh_token: refresh.token,
        user,
    };
    Ok((session, id))
}
