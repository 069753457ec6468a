//! `/api/users`: the caller's own profile, and administration of users.

use axum::extract::State;
use kit::auth::{Admin, Authenticated, Role};
use kit::error::Problem;
use kit::events::schema::{USER_ROLE_CHANGED, UserRoleChanged};
use kit::extract::{ClientAddress, Json, Path, Query};
use kit::pagination::{PageParams, Paginated};
use kit::{ApiError, ApiResult};
use tracing::instrument;
use uuid::Uuid;

use super::PROBLEM;
use super::auth::ensure_not_locked;
use crate::domain::user::{RoleChange, UpdateMeRequest, User, UserFilter};
use crate::state::AppState;
use crate::store;

/// The caller's own account.
#[utoipa::path(
    get,
    path = "/api/users/me",
    tag = "users",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = User),
        (status = 401, description = "No or invalid access token", body = Problem, content_type = PROBLEM),
        (status = 404, description = "The account no longer exists", body = Problem, content_type = PROBLEM),
    )
)]
#[instrument(skip_all, err)]
pub async fn me(
    State(state): State<AppState>,
    Authenticated(claims): Authenticated,
) -> ApiResult<Json<User>> {
    store::users::find(&state.pool, claims.sub)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("user"))
}

/// Changes the caller's display name and/or password. A new password needs
/// the current one, and signs out every other session (all refresh tokens
/// are revoked). Wrong current passwords count towards the login lockout.
#[utoipa::path(
    patch,
    path = "/api/users/me",
    tag = "users",
    security(("bearer" = [])),
    request_body = UpdateMeRequest,
    responses(
        (status = 200, description = "Updated", body = User),
        (status = 400, description = "Malformed body", body = Problem, content_type = PROBLEM),
        (status = 401, description = "No or invalid access token", body = Problem, content_type = PROBLEM),
        (status = 404, description = "The account no longer exists", body = Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid fields, or a wrong currentPassword", body = Problem, content_type = PROBLEM),
        (status = 429, description = "Too many wrong passwords for this account", body = Problem, content_type = PROBLEM,
            headers(("Retry-After" = u64, description = "Seconds until passwords are checked again"))),
    )
)]
#[instrument(skip_all, err)]
pub async fn update_me(
    State(state): State<AppState>,
    Authenticated(claims): Authenticated,
    ClientAddress(client): ClientAddress,
    Json(body): Json<UpdateMeRequest>,
) -> ApiResult<Json<User>> {
    let mut tx = state.pool.begin().await?;
    let current = store::users::credentials_for_update(&mut tx, claims.sub)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    let change = body.validate(&current.user.email)?;
    let new_hash = match change.password {
        Some(password) => {
            // Wrong current passwords count as failed logins, so a stolen
            // access token cannot be used to guess the password either.
            let email = &current.user.email;
            ensure_not_locked(&state, email, client).await?;
            let ok = state
                .passwords
                .verify(password.current, Some(current.password_hash))
                .await?;
            if !ok {
                store::login_failures::record_failure(
                    &state.pool,
                    email,
                    client,
                    state.login_policy,
                )
                .await?;
                return Err(ApiError::invalid("currentPassword", "is incorrect"));
            }
            Some(state.passwords.hash(password.new).await?)
        }
        None => None,
    };
    let user = store::users::update_profile(
        &mut tx,
        claims.sub,
        change.display_name.as_deref(),
        new_hash.as_deref(),
    )
    .await?
    .ok_or_else(|| ApiError::not_found("user"))?;
    if new_hash.is_some() {
        store::refresh_tokens::revoke_user(&mut tx, claims.sub).await?;
    }
    tx.commit().await?;
    Ok(Json(user))
}

