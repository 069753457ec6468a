//! The web console over plain HTTP through the gateway, what a browser test would not
//! show: the session cookie's attributes and that it holds no readable token, forms
//! refused without their token, renewal of an expiring access token, pages for bad
//! paths, and the API kept apart from the pages.

mod common;

use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use std::time::Duration;

/// A visitor without a browser: one cookie, no redirects followed.
struct Visitor {
    http: reqwest::Client,
    base: String,
    cookie: String,
}

impl Visitor {
    fn new(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self {
            http,
            base: base.to_string(),
            cookie: String::new(),
        }
    }

    fn keep(&mut self, response: &reqwest::Response) -> Option<String> {
        let set = response
            .headers()
            .get(SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)?;
        if let Some(pair) = set.split(';').next() {
            self.cookie = pair.to_string();
        }
        Some(set)
    }

    async fn get(&mut self, path: &str) -> (StatusCode, String, Option<String>) {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
            .send()
            .await
            .expect("GET");
        let set = self.keep(&response);
        (response.status(), response.text().await.expect("body"), set)
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> (StatusCode, String, String) {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(form).expect("form"))
            .send()
            .await
            .expect("POST");
        self.keep(&response);
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        (
            response.status(),
            location,
            response.text().await.expect("body"),
        )
    }
}

/// The form token in a page.
fn csrf(page: &str) -> String {
    let marker = r#"name="csrf" value=""#;
    let start = page.find(marker).expect("a form token in the page") + marker.len();
    page[start..].split('"').next().expect("token").to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn sessions_forms_and_bad_paths_through_the_gateway() {
    let mut options = common::options("console-http");
    // Access tokens live 61 s: the console renews them a minute before expiry, so every
    // page after the first second renews; the refresh token rotates each time.
    options
        .extra_env
        .push(("ACCESS_TOKEN_TTL_SECONDS".into(), "61".into()));
    let stack = common::start(options).await;
    let mut visitor = Visitor::new(&stack.gateway_url);

    // A first visit gets an anonymous session: httpOnly, SameSite=Strict, not Secure over
    // plain http, and the shop front.
    let (status, page, set) = visitor.get("/").await;
    assert_eq!(status, StatusCode::OK);
    let set = set.expect("a session cookie");
    assert!(set.starts_with("petstore_session="), "{set}");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    assert!(!set.contains("Secure"), "plain http: {set}");
    assert!(page.contains("<h1>Products</h1>"));

    // A form without the token, or with another session's token, changes nothing.
    let form = [
        ("email", "sam@example.com"),
        ("password", "a long passphrase 42"),
        ("displayName", "Sam"),
    ];
    let (status, _, body) = visitor.post("/register", &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("Form expired"), "{body}");
    let token = csrf(&visitor.get("/register").await.1);
    let mut with_token = form.to_vec();
    with_token.push(("csrf", &token));
    let mut stranger = Visitor::new(&stack.gateway_url);
    stranger.get("/").await;
    assert_eq!(
        stranger.post("/register", &with_token).await.0,
        StatusCode::FORBIDDEN
    );

    // With it: registered, signed in, and the cookie holds no token anyone can read.
    let (status, location, _) = visitor.post("/register", &with_token).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/?done=registered")
    );
    assert!(
        !visitor.cookie.contains("eyJ"),
        "no JWT in the cookie: {}",
        visitor.cookie
    );
    let (_, page, _) = visitor.get("/?done=registered").await;
    assert!(page.contains("Welcome! Your account is ready."));
    assert!(page.contains(">Sam</span>"), "signed in as Sam");

    // Two seconds later the access token is within a minute of expiry: the next page
    // renews it (a new cookie) and the visitor stays signed in, twice over.
    for _ in 0..2 {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let before = visitor.cookie.clone();
        let (status, page, set) = visitor.get("/cart").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(
            set.is_some() && visitor.cookie != before,
            "the session was renewed"
        );
        assert!(page.contains("Your cart is empty."), "still signed in");
    }

    // Signing out revokes the session: the old cookie no longer opens the cart.
    let old = visitor.cookie.clone();
    let token = csrf(&visitor.get("/").await.1);
    let (status, location, _) = visitor.post("/logout", &[("csrf", &token)]).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/?done=signed-out")
    );
    let (status, _, _) = visitor.get("/cart").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "signed out: sign in first");
    let mut replay = Visitor::new(&stack.gateway_url);
    replay.cookie = old;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (status, _, _) = replay.get("/cart").await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "a revoked session cannot be renewed"
    );

    // Bad paths and bad queries are pages in words, never a 500.
    for path in [
        "/products/not-an-id",
        "/products/00000000-0000-0000-0000-000000000000",
        "/no/such/page",
    ] {
        let (status, page, _) = visitor.get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(page.contains("<h1>Not found</h1>"), "{path}: {page}");
    }
    let (status, page, _) = visitor.get("/?cursor=forged").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("cursor:"), "the API's field is named: {page}");
    let (status, page, _) = visitor.get("/?min=cheap").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(r#"id="min-error""#), "{page}");

    // The API stays the API: an unknown /api path is a problem document, not a page.
    let response = reqwest::get(format!("{}/api/nothing", stack.gateway_url))
        .await
        .expect("GET");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let kind = response.headers()["content-type"]
        .to_str()
        .unwrap_or_default()
        .to_string();
    assert!(kind.starts_with("application/problem+json"), "{kind}");
    // Static files come from the console itself, embedded.
    let response = reqwest::get(format!("{}/static/htmx.min.js", stack.gateway_url))
        .await
        .expect("GET");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.expect("body").contains("htmx"));

    stack.stop().await;
}
