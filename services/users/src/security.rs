//! Secrets: argon2id password hashes (computed on bounded hashing threads) and
//! opaque refresh tokens stored only as SHA-256 hashes.

use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use argon2::password_hash::{Output, ParamsString, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use kit::ApiError;
use rand::RngCore as _;
use rand::rngs::OsRng;
use sha2::{Digest as _, Sha256};
use tokio::sync::{Semaphore, oneshot};

/// Bytes of randomness in a refresh token.
pub const REFRESH_TOKEN_BYTES: usize = 32;

/// Longest a request waits for a free hashing thread before it is refused with a 429
/// (the default of [`PasswordHasher::with_max_wait`]).
pub const MAX_HASH_WAIT: Duration = Duration::from_secs(2);

/// Why a password could not be hashed or checked.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// argon2 refused the input or a stored hash is not a PHC string.
    #[error("password hashing failed: {0}")]
    Argon2(argon2::password_hash::Error),
    /// Every hashing thread stayed busy for [`MAX_HASH_WAIT`].
    #[error("every password hashing thread is busy")]
    Busy,
    /// A hashing thread is gone (it panicked).
    #[error("password hashing thread stopped")]
    Stopped,
}

impl From<HashError> for ApiError {
    fn from(err: HashError) -> Self {
        match err {
            // A flood of logins or registrations: the client may retry in a moment.
            HashError::Busy => ApiError::RateLimited {
                retry_after_secs: 1,
            },
            err => ApiError::internal(err),
        }
    }
}

/// Work for a hashing thread, given that thread's own argon2 memory.
type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

/// Hashes and verifies passwords with argon2id.
///
/// A hash costs tens of milliseconds of CPU and `m_cost` KiB of memory (19 MiB by
/// default) by design. Hashes run on a fixed set of threads, one per core this process
/// may use, never on tokio's request threads or its growing blocking pool: memory stays
/// bounded by `threads × m_cost` however many requests arrive (an allocator keeps a
/// freed block per thread, so unbounded threads meant unbounded memory). A request
/// waits at most [`MAX_HASH_WAIT`] for a thread, then gets a 429 with `Retry-After`.
#[derive(Clone)]
pub struct PasswordHasher {
    argon: Arc<Argon2<'static>>,
    /// A hash of a random password with the same parameters, verified when a
    /// login names an unknown email so that both cases cost the same time.
    dummy_hash: Arc<str>,
    /// One permit per hashing thread: holding one means a thread is free for the job.
    permits: Arc<Semaphore>,
    jobs: mpsc::Sender<Job>,
    max_wait: Duration,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("threads", &self.permits.available_permits())
            .finish_non_exhaustive()
    }
}

/// The hashing threads this process should run: the cores it may use (cgroup quota
/// included, so a pod limited to one CPU hashes on one thread).
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

impl PasswordHasher {
    /// An argon2id hasher with `params` on `threads` threads, and its dummy hash.
    pub async fn new(params: Params, threads: usize) -> Result<Self, HashError> {
        let argon = Arc::new(Argon2::new(Algorithm::Argon2id, Version::V0x13, params));
        let threads = threads.max(1);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    // Allocated once and reused by every hash on this thread, so memory
                    // is `threads × m_cost` for the life of the process, with no churn
                    // for the allocator to hold on to.
                    let mut memory: Vec<Block> = Vec::new();
                    loop {
                        // The lock is held only to take the next job, not while hashing.
                        let job = match queue.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(&mut memory),
                            Err(_) => return, // every hasher was dropped
                        }
                    }
                })
                .map_err(|_| HashError::Stopped)?;
        }
        let mut hasher = Self {
            argon,
            dummy_hash: Arc::from(""),
            permits: Arc::new(Semaphore::new(threads)),
            jobs,
            max_wait: MAX_HASH_WAIT,
        };
        let mut random = [0u8; 32];
        OsRng.fill_bytes(&mut random);
        hasher.dummy_hash = hasher.hash(URL_SAFE_NO_PAD.encode(random)).await?.into();
        Ok(hasher)
    }

    /// The same hasher, refusing a request that waits `max_wait` for a thread.
    pub fn with_max_wait(mut self, max_wait: Duration) -> Self {
        self.max_wait = max_wait;
        self
    }

    /// Runs `work` on a free hashing thread, waiting for one at most `max_wait`.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Argon2<'static>, &mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let _permit = tokio::time::timeout(self.max_wait, self.permits.acquire())
            .await
            .map_err(|_| HashError::Busy)?
            .map_err(|_| HashError::Stopped)?;
        let (done, result) = oneshot::channel();
        let argon = self.argon.clone();
        self.jobs
            .send(Box::new(move |memory: &mut Vec<Block>| {
                let _ = done.send(work(&argon, memory));
            }))
            .map_err(|_| HashError::Stopped)?;
        result.await.map_err(|_| HashError::Stopped)
    }

    /// The PHC string of `password` with a fresh random salt.
    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        self.run(move |argon, memory| {
            let salt = SaltString::generate(&mut OsRng);
            let out_len = argon
                .params()
                .output_len()
                .unwrap_or(Params::DEFAULT_OUTPUT_LEN);
            let output = compute(argon, password.as_bytes(), salt.as_salt(), out_len, memory)?;
            Ok(PasswordHash {
                algorithm: Algorithm::Argon2id.ident(),
                version: Some(Version::V0x13.into()),
                params: ParamsString::try_from(argon.params()).map_err(HashError::Argon2)?,
                salt: Some(salt.as_salt()),
                hash: Some(output),
            }
            .to_string())
        })
        .await?
    }

    /// Whether `password` matches `hash` (compared in constant time by
    /// argon2). With no hash (unknown user) the dummy hash is verified
    /// instead and the answer is always `false`.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, HashError> {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.to_string());
        let matches = self
            .run(move |_, memory| {
                let parsed = PasswordHash::new(&hash).map_err(HashError::Argon2)?;
                let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
                    return Err(HashError::Argon2(
                        argon2::password_hash::Error::PhcStringField,
                    ));
                };
                // The stored hash's own algorithm, version and costs, as argon2's verifier.
                let algorithm = Algorithm::try_from(parsed.algorithm).map_err(HashError::Argon2)?;
                let version = parsed
                    .version
                    .map(Version::try_from)
                    .transpose()
                    .map_err(|e| HashError::Argon2(e.into()))?
                    .unwrap_or_default();
                let params = Params::try_from(&parsed).map_err(HashError::Argon2)?;
                let argon = Argon2::new(algorithm, version, params);
                let output = compute(&argon, password.as_bytes(), salt, expected.len(), memory)?;
                // `Output` compares in constant time.
                Ok(output == expected)
            })
            .await??;
        Ok(known && matches)
    }
}

