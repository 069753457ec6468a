//! One visit (one request) of one visitor: their session opened from the cookie, renewed
//! when its access token is about to expire, and written back only when it changed.

use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::api::Caller;
use crate::api::types::Tokens;
use crate::config::CookieSecurity;
use crate::error::ConsoleError;
use crate::session::{self, Session, SignedIn};
use crate::state::AppState;

/// The visitor of the current request; handlers take it as an extractor.
#[derive(Clone)]
pub struct Visit {
    inner: Arc<Mutex<Inner>>,
    /// The request id, passed to every API call of the page.
    pub request_id: Option<String>,
    /// The visitor's address (the gateway's `X-Petstore-Client-Address`), passed on too.
    pub client_address: Option<String>,
    /// The path and query of the page, to come back to after signing in.
    pub here: String,
    /// The notice named by the `done` query parameter, if any.
    pub notice: &'static str,
}

struct Inner {
    session: Session,
    changed: bool,
}

impl Visit {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The session as it is now.
    pub fn session(&self) -> Session {
        self.lock().session.clone()
    }

    /// The signed-in person, if any.
    pub fn user(&self) -> Option<SignedIn> {
        self.lock().session.user.clone()
    }

    /// The form token of this session.
    pub fn csrf(&self) -> String {
        self.lock().session.csrf.clone()
    }

    /// Replaces the session (sign in, sign out); the response stores it.
    pub fn replace(&self, session: Session) {
        let mut inner = self.lock();
        inner.session = session;
        inner.changed = true;
    }

    /// Who calls the APIs for this page.
    pub fn caller(&self) -> Caller {
        Caller {
            token: self.user().map(|u| u.access_token),
            request_id: self.request_id.clone(),
            client_address: self.client_address.clone(),
        }
    }

    /// The signed-in person, or a redirect to the sign-in page that comes back here.
    pub fn require_user(&self) -> Result<SignedIn, ConsoleError> {
        self.user().ok_or_else(|| ConsoleError::SignInRequired {
            next: self.here.clone(),
        })
    }

    /// The signed-in administrator, or why not.
    pub fn require_admin(&self) -> Result<SignedIn, ConsoleError> {
        let user = self.require_user()?;
        if user.admin {
            Ok(user)
        } else {
            Err(ConsoleError::StaffOnly)
        }
    }

    /// A visit outside any request (tests of rendering).
    pub fn detached(session: Session) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Inner {
                session,
                changed: false,
            })),
            request_id: None,
            client_address: None,
            here: "/".into(),
            notice: "",
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Visit {
    type Rejection = ConsoleError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Visit>()
            .cloned()
            .ok_or(ConsoleError::Internal(
                "the session layer is missing".into(),
            ))
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The signed-in person of a login or refresh answer.
pub fn signed_in(tokens: Tokens) -> SignedIn {
    SignedIn {
        id: tokens.user.id,
        email: tokens.user.email,
        name: tokens.user.display_name,
        admin: tokens.user.role == "admin",
        access_token: tokens.access_token,
        access_expires_at: now() + tokens.expires_in,
        refresh_token: tokens.refresh_token,
    }
}

/// Renews the access token when it is about to expire; a refresh the users service
/// refuses signs the visitor out (the next page says so by asking them to sign in).
async fn renew(state: &AppState, session: Session, caller: Caller) -> (Session, bool) {
    let Some(user) = session.user.as_ref().filter(|u| u.needs_renewal(now())) else {
        return (session, false);
    };
    let body = serde_json::json!({ "refreshToken": user.refresh_token });
    match state
        .api
        .send::<Tokens>(
            &caller,
            "users",
            reqwest::Method::POST,
            "/api/auth/refresh",
            &body,
        )
        .await
    {
        Ok(tokens) => (
            Session {
                csrf: session.csrf.clone(),
                user: Some(signed_in(tokens)),
            },
            true,
        ),
        Err(failure) if failure.status().is_some_and(|s| (400..500).contains(&s)) => {
            tracing::info!(%failure, "session ended: the refresh token was refused");
            (Session::anonymous(), true)
        }
        // The users service is away: keep the session, the page's calls will say so.
        Err(failure) => {
            tracing::warn!(%failure, "could not renew the access token");
            (session, false)
        }
    }
}

/// The middleware that opens, renews and stores the session around every page.
pub async fn layer(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let headers = request.headers();
    let opened = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(session::from_cookie_header)
        .and_then(|value| state.sessions.open(value));
    let request_id = headers
        .get(petstore_contract::REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let client_address = headers
        .get(petstore_contract::CLIENT_ADDRESS_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let secure = state.cookie_security == CookieSecurity::Always
        || headers
            .get("x-forwarded-proto")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    let (session, changed) = match opened {
        Some(session) => {
            let caller = Caller {
                token: None,
                request_id: request_id.clone(),
                client_address: client_address.clone(),
            };
            renew(&state, session, caller).await
        }
        None => (Session::anonymous(), true),
    };
    let here = request
        .uri()
        .path_and_query()
        .map_or("/", |pq| pq.as_str())
        .to_string();
    let notice = notice(request.uri().query().unwrap_or_default());
    let visit = Visit {
        inner: Arc::new(Mutex::new(Inner { session, changed })),
        request_id,
        client_address,
        here,
        notice,
    };
    request.extensions_mut().insert(visit.clone());
    let mut response = next.run(request).await;
    let inner = visit.lock();
    if inner.changed
        && let Some(sealed) = state.sessions.seal(&inner.session)
        && let Ok(value) = HeaderValue::from_str(&session::set_cookie(
            &sealed,
            inner.session.user.is_some(),
            secure,
        ))
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// The notices an action may leave for the next page (`?done=<code>`); any other code
/// shows nothing, so no text of a URL is ever echoed into a page.
pub const NOTICES: &[(&str, &str)] = &[
    ("added", "Added to your cart."),
    ("cart-updated", "Your cart was updated."),
    ("removed", "Removed from your cart."),
    ("placed", "Thank you! Your order was placed."),
    ("cancelled", "The order was cancelled."),
    ("reviewed", "Thank you for your review."),
    ("registered", "Welcome! Your account is ready."),
    ("signed-in", "You are signed in."),
    ("signed-out", "You are signed out."),
    ("saved", "Saved."),
    ("created", "Created."),
    ("deleted", "Deleted."),
    ("stock", "Stock updated."),
    ("transferred", "Transfer done."),
    ("shipped", "The order is marked shipped."),
    ("delivered", "The order is marked delivered."),
    ("role", "The role was changed."),
];

/// The notice named by a query string's `done` parameter.
pub fn notice(query: &str) -> &'static str {
    let code = form_urlencoded_value(query, "done");
    NOTICES
        .iter()
        .find(|(c, _)| Some(*c) == code.as_deref())
        .map_or("", |(_, text)| text)
}

fn form_urlencoded_value(query: &str, name: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_notices_are_shown() {
        assert_eq!(notice("done=added"), "Added to your cart.");
        assert_eq!(
            notice("q=x&done=placed"),
            "Thank you! Your order was placed."
        );
        assert_eq!(notice("done=%3Cscript%3E"), "");
        assert_eq!(notice(""), "");
    }
}
