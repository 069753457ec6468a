//! Bearer-token authentication: EdDSA (Ed25519) access tokens that the users
//! service signs and every other service verifies with the public key.
//!
//! A handler that needs a caller says so in its signature with
//! [`Authenticated`] or [`Admin`].

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::Secret;
use crate::error::ApiError;

/// Issuer written into and required of every access token.
pub const ISSUER: &str = "petstore-users";
/// Audience written into and required of every access token.
pub const AUDIENCE: &str = "petstore";

pub use crate::role::Role;

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user's id.
    pub sub: Uuid,
    /// The user's role when the token was issued.
    pub role: Role,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Expires at (seconds since the epoch).
    pub exp: i64,
    /// Token id.
    pub jti: Uuid,
}

impl Claims {
    /// Whether the caller is an administrator.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// Why a key could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("is not a valid Ed25519 PEM key: {0}")]
pub struct KeyError(#[from] jsonwebtoken::errors::Error);

/// Verifies access tokens; cheap to clone.
#[derive(Clone)]
pub struct TokenVerifier {
    key: Arc<DecodingKey>,
    validation: Arc<Validation>,
    revocations: crate::revocation::Revocations,
}

impl std::fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenVerifier")
    }
}

impl TokenVerifier {
    /// From the PEM (SPKI) public key.
    pub fn from_pem(public_pem: &str) -> Result<Self, KeyError> {
        let key = DecodingKey::from_ed_pem(public_pem.as_bytes())?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Ok(Self {
            key: Arc::new(key),
            validation: Arc::new(validation),
            revocations: crate::revocation::Revocations::default(),
        })
    }

    /// The revocations this verifier honours (shared by its clones); a data service's
    /// platform keeps them fresh, see [`crate::revocation`].
    pub fn revocations(&self) -> &crate::revocation::Revocations {
        &self.revocations
    }

    /// The claims of a valid token, or a 401 saying why not: a token issued before its
    /// user's role last changed no longer counts.
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        let claims = self.decode(token)?;
        if self.revocations.is_revoked(claims.sub, claims.iat) {
            return Err(ApiError::Unauthorized(
                "the access token predates a change of the user's role: refresh it".into(),
            ));
        }
        Ok(claims)
    }

    fn decode(&self, token: &str) -> Result<Claims, ApiError> {
        use jsonwebtoken::errors::ErrorKind;
        jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation)
            .map(|data| data.claims)
            .map_err(|err| {
                let why = match err.kind() {
                    ErrorKind::ExpiredSignature => "the access token has expired",
                    ErrorKind::InvalidSignature => "the access token's signature is invalid",
                    ErrorKind::InvalidIssuer | ErrorKind::InvalidAudience => {
                        "the access token was not issued for this store"
                    }
                    ErrorKind::InvalidAlgorithm => "the access token uses an unsupported algorithm",
                    _ => "the access token is malformed",
                };
                ApiError::Unauthorized(why.into())
            })
    }

    /// The claims of the request's bearer token, or a 401.
    pub fn verify_request(&self, parts: &Parts) -> Result<Claims, ApiError> {
        let token = bearer_token(parts)?
            .ok_or_else(|| ApiError::Unauthorized("a bearer token is required".into()))?;
        self.verify(token)
    }
}

/// The bearer token of a request, if it has an `Authorization` header.
pub fn bearer_token(parts: &Parts) -> Result<Option<&str>, ApiError> {
    let Some(value) = parts.headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| ApiError::Unauthorized("the Authorization header is not valid text".into()))?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim()))
        }
        _ => Err(ApiError::Unauthorized(
            "the Authorization header must be `Bearer <token>`".into(),
        )),
    }
}

/// Signs access tokens (only the users service holds one).
#[derive(Clone)]
pub struct TokenSigner {
    key: Arc<EncodingKey>,
    ttl: Duration,
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSigner")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl TokenSigner {
    /// From the PEM (PKCS#8) private key; tokens live for `ttl`.
    pub fn from_pem(private_pem: &str, ttl: Duration) -> Result<Self, KeyError> {
        Ok(Self {
            key: Arc::new(EncodingKey::from_ed_pem(private_pem.as_bytes())?),
            ttl,
        })
    }

