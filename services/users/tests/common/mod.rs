//! Starts the users service in-process against a fresh database, and talks to it over HTTP.
#![allow(dead_code)]

use std::ops::Deref;
use std::time::Duration;

use kit::auth::{Role, TokenSigner};
use kit::testing::{Harness, TestKeys};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use users::Users;
use users::config::{LoginPolicy, Settings};

/// A password that follows the policy.
pub const PASSWORD: &str = "correct horse 7 battery";

/// A running users service (the kit's [`Harness`], through `Deref`).
pub struct App {
    service: Harness<Users>,
    pub http: reqwest::Client,
}

impl Deref for App {
    type Target = Harness<Users>;

    fn deref(&self) -> &Self::Target {
        &self.service
    }
}

/// Starts the service with the default configuration.
pub async fn start() -> App {
    start_with(|_| {}).await
}

/// Starts the service after `adjust` has changed its settings.
pub async fn start_with(adjust: impl FnOnce(&mut Settings)) -> App {
    let keys = TestKeys::generate();
    let mut settings = Settings {
        signer: TokenSigner::from_pem(&keys.private_pem, Duration::from_secs(900)).expect("signer"),
        refresh_token_ttl: Duration::from_secs(3600),
        login_policy: LoginPolicy::default(),
        bootstrap_admin_email: None,
        // Cheap parameters: the tests hash hundreds of passwords in debug builds.
        password_hashing: argon2::Params::new(1024, 1, 1, None).expect("params"),
        password_hash_threads: 2,
    };
    adjust(&mut settings);
    let service = Harness::start_with(keys, settings, |_| {}).await;
    App {
        http: service.client.clone(),
        service,
    }
}

impl App {
    /// Stops the service, removes its queues and drops its database.
    pub async fn finish(self) {
        self.service.stop().await;
    }

    pub fn url(&self, path: &str) -> String {
        self.server.url(path)
    }

    /// POSTs JSON, with a bearer token if given.
    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        let mut request = self.http.post(self.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request")
    }

    /// Sends raw bytes with a content type.
    pub async fn send_raw(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: &str,
    ) -> Response {
        let mut request = self
            .http
            .request(method, self.url(path))
            .header("content-type", content_type)
            .body(body.to_string());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request")
    }

    /// Sends JSON with any method and an optional token.
    pub async fn json(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> Response {
        let mut request = self.http.request(method, self.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request")
    }

    /// GETs with an optional token.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut request = self.http.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request")
    }

    /// Registers a user and returns the created user document.
    pub async fn register(&self, email: &str, display_name: &str) -> Value {
        let response = self
            .post(
                "/api/auth/register",
                None,
                &json!({ "email": email, "password": PASSWORD, "displayName": display_name }),
            )
            .await;
        expect(response, StatusCode::CREATED).await
    }

    /// Logs in with [`PASSWORD`] and returns the session document.
    pub async fn login(&self, email: &str) -> Value {
        let response = self.try_login(email, PASSWORD).await;
        expect(response, StatusCode::OK).await
    }

    /// Attempts a login.
    /// A login from `client`, as the gateway reports the client's address.
    pub async fn try_login_from(&self, client: &str, email: &str, password: &str) -> Response {
        self.http
            .post(self.url("/api/auth/login"))
            .header(petstore_contract::CLIENT_ADDRESS_HEADER, client)
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .expect("send the login")
    }

    pub async fn try_login(&self, email: &str, password: &str) -> Response {
        self.post(
            "/api/auth/login",
            None,
            &json!({ "email": email, "password": password }),
        )
        .await
    }

    /// Registers and logs in; returns (user id, access token, refresh token).
    pub async fn user(&self, email: &str) -> (String, String, String) {
        let user = self.register(email, "Someone").await;
        let session = self.login(email).await;
        (
            str_of(&user["id"]),
            str_of(&session["accessToken"]),
            str_of(&session["refreshToken"]),
        )
    }

    /// An admin token for a user that exists only in the token.
    pub fn admin_token(&self) -> String {
        self.keys.token(Role::Admin).1
    }

    /// Makes an existing user an administrator directly in the database.
    pub async fn make_admin(&self, id: &str) {
        sqlx::query("UPDATE users SET role = 'admin' WHERE id = $1::uuid")
            .bind(id)
            .execute(&self.db.pool)
            .await
            .expect("promote");
    }
}

pub fn str_of(value: &Value) -> String {
    value.as_str().expect("a string").to_string()
}

/// Asserts the status (printing the body otherwise) and returns the JSON body.
pub async fn expect(response: Response, status: StatusCode) -> Value {
    let actual = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(actual, status, "unexpected status; body: {text}");
    if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).expect("a JSON body")
    }
}

/// Asserts a problem document with `status` and returns the fields it names.
pub async fn problem_fields(response: Response, status: StatusCode) -> Vec<String> {
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = expect(response, status).await;
    assert_eq!(content_type, "application/problem+json", "{body}");
    assert_eq!(body["status"], status.as_u16(), "{body}");
    body["errors"]
        .as_array()
        .map(|errors| errors.iter().map(|e| str_of(&e["field"])).collect())
        .unwrap_or_default()
}
