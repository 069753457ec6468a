//! Accounts and their tokens, kept as a browser keeps them: the access token in memory,
//! refreshed shortly before it expires and whenever the tab is opened again; the
//! refresh token rotated on every use.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::client::{Api, Call, CallError, Reply};
use crate::config::Password;

/// Who logs in.
#[derive(Debug, Clone)]
pub struct Account {
    /// Email.
    pub email: String,
    /// Password.
    pub password: Password,
    /// Shown name.
    pub display_name: String,
}

#[derive(Debug, Clone)]
struct Tokens {
    access: String,
    refresh: String,
    refresh_at: Instant,
}

/// One simulated browser's login state.
#[derive(Debug, Clone)]
pub struct Browser {
    account: Account,
    registered: bool,
    tokens: Option<Tokens>,
    /// The access token was dropped (tab closed): refresh before the next call.
    reopened: bool,
}

/// The part of an access token's lifetime after which it is refreshed.
const REFRESH_AFTER: f64 = 0.8;

impl Browser {
    /// A browser for `account`; `registered` says whether the account already exists.
    pub fn new(account: Account, registered: bool) -> Self {
        Self {
            account,
            registered,
            tokens: None,
            reopened: false,
        }
    }

    /// The account.
    pub fn account(&self) -> &Account {
        &self.account
    }

    /// Whether the browser holds a session.
    pub fn logged_in(&self) -> bool {
        self.tokens.is_some()
    }

    fn keep(&mut self, reply: &Reply) -> Result<(), CallError> {
        let expires_in = reply
            .body
            .get("expiresIn")
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| reply.missing("expiresIn"))?;
        let lifetime = Duration::from_secs_f64(expires_in as f64 * REFRESH_AFTER);
        self.tokens = Some(Tokens {
            access: reply.str("accessToken")?.to_string(),
            refresh: reply.str("refreshToken")?.to_string(),
            refresh_at: Instant::now() + lifetime,
        });
        self.reopened = false;
        Ok(())
    }

    /// Registers the account (a 409 means it exists already: fine).
    pub async fn register(&mut self, api: &Api) -> Result<(), CallError> {
        let body = json!({
            "email": self.account.email,
            "password": self.account.password.expose(),
            "displayName": self.account.display_name,
        });
        api.send(
            Call::post("POST /api/auth/register", "/api/auth/register", body).expect(&[201, 409]),
        )
        .await?;
        self.registered = true;
        Ok(())
    }

    /// Logs in with the password.
    pub async fn login(&mut self, api: &Api) -> Result<(), CallError> {
        let body =
            json!({ "email": self.account.email, "password": self.account.password.expose() });
        let reply = api
            .send(Call::post("POST /api/auth/login", "/api/auth/login", body))
            .await?;
        self.keep(&reply)
    }

    /// Trades the refresh token for new tokens; a refused one (expired, revoked) means
    /// logging in again, as a browser would.
    async fn refresh(&mut self, api: &Api) -> Result<(), CallError> {
        let Some(tokens) = &self.tokens else {
            return self.login(api).await;
        };
        let body = json!({ "refreshToken": tokens.refresh });
        let reply = api
            .send(
                Call::post("POST /api/auth/refresh", "/api/auth/refresh", body).expect(&[200, 401]),
            )
            .await?;
        if reply.status.as_u16() == 401 {
            self.tokens = None;
            return self.login(api).await;
        }
        self.keep(&reply)
    }

    /// A valid access token: registers and logs in the first time, refreshes when the
    /// token is near its end or the tab was reopened.
    pub async fn token(&mut self, api: &Api) -> Result<String, CallError> {
        if !self.registered {
            self.register(api).await?;
        }
        match &self.tokens {
            None => self.login(api).await?,
            Some(tokens) if self.reopened || Instant::now() >= tokens.refresh_at => {
                self.refresh(api).await?
            }
            Some(_) => {}
        }
        self.tokens
            .as_ref()
            .map(|t| t.access.clone())
            .ok_or_else(|| CallError::Body {
                endpoint: "POST /api/auth/login",
                what: "no session".into(),
            })
    }

    /// The person comes back later in a new tab: the access token is gone, the refresh
    /// token is still stored.
    pub fn reopen(&mut self) {
        self.reopened = true;
    }

    /// Logs out (the refresh token is revoked); the next visit logs in with the password.
    pub async fn logout(&mut self, api: &Api) -> Result<(), CallError> {
        let token = self.token(api).await?;
        if let Some(tokens) = self.tokens.take() {
            let body = json!({ "refreshToken": tokens.refresh });
            api.send(
                Call::post("POST /api/auth/logout", "/api/auth/logout", body)
                    .token(&token)
                    .expect(&[204]),
            )
            .await?;
        }
        Ok(())
    }
}