    /// How long issued tokens live.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Claims for a user, valid from now for the signer's lifetime.
    pub fn claims_for(&self, user: Uuid, role: Role) -> Claims {
        let now = chrono::Utc::now().timestamp();
        Claims {
            sub: user,
            role,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now,
            exp: now + i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX - now),
            jti: Uuid::new_v4(),
        }
    }

    /// Signs claims into a compact JWT.
    pub fn sign(&self, claims: &Claims) -> Result<String, ApiError> {
        jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), claims, &self.key)
            .map_err(ApiError::internal)
    }
}

/// A freshly generated Ed25519 key pair in PEM.
#[derive(Debug)]
pub struct KeyPair {
    /// PKCS#8 private key.
    pub private_pem: Secret<String>,
    /// SPKI public key.
    pub public_pem: String,
}

/// Generates a signing key pair from the operating system's randomness.
pub fn generate_keypair() -> KeyPair {
    let signing = SigningKey::generate(&mut rand::rngs::OsRng);
    // Encoding an in-memory Ed25519 key to PEM cannot fail.
    let private_pem = signing
        .to_pkcs8_pem(LineEnding::LF)
        .map(|pem| pem.to_string())
        .unwrap_or_default();
    let public_pem = signing
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap_or_default();
    KeyPair {
        private_pem: Secret::new(private_pem),
        public_pem,
    }
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Claims);

impl<S: Send + Sync> FromRequestParts<S> for Authenticated
where
    TokenVerifier: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        TokenVerifier::from_ref(state)
            .verify_request(parts)
            .map(Authenticated)
    }
}

/// An authenticated administrator; anyone else gets 403 (or 401 without a token).
#[derive(Debug, Clone)]
pub struct Admin(pub Claims);

impl<S: Send + Sync> FromRequestParts<S> for Admin
where
    TokenVerifier: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Authenticated(claims) = Authenticated::from_request_parts(parts, state).await?;
        if claims.is_admin() {
            Ok(Admin(claims))
        } else {
            Err(ApiError::Forbidden(
                "this action requires the admin role".into(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> (TokenSigner, TokenVerifier) {
        let keys = generate_keypair();
        (
            TokenSigner::from_pem(keys.private_pem.expose(), Duration::from_secs(900)).unwrap(),
            TokenVerifier::from_pem(&keys.public_pem).unwrap(),
        )
    }

    #[test]
    fn round_trip() {
        let (signer, verifier) = pair();
        let claims = signer.claims_for(Uuid::new_v4(), Role::Admin);
        let token = signer.sign(&claims).unwrap();
        assert_eq!(verifier.verify(&token).unwrap(), claims);
    }

    #[test]
    fn expired_tampered_and_foreign_tokens_are_refused() {
        let (signer, verifier) = pair();
        let mut claims = signer.claims_for(Uuid::new_v4(), Role::Customer);
        claims.exp = chrono::Utc::now().timestamp() - 60;
        let expired = signer.sign(&claims).unwrap();
        assert!(
            verifier
                .verify(&expired)
                .unwrap_err()
                .to_string()
                .contains("expired")
        );

        let token = signer
            .sign(&signer.claims_for(Uuid::new_v4(), Role::Customer))
            .unwrap();
        let mut parts: Vec<String> = token.split('.').map(String::from).collect();
        let admin = signer.claims_for(Uuid::new_v4(), Role::Admin);
        let forged = signer.sign(&admin).unwrap();
        parts[1] = forged.split('.').nth(1).unwrap().to_string();
        assert!(
            verifier
                .verify(&parts.join("."))
                .unwrap_err()
                .to_string()
                .contains("signature")
        );

        let (other_signer, _) = pair();
        let foreign = other_signer
            .sign(&other_signer.claims_for(Uuid::new_v4(), Role::Admin))
            .unwrap();
        assert_eq!(verifier.verify(&foreign).unwrap_err().status(), 401);
        assert_eq!(verifier.verify("not.a.token").unwrap_err().status(), 401);
    }

    #[test]
    fn bad_keys_are_reported() {
        assert!(
            TokenVerifier::from_pem("-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----")
                .is_err()
        );
        assert!(TokenSigner::from_pem("nope", Duration::from_secs(1)).is_err());
    }
}
