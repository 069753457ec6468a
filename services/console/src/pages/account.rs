//! Registering, signing in and out.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use reqwest::Method;
use serde::Deserialize;

use super::see_other;
use crate::api::types::Tokens;
use crate::error::PageResult;
use crate::form::Form;
use crate::problem::FormErrors;
use crate::session::Session;
use crate::state::AppState;
use crate::views::{Chrome, render, render_with};
use crate::visit::{Visit, signed_in};

/// Where to go after signing in: only a path of this site, never another origin.
pub fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next
    } else {
        "/"
    }
}

/// `?next=` of the sign-in and register pages.
#[derive(Debug, Default, Deserialize)]
pub struct Next {
    /// Where to go afterwards.
    #[serde(default)]
    pub next: String,
}

/// The sign-in form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LoginForm {
    /// Email.
    #[serde(default)]
    pub email: String,
    /// Password (never shown again).
    #[serde(default)]
    pub password: String,
    /// Where to go afterwards.
    #[serde(default)]
    pub next: String,
}

/// The registration form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RegisterForm {
    /// Email.
    #[serde(default)]
    pub email: String,
    /// Name shown to others.
    #[serde(default, rename = "displayName")]
    pub display_name: String,
    /// Password (never shown again).
    #[serde(default)]
    pub password: String,
    /// Where to go afterwards.
    #[serde(default)]
    pub next: String,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    email: String,
    next: String,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    chrome: Chrome,
    email: String,
    display_name: String,
    next: String,
    errors: FormErrors,
}

/// `GET /login`.
pub async fn login_page(visit: Visit, Query(next): Query<Next>) -> PageResult {
    render(&LoginPage {
        chrome: Chrome::new(&visit, "Sign in", "login"),
        email: String::new(),
        next: safe_next(&next.next).to_string(),
        errors: FormErrors::none(),
    })
}

async fn sign_in(
    state: &AppState,
    visit: &Visit,
    email: &str,
    password: &str,
) -> Result<(), crate::api::ApiFailure> {
    let body = serde_json::json!({ "email": email, "password": password });
    let tokens: Tokens = state
        .api
        .send(
            &visit.caller(),
            "users",
            Method::POST,
            "/api/auth/login",
            &body,
        )
        .await?;
    visit.replace(Session::signed_in(signed_in(tokens)));
    Ok(())
}

/// `POST /login`.
pub async fn login(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<LoginForm>,
) -> PageResult {
    let next = safe_next(&form.next).to_string();
    match sign_in(&state, &visit, &form.email, &form.password).await {
        Ok(()) => Ok(see_other(&next)),
        Err(failure)
            if failure.is_refusal()
                || failure.status() == Some(401)
                || failure.status() == Some(429) =>
        {
            let mut errors =
                FormErrors::from_failure(&failure, &[("email", "email"), ("password", "password")]);
            if failure.status() == Some(401) {
                errors = FormErrors::general("The email or the password is wrong.");
            }
            render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &LoginPage {
                    chrome: Chrome::new(&visit, "Sign in", "login"),
                    email: form.email,
                    next,
                    errors,
                },
            )
        }
        Err(failure) => Err(failure.into()),
    }
}

/// `GET /register`.
pub async fn register_page(visit: Visit, Query(next): Query<Next>) -> PageResult {
    render(&RegisterPage {
        chrome: Chrome::new(&visit, "Create an account", "register"),
        email: String::new(),
        display_name: String::new(),
        next: safe_next(&next.next).to_string(),
        errors: FormErrors::none(),
    })
}

/// `POST /register`: creates the account and signs in.
pub async fn register(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<RegisterForm>,
) -> PageResult {
    let body = serde_json::json!({
        "email": form.email,
        "password": form.password,
        "displayName": form.display_name,
    });
    let created = state
        .api
        .send::<serde_json::Value>(
            &visit.caller(),
            "users",
            Method::POST,
            "/api/auth/register",
            &body,
        )
        .await;
    let result = match created {
        Ok(_) => sign_in(&state, &visit, &form.email, &form.password).await,
        Err(failure) => Err(failure),
    };
    match result {
        Ok(()) => Ok(see_other("/?done=registered")),
        Err(failure) if failure.is_refusal() || failure.status() == Some(429) => render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &RegisterPage {
                chrome: Chrome::new(&visit, "Create an account", "register"),
                errors: FormErrors::from_failure(
                    &failure,
                    &[
                        ("email", "email"),
                        ("password", "password"),
                        ("displayName", "displayName"),
                    ],
                ),
                email: form.email,
                display_name: form.display_name,
                next: safe_next(&form.next).to_string(),
            },
        ),
        Err(failure) => Err(failure.into()),
    }
}

/// `POST /logout`: revokes the refresh token and forgets the session.
pub async fn logout(
    State(state): State<AppState>,
    visit: Visit,
    Form(_): Form<super::Empty>,
) -> PageResult {
    if let Some(user) = visit.user() {
        let body = serde_json::json!({ "refreshToken": user.refresh_token });
        if let Err(failure) = state
            .api
            .act(
                &visit.caller(),
                "users",
                Method::POST,
                "/api/auth/logout",
                Some(&body),
            )
            .await
        {
            tracing::warn!(%failure, "logout: the refresh token could not be revoked");
        }
    }
    visit.replace(Session::anonymous());
    Ok(see_other("/?done=signed-out"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next("/cart"), "/cart");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
        assert_eq!(safe_next(""), "/");
    }
}

#[cfg(test)]
mod rendering {
    use super::*;

    #[test]
    fn a_refused_sign_in_marks_the_field_and_escapes_what_was_typed() {
        let visit = Visit::detached(Session::anonymous());
        let page = LoginPage {
            chrome: Chrome::new(&visit, "Sign in", "login"),
            email: r#""><script>x</script>"#.into(),
            next: "/cart".into(),
            errors: FormErrors::field("password", "Must be at least 12 characters."),
        }
        .render()
        .unwrap();
        assert!(
            page.contains(
                r#"<p class="field-error" id="password-error">Must be at least 12 characters.</p>"#
            ),
            "{page}"
        );
        assert!(page.contains(r#"aria-invalid="true" aria-describedby="password-error""#));
        assert!(!page.contains("<script>x"), "typed text is escaped");
        assert!(page.contains(&format!(r#"name="csrf" value="{}""#, visit.csrf())));
        assert!(page.contains(r#"<label for="email">Email</label>"#));
    }
}