/// Lists users (admin), oldest first, filtered by role and by text in the
/// email or display name.
#[utoipa::path(
    get,
    path = "/api/users",
    tag = "users",
    security(("bearer" = [])),
    params(PageParams, UserFilter),
    responses(
        (status = 200, description = "A page of users", body = Paginated<User>),
        (status = 401, description = "No or invalid access token", body = Problem, content_type = PROBLEM),
        (status = 403, description = "Not an administrator", body = Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid query parameters", body = Problem, content_type = PROBLEM),
    )
)]
#[instrument(skip_all, err)]
pub async fn list(
    State(state): State<AppState>,
    _admin: Admin,
    Query(page): Query<PageParams>,
    Query(filter): Query<UserFilter>,
) -> ApiResult<Json<Paginated<User>>> {
    let (search, page) = page.validate_with(|v| filter.validate(v))?;
    let items = store::users::list(&state.pool, filter.role, search.as_deref(), &page).await?;
    Ok(Json(Paginated::new(items, &page)))
}

/// One user (admin).
#[utoipa::path(
    get,
    path = "/api/users/{id}",
    tag = "users",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The user's id")),
    responses(
        (status = 200, description = "The user", body = User),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = PROBLEM),
        (status = 401, description = "No or invalid access token", body = Problem, content_type = PROBLEM),
        (status = 403, description = "Not an administrator", body = Problem, content_type = PROBLEM),
        (status = 404, description = "No such user", body = Problem, content_type = PROBLEM),
    )
)]
#[instrument(skip_all, err)]
pub async fn get(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<User>> {
    store::users::find(&state.pool, id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("user"))
}

/// Changes a user's role (admin). Nobody can change their own role, and the last
/// administrator cannot be demoted. The caller's own role is read again, not trusted
/// from the token. The user's access tokens stop counting at once in every service
/// (`user.role_changed`); their next refresh carries the new role.
#[utoipa::path(
    method(put, patch),
    path = "/api/users/{id}/role",
    tag = "users",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The user's id")),
    request_body = RoleChange,
    responses(
        (status = 200, description = "The updated user", body = User),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = PROBLEM),
        (status = 401, description = "No or invalid access token", body = Problem, content_type = PROBLEM),
        (status = 403, description = "Not an administrator, or the caller's own role", body = Problem, content_type = PROBLEM),
        (status = 404, description = "No such user", body = Problem, content_type = PROBLEM),
        (status = 409, description = "This would demote the last administrator", body = Problem, content_type = PROBLEM),
        (status = 422, description = "Unknown role", body = Problem, content_type = PROBLEM),
    )
)]
#[instrument(skip_all, err)]
pub async fn change_role(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<Uuid>,
    Json(body): Json<RoleChange>,
) -> ApiResult<Json<User>> {
    if id == caller.sub {
        return Err(ApiError::Forbidden(
            "nobody can change their own role".into(),
        ));
    }
    let mut tx = state.pool.begin().await?;
    let admins = store::users::lock_admins(&mut tx).await?;
    if !admins.contains(&caller.sub) {
        return Err(ApiError::Forbidden(
            "the caller is no longer an administrator".into(),
        ));
    }
    let target = store::users::find(&mut *tx, id)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    if target.role == Role::Admin && body.role != Role::Admin && admins.len() <= 1 {
        return Err(ApiError::state_conflict(
            "the last administrator cannot be demoted",
        ));
    }
    let user = store::users::set_role(&mut tx, id, body.role)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    if user.role != target.role {
        let change = UserRoleChanged {
            user_id: id,
            role: user.role,
            changed_at: chrono::Utc::now(),
        };
        // Recorded here too, so this service refuses the old tokens without waiting
        // for its own event to come back.
        kit::revocation::record(&mut tx, id, change.changed_at).await?;
        state
            .outbox
            .enqueue(&mut tx, USER_ROLE_CHANGED, &change)
            .await?;
    }
    tx.commit().await?;
    tracing::info!(user_id = %id, role = ?user.role, by = %caller.sub, "role changed");
    Ok(Json(user))
}
