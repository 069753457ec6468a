//! The generated Secrets: database passwords, broker credentials and the
//! token signing key pair.
//!
//! They are created once and never overwritten: [`desired`] says which exist
//! (pure), [`generate`] fills one with fresh random values, and the reconciler
//! creates a Secret only when it is absent. `render` prints them without data.

use std::collections::BTreeMap;

use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey};
use k8s_openapi::api::core::v1::Secret;
use rand::Rng;
use rand::distributions::Alphanumeric;

use super::meta;
use crate::crd::{PetStore, PostgresTopology};

/// Annotation listing the keys the operator generates into a Secret.
pub const GENERATED_KEYS: &str = "petstore.dev/generated-keys";
/// Key of a user name in a credentials Secret.
pub const USERNAME: &str = "username";
/// Key of a password in a credentials Secret.
pub const PASSWORD: &str = "password";
/// Key of the PEM (PKCS#8) private signing key.
pub const PRIVATE_KEY: &str = "private.pem";
/// Key of the PEM (SPKI) public key.
pub const PUBLIC_KEY: &str = "public.pem";
/// User name of the broker.
pub const BROKER_USER: &str = "petstore";
/// Superuser of a shared PostgreSQL instance.
pub const POSTGRES_ADMIN_USER: &str = "postgres";

/// What a generated Secret holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `username` (fixed) and a random `password`.
    Credentials {
        /// The user name.
        username: String,
    },
    /// An Ed25519 key pair.
    SigningKey,
}

/// The keys a Secret of `kind` holds.
pub fn keys(kind: &Kind) -> Vec<String> {
    match kind {
        Kind::Credentials { .. } => vec![USERNAME.into(), PASSWORD.into()],
        Kind::SigningKey => vec![PRIVATE_KEY.into(), PUBLIC_KEY.into()],
    }
}

/// Name of a service's database credentials.
pub fn database(ps: &PetStore, service: &str) -> String {
    format!("{}-{service}-database", super::instance(ps))
}
/// Name of the broker credentials.
pub fn broker(ps: &PetStore) -> String {
    format!("{}-rabbitmq-credentials", super::instance(ps))
}
/// Name of the token signing key pair.
pub fn jwt(ps: &PetStore) -> String {
    format!("{}-jwt", super::instance(ps))
}
/// Name of the console's session key (its `password` key): every console replica seals
/// and opens session cookies with it.
pub fn console_session(ps: &PetStore) -> String {
    format!("{}-console-session", super::instance(ps))
}
/// User name recorded in the console's session-key Secret.
pub const CONSOLE_SESSION_USER: &str = "console";
/// Name of the shared PostgreSQL superuser credentials.
pub fn postgres_admin(ps: &PetStore) -> String {
    format!("{}-postgres-admin", super::instance(ps))
}

/// The Secrets the PetStore needs, without values.
pub fn desired(ps: &PetStore) -> Vec<(Secret, Kind)> {
    let mut out = Vec::new();
    for svc in petstore_contract::SERVICES
        .iter()
        .filter(|s| s.has_database)
    {
        out.push((
            shell(ps, database(ps, svc.name), &[USERNAME, PASSWORD]),
            Kind::Credentials {
                username: svc.database(),
            },
        ));
    }
    if ps.spec.postgres.topology == PostgresTopology::Shared {
        out.push((
            shell(ps, postgres_admin(ps), &[USERNAME, PASSWORD]),
            Kind::Credentials {
                username: POSTGRES_ADMIN_USER.into(),
            },
        ));
    }
    out.push((
        shell(ps, broker(ps), &[USERNAME, PASSWORD]),
        Kind::Credentials {
            username: BROKER_USER.into(),
        },
    ));
    // The console's session key: 32 random alphanumeric characters, generated once like
    // a password (kept while the console is disabled, so re-enabling it keeps sessions).
    out.push((
        shell(ps, console_session(ps), &[USERNAME, PASSWORD]),
        Kind::Credentials {
            username: CONSOLE_SESSION_USER.into(),
        },
    ));
    out.push((
        shell(ps, jwt(ps), &[PRIVATE_KEY, PUBLIC_KEY]),
        Kind::SigningKey,
    ));
    out
}

fn shell(ps: &PetStore, name: String, keys: &[&str]) -> Secret {
    let mut m = meta(ps, name, "petstore", "secret");
    m.annotations = Some(BTreeMap::from([(GENERATED_KEYS.into(), keys.join(","))]));
    Secret {
        metadata: m,
        type_: Some("Opaque".into()),
        ..Secret::default()
    }
}

/// A random alphanumeric password (URL-safe, so it can sit in a connection URL).
pub fn password() -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(32)
        .map(char::from)
        .collect()
}

/// Fills a Secret from [`desired`] with fresh values.
pub fn generate(mut secret: Secret, kind: &Kind) -> Result<Secret, String> {
    let data = match kind {
        Kind::Credentials { username } => BTreeMap::from([
            (USERNAME.to_string(), username.clone()),
            (PASSWORD.to_string(), password()),
        ]),
        Kind::SigningKey => {
            let key = SigningKey::generate(&mut rand::rngs::OsRng);
            let private = key
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(|e| format!("cannot encode the private key: {e}"))?;
            let public = key
                .verifying_key()
                .to_public_key_pem(LineEnding::LF)
                .map_err(|e| format!("cannot encode the public key: {e}"))?;
            BTreeMap::from([
                (PRIVATE_KEY.to_string(), private.to_string()),
                (PUBLIC_KEY.to_string(), public),
            ])
        }
    };
    secret.string_data = Some(data);
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn one_credential_per_database_plus_broker_console_and_keys() {
        let ps = fixtures::minimal();
        let names: Vec<_> = desired(&ps)
            .iter()
            .map(|(s, _)| s.metadata.name.clone().unwrap_or_default())
            .collect();
        let mut expected: Vec<String> = petstore_contract::SERVICES
            .iter()
            .filter(|s| s.has_database)
            .map(|s| format!("shop-{}-database", s.name))
            .collect();
        expected.extend([
            "shop-rabbitmq-credentials".into(),
            "shop-console-session".into(),
            "shop-jwt".into(),
        ]);
        assert_eq!(names, expected);
    }

    #[test]
    fn generated_values_are_fresh_and_never_guest() {
        let ps = fixtures::minimal();
        let (secret, kind) = desired(&ps)
            .into_iter()
            .find(|(s, _)| s.metadata.name.as_deref() == Some("shop-rabbitmq-credentials"))
            .expect("broker");
        let a = generate(secret.clone(), &kind).expect("generate");
        let b = generate(secret, &kind).expect("generate");
        let (a, b) = (a.string_data.expect("data"), b.string_data.expect("data"));
        assert_ne!(a[PASSWORD], b[PASSWORD]);
        assert_eq!(a[PASSWORD].len(), 32);
        assert_ne!(a[USERNAME], "guest");
    }

    #[test]
    fn signing_key_is_pem() {
        let ps = fixtures::minimal();
        let (secret, kind) = desired(&ps).pop().expect("jwt");
        let data = generate(secret, &kind)
            .expect("generate")
            .string_data
            .expect("data");
        assert!(data[PRIVATE_KEY].starts_with("-----BEGIN PRIVATE KEY-----"));
        assert!(data[PUBLIC_KEY].starts_with("-----BEGIN PUBLIC KEY-----"));
    }
}
