//! Sessions: who is signed in, their tokens and the form token, sealed into one cookie.
//!
//! The cookie is encrypted and authenticated (ChaCha20-Poly1305 with a key derived from
//! `CONSOLE_SESSION_KEY`), `HttpOnly` and `SameSite=Strict`, so page scripts cannot read
//! the tokens, other sites cannot send it, and nobody can read or forge it without the
//! key. Every replica of the console opens every cookie: nothing is kept in memory.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Name of the session cookie.
pub const COOKIE: &str = "petstore_session";
/// How long a signed-in session cookie lives (the refresh token's lifetime, 30 days).
pub const SIGNED_IN_MAX_AGE_SECS: u64 = 30 * 24 * 3600;
/// Seconds before its expiry that an access token is renewed.
pub const RENEW_BEFORE_SECS: i64 = 60;
const NONCE_BYTES: usize = 12;

/// What a visitor's cookie holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// The token every form that changes something must carry.
    pub csrf: String,
    /// The signed-in person, if any.
    pub user: Option<SignedIn>,
}

/// A signed-in person and their tokens.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct SignedIn {
    /// Their user id.
    pub id: Uuid,
    /// Their email address.
    pub email: String,
    /// Their display name.
    pub name: String,
    /// Whether they are an administrator (staff pages).
    pub admin: bool,
    /// The bearer token the APIs accept.
    pub access_token: String,
    /// When the access token expires (Unix seconds).
    pub access_expires_at: i64,
    /// The single-use token that renews it.
    pub refresh_token: String,
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("id", &self.id)
            .field("admin", &self.admin)
            .field("tokens", &"<redacted>")
            .finish()
    }
}

impl SignedIn {
    /// Whether the access token should be renewed at `now` (Unix seconds).
    pub fn needs_renewal(&self, now: i64) -> bool {
        self.access_expires_at - RENEW_BEFORE_SECS <= now
    }
}

impl Session {
    /// A new anonymous session with a fresh form token.
    pub fn anonymous() -> Self {
        Self {
            csrf: crate::csrf::new_token(),
            user: None,
        }
    }

    /// The same visitor signed in as `user`, with a new form token (a token seen before
    /// signing in is never valid after).
    pub fn signed_in(user: SignedIn) -> Self {
        Self {
            csrf: crate::csrf::new_token(),
            user: Some(user),
        }
    }
}

/// The key that seals session cookies.
pub struct SessionKey(ChaCha20Poly1305);

impl SessionKey {
    /// Derives the cipher key from the configured secret (SHA-256 with a purpose label).
    pub fn derive(secret: &str) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"petstore-console session cookie v1\0");
        hasher.update(secret.as_bytes());
        let key: [u8; 32] = hasher.finalize().into();
        Self(ChaCha20Poly1305::new(&Key::from(key)))
    }

    /// The cookie value for `session`: base64url(nonce ‖ ciphertext).
    pub fn seal(&self, session: &Session) -> Option<String> {
        let plain = serde_json::to_vec(session).ok()?;
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self.0.encrypt(&Nonce::from(nonce), plain.as_slice()).ok()?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Some(URL_SAFE_NO_PAD.encode(out))
    }

    /// The session in a cookie value; `None` if it was altered, sealed with another key
    /// or is not a session at all.
    pub fn open(&self, value: &str) -> Option<Session> {
        let raw = URL_SAFE_NO_PAD.decode(value.trim()).ok()?;
        if raw.len() <= NONCE_BYTES {
            return None;
        }
        let (nonce, sealed) = raw.split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().ok()?;
        let plain = self.0.decrypt(&Nonce::from(nonce), sealed).ok()?;
        serde_json::from_slice(&plain).ok()
    }
}

/// The `Set-Cookie` value that stores `sealed`; `secure` adds the `Secure` attribute.
pub fn set_cookie(sealed: &str, signed_in: bool, secure: bool) -> String {
    let mut cookie = format!("{COOKIE}={sealed}; Path=/; HttpOnly; SameSite=Strict");
    if signed_in {
        cookie.push_str(&format!("; Max-Age={SIGNED_IN_MAX_AGE_SECS}"));
    }
    if secure {
        cookie.push_str("; Secure");
    }
    cookie
}

/// The session cookie's value in a `Cookie` request header, if present.
pub fn from_cookie_header(header: &str) -> Option<&str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> SignedIn {
        SignedIn {
            id: Uuid::nil(),
            email: "a@b.c".into(),
            name: "A".into(),
            admin: false,
            access_token: "secret-access".into(),
            access_expires_at: 1_000,
            refresh_token: "secret-refresh".into(),
        }
    }

    #[test]
    fn a_sealed_session_opens_with_its_key_only() {
        let key = SessionKey::derive("one key that is long enough for us");
        let session = Session::signed_in(user());
        let sealed = key.seal(&session).unwrap();
        assert!(!sealed.contains("secret"), "tokens are encrypted");
        assert_eq!(key.open(&sealed), Some(session));
        let other = SessionKey::derive("another key, just as long as the first");
        assert_eq!(other.open(&sealed), None);
    }

    #[test]
    fn an_altered_or_foreign_cookie_is_no_session() {
        let key = SessionKey::derive("one key that is long enough for us");
        let sealed = key.seal(&Session::anonymous()).unwrap();
        let mut bytes = URL_SAFE_NO_PAD.decode(&sealed).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert_eq!(key.open(&URL_SAFE_NO_PAD.encode(bytes)), None);
        assert_eq!(key.open("not base64 !"), None);
        assert_eq!(key.open(""), None);
        assert_eq!(key.open("AAAA"), None);
    }

    #[test]
    fn the_cookie_is_http_only_strict_and_secure_when_asked() {
        let cookie = set_cookie("v", true, true);
        assert_eq!(
            cookie,
            "petstore_session=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=2592000; Secure"
        );
        assert_eq!(
            set_cookie("v", false, false),
            "petstore_session=v; Path=/; HttpOnly; SameSite=Strict"
        );
    }

    #[test]
    fn the_cookie_is_found_among_others() {
        assert_eq!(
            from_cookie_header("a=1; petstore_session=xyz; b=2"),
            Some("xyz")
        );
        assert_eq!(from_cookie_header("a=1"), None);
    }

    #[test]
    fn tokens_are_renewed_a_minute_before_expiry_and_never_logged() {
        let user = user();
        assert!(!user.needs_renewal(900));
        assert!(user.needs_renewal(940));
        assert!(!format!("{user:?}").contains("secret"));
    }

    #[test]
    fn signing_in_changes_the_form_token() {
        let before = Session::anonymous();
        let after = Session::signed_in(user());
        assert_ne!(before.csrf, after.csrf);
    }
}
