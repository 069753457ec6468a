//! The one error type of the console's handlers, turned into a page in one place.

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::api::ApiFailure;
use crate::problem;

/// Everything a page can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// An API call failed in a way the page cannot show in a form.
    #[error(transparent)]
    Api(#[from] ApiFailure),
    /// The page needs a signed-in person.
    #[error("sign-in required")]
    SignInRequired {
        /// Where to come back to.
        next: String,
    },
    /// The page is for staff.
    #[error("staff only")]
    StaffOnly,
    /// A form arrived without the session's form token.
    #[error("form token missing or wrong")]
    Csrf,
    /// A form or a path that is not what the page sends.
    #[error("malformed form: {0}")]
    BadForm(String),
    /// No such page.
    #[error("no such page")]
    NotFound,
    /// A page could not be rendered.
    #[error("rendering failed: {0}")]
    Render(#[from] askama::Error),
    /// A bug.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result of a handler.
pub type PageResult = Result<Response, ConsoleError>;

/// The page shown for an error.
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    title: String,
    message: String,
}

fn page(status: StatusCode, title: &str, message: String) -> Response {
    let body = ErrorPage {
        title: title.to_string(),
        message,
    }
    .render()
    .unwrap_or_else(|_| "The page could not be shown.".into());
    (status, Html(body)).into_response()
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        match self {
            Self::SignInRequired { next } => {
                let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
                Redirect::to(&format!("/login?{query}")).into_response()
            }
            Self::StaffOnly => page(
                StatusCode::FORBIDDEN,
                "Staff only",
                "This page is for the store's staff. Sign in with an administrator account.".into(),
            ),
            Self::Csrf => page(
                StatusCode::FORBIDDEN,
                "Form expired",
                "This form is out of date (you may have signed in or out in another tab). Go back, reload the page and try again.".into(),
            ),
            Self::BadForm(detail) => {
                tracing::info!(%detail, "malformed form");
                page(
                    StatusCode::BAD_REQUEST,
                    "Bad request",
                    "The form was not what this page sends. Go back, reload the page and try again.".into(),
                )
            }
            Self::NotFound => page(
                StatusCode::NOT_FOUND,
                "Not found",
                "There is no such page. It may have been removed.".into(),
            ),
            Self::Api(failure) => api_page(failure),
            Self::Render(err) => {
                tracing::error!(error = %err, "page rendering failed");
                page(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", "The page could not be shown. Please try again.".into())
            }
            Self::Internal(detail) => {
                tracing::error!(%detail, "console error");
                page(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", "The page could not be shown. Please try again.".into())
            }
        }
    }
}

fn api_page(failure: ApiFailure) -> Response {
    match &failure {
        ApiFailure::Problem { problem, .. } => match problem.status {
            401 => {
                // The token was refused (revoked, or the signing key rotated): start over.
                let mut response = Redirect::to("/login?done=signed-out").into_response();
                response.headers_mut().append(
                    header::SET_COOKIE,
                    axum::http::HeaderValue::from_static(
                        "petstore_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
                    ),
                );
                response
            }
            404 => page(
                StatusCode::NOT_FOUND,
                "Not found",
                problem::summary(problem),
            ),
            403 => page(
                StatusCode::FORBIDDEN,
                "Not allowed",
                problem::summary(problem),
            ),
            429 => page(
                StatusCode::TOO_MANY_REQUESTS,
                "Slow down",
                problem::summary(problem),
            ),
            status if status >= 500 => page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Temporarily unavailable",
                problem::summary(problem),
            ),
            _ => page(
                StatusCode::BAD_REQUEST,
                "Not possible",
                problem::summary(problem),
            ),
        },
        ApiFailure::Disabled(service) => page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Not in this store",
            format!("This store runs without the {service} service."),
        ),
        ApiFailure::Unavailable { service, detail } => {
            tracing::warn!(service, %detail, "service unavailable");
            page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Temporarily unavailable",
                format!("The {service} service is not answering. Please try again in a moment."),
            )
        }
    }
}