/// argon2 of `password` and `salt` into an output of `out_len` bytes, in `memory` (grown
/// to the hash's block count if it is smaller; a hash costlier than the service's own
/// gets temporary memory instead, so one odd stored hash cannot grow a thread for good).
fn compute(
    argon: &Argon2<'_>,
    password: &[u8],
    salt: Salt<'_>,
    out_len: usize,
    memory: &mut Vec<Block>,
) -> Result<Output, HashError> {
    let mut salt_bytes = [0u8; Salt::MAX_LENGTH];
    let salt = salt
        .decode_b64(&mut salt_bytes)
        .map_err(HashError::Argon2)?;
    let blocks = argon.params().block_count();
    let mut temporary = Vec::new();
    let memory = if blocks <= memory.len() || blocks <= Params::default().block_count() {
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        memory
    } else {
        temporary.resize(blocks, Block::default());
        &mut temporary
    };
    Output::init_with(out_len, |out| {
        argon
            .hash_password_into_with_memory(password, salt, out, &mut memory[..blocks])
            .map_err(Into::into)
    })
    .map_err(HashError::Argon2)
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
        let hasher = PasswordHasher::new(cheap(), 2).await.unwrap();
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

    #[tokio::test]
    async fn a_request_waits_for_a_busy_thread_only_so_long() {
        let hasher = PasswordHasher::new(cheap(), 1)
            .await
            .unwrap()
            .with_max_wait(Duration::from_millis(50));
        let hash = hasher.hash("correct horse 7".into()).await.unwrap();
        // Occupy the one thread until told to let go.
        let (release, held) = std::sync::mpsc::channel::<()>();
        let blocker = {
            let hasher = hasher.clone();
            tokio::spawn(async move { hasher.run(move |_, _| held.recv().is_ok()).await })
        };
        while hasher.permits.available_permits() > 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let refused = hasher
            .verify("correct horse 7".into(), Some(hash.clone()))
            .await;
        assert!(matches!(refused, Err(HashError::Busy)), "{refused:?}");
        let answer: ApiError = HashError::Busy.into();
        assert_eq!(answer.status().as_u16(), 429);
        release.send(()).unwrap();
        assert!(blocker.await.unwrap().unwrap());
        // With the thread free again, checks run.
        assert!(
            hasher
                .verify("correct horse 7".into(), Some(hash))
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn hashes_are_standard_phc_strings_both_ways() {
        use argon2::{PasswordHasher as _, PasswordVerifier as _};
        let hasher = PasswordHasher::new(cheap(), 1).await.unwrap();
        let reference = Argon2::new(Algorithm::Argon2id, Version::V0x13, cheap());
        // Ours verifies with the argon2 crate's own verifier ...
        let ours = hasher.hash("correct horse 7".into()).await.unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            reference
                .verify_password(b"correct horse 7", &parsed)
                .is_ok()
        );
        assert!(
            reference
                .verify_password(b"wrong horse 7", &parsed)
                .is_err()
        );
        // ... and hashes stored before (made by the crate, other costs too) verify with ours.
        let salt = SaltString::generate(&mut OsRng);
        let costlier = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(2048, 2, 1, None).unwrap(),
        );
        for stored in [
            reference
                .hash_password(b"old password 1", &salt)
                .unwrap()
                .to_string(),
            costlier
                .hash_password(b"old password 1", &salt)
                .unwrap()
                .to_string(),
        ] {
            assert!(
                hasher
                    .verify("old password 1".into(), Some(stored.clone()))
                    .await
                    .unwrap()
            );
            assert!(
                !hasher
                    .verify("old password 2".into(), Some(stored))
                    .await
                    .unwrap()
            );
        }
    }
}
