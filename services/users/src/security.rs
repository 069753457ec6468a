//! Secrets: argon2id password hashes (computed off the async runtime) and
//! opaque refresh tokens stored only as SHA-256 hashes.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, PasswordVerifier as _, Version};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use kit::ApiError;
use rand::RngCore as _;
use rand::rngs::OsRng;
use sha2::{Digest as _, Sha256};

/// Bytes of randomness in a refresh token.
pub const REFRESH_TOKEN_BYTES: usize = 32;

/// Why a password could not be hashed or checked.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// argon2 refused the input or a stored hash is not a PHC string.
    #[error("password hashing failed: {0}")]
    Argon2(argon2::password_hash::Error),
    /// The blocking task running the hash died.
    #[error("password hashing task failed")]
    Task(#[from] tokio::task::JoinError),
}

impl From<HashError> for ApiError {
    fn from(err: HashError) -> Self {
        ApiError::internal(err)
    }
}

/// Hashes and verifies passwords with argon2id.
///
/// Hashing costs tens of milliseconds of CPU and megabytes of memory by
/// design, so every call runs on tokio's blocking pool rather than stalling
/// the request-serving threads.
#[derive(Clone)]
pub struct PasswordHasher {
    argon: Arc<Argon2<'static>>,
    /// A hash of a random password with the same parameters, verified when a
    /// login names an unknown email so that both cases cost the same time.
    dummy_hash: Arc<str>,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher").finish_non_exhaustive()
    }
}

impl PasswordHasher {
    /// An argon2id hasher with `params`, and its dummy hash.
    pub async fn new(params: Params) -> Result<Self, HashError> {
        let argon = Arc::new(Argon2::new(Algorithm::Argon2id, Version::V0x13, params));
        let mut random = [0u8; 32];
        OsRng.fill_bytes(&mut random);
        let dummy_password = URL_SAFE_NO_PAD.encode(random);
        let dummy_hash = hash_blocking(argon.clone(), dummy_password).await?;
        Ok(Self {
            argon,
            dummy_hash: dummy_hash.into(),
        })
    }

    /// The PHC string of `password` with a fresh random salt.
    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        hash_blocking(self.argon.clone(), password).await
    }

    /// Whether `password` matches `hash` (compared in constant time by
    /// argon2). With no hash (unknown user) the dummy hash is verified
    /// instead and the answer is always `false`.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, HashError> {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.to_string());
        let argon = self.argon.clone();
        let matches = tokio::task::spawn_blocking(move || {
            let parsed = PasswordHash::new(&hash).map_err(HashError::Argon2)?;
            match argon.verify_password(password.as_bytes(), &parsed) {
                Ok(()) => Ok(true),
                Err(argon2::password_hash::Error::Password) => Ok(false),
                Err(err) => Err(HashError::Argon2(err)),
            }
        })
        .await??;
        Ok(known && matches)
    }
}

async fn hash_blocking(argon: Arc<Argon2<'static>>, password: String) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(HashError::Argon2)
    })
    .await?
}

/// A freshly issued refresh token: what the client gets, and what is stored.
#[derive(Debug, Clone)]
pub struct RefreshSecret {
    /// 32 random bytes, base64url without padding (43 characters).
    pub token: String,
    /// SHA-256 of `token`, the only form the database holds.
    pub hash: Vec<u8>,
}

/// A new refresh token from the operating system's randomness.
pub fn new_refresh_token() -> RefreshSecret {
    let mut bytes = [0u8; REFRESH_TOKEN_BYTES];
    OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_refresh_token(&token);
    RefreshSecret { token, hash }
}

/// The stored form of a refresh token. A plain SHA-256 is enough: the token
/// has 256 bits of entropy, so there is nothing to brute-force.
pub fn hash_refresh_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> Params {
        Params::new(1024, 1, 1, None).unwrap()
    }

    #[tokio::test]
    async fn hashes_verify_and_differ() {
        let hasher = PasswordHasher::new(cheap()).await.unwrap();
        let a = hasher.hash("correct horse 7".into()).await.unwrap();
        let b = hasher.hash("correct horse 7".into()).await.unwrap();
        assert_ne!(a, b, "salts differ");
        assert!(a.starts_with("$argon2id$"));
        assert!(
            hasher
                .verify("correct horse 7".into(), Some(a.clone()))
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify("wrong horse 7".into(), Some(a))
                .await
                .unwrap()
        );
        assert!(!hasher.verify("anything".into(), None).await.unwrap());
    }

    #[test]
    fn refresh_tokens_are_random_and_hashed() {
        let a = new_refresh_token();
        let b = new_refresh_token();
        assert_ne!(a.token, b.token);
        assert_eq!(a.token.len(), 43);
        assert_eq!(a.hash.len(), 32);
        assert_eq!(hash_refresh_token(&a.token), a.hash);
    }
}
