//! One RabbitMQ virtual host per store, so that two stores on one broker never see each
//! other's events.
//!
//! Every store declares the same exchange and queue names (`petstore.events`,
//! `orders.checkout`, ...). On one virtual host, two stores would share those queues, and
//! one store's orders service would consume the other's checkouts. A virtual host is a
//! separate namespace of exchanges, queues and bindings inside one broker, so giving each
//! store its own needs no change in the services: only the path of `AMQP_URL` differs.
//!
//! AMQP itself cannot create a virtual host. The harness asks RabbitMQ's management HTTP
//! API when it answers (`PETSTORE_RABBITMQ_MANAGEMENT_URL`, default port 15672 on the
//! broker's host, with the AMQP URL's credentials), and otherwise `rabbitmqctl` on this
//! machine (which needs the broker's Erlang cookie, i.e. root or the `rabbitmq` user).

use std::time::Duration;

use reqwest::Url;
use tokio::process::Command;

/// Environment variable naming the management API's base URL, e.g. `http://127.0.0.1:15672`.
pub const MANAGEMENT_URL_VAR: &str = "PETSTORE_RABBITMQ_MANAGEMENT_URL";
/// Default port of RabbitMQ's management plugin.
const MANAGEMENT_PORT: u16 = 15672;
/// How long one management or `rabbitmqctl` call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(20);

/// Why a virtual host could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum VhostError {
    /// The AMQP URL could not be parsed or has no host.
    #[error("the AMQP URL is malformed: {0}")]
    Url(String),
    /// Neither the management API nor `rabbitmqctl` could create it.
    #[error(
        "cannot create the RabbitMQ virtual host {vhost}: the management API said: {management}; \
         rabbitmqctl said: {rabbitmqctl}. Enable the management plugin \
         (rabbitmq-plugins enable rabbitmq_management, or set {MANAGEMENT_URL_VAR}) or run as a user \
         that may run rabbitmqctl"
    )]
    Unavailable {
        /// The virtual host.
        vhost: String,
        /// What the management API attempt met.
        management: String,
        /// What the `rabbitmqctl` attempt met.
        rabbitmqctl: String,
    },
}

/// A virtual host on the broker, created for one store.
#[derive(Debug, Clone)]
pub struct VirtualHost {
    /// Its name.
    pub name: String,
    /// The AMQP URL the store's services use (the given URL with this virtual host).
    pub amqp_url: String,
    management: Option<Management>,
}

#[derive(Debug, Clone)]
struct Management {
    base: Url,
    user: String,
    password: String,
}

impl VirtualHost {
    /// Creates `name` (if needed) on the broker behind `amqp_url` and grants the URL's user
    /// every permission on it.
    ///
    /// # Errors
    /// [`VhostError::Url`] for a URL without host, [`VhostError::Unavailable`] when neither
    /// the management API nor `rabbitmqctl` could create the virtual host.
    pub async fn ensure(amqp_url: &str, name: &str) -> Result<Self, VhostError> {
        let url = Url::parse(amqp_url).map_err(|err| VhostError::Url(err.to_string()))?;
        let host = url
            .host_str()
            .ok_or_else(|| VhostError::Url("no host".into()))?
            .to_string();
        let user = match url.username() {
            "" => "guest".to_string(),
            user => decode(user),
        };
        let password = decode(url.password().unwrap_or("guest"));
        let amqp_url = with_vhost(&url, name);
        let base = match std::env::var(MANAGEMENT_URL_VAR) {
            Ok(base) => Url::parse(&base).map_err(|err| VhostError::Url(err.to_string()))?,
            Err(_) => Url::parse(&format!("http://{host}:{MANAGEMENT_PORT}"))
                .map_err(|err| VhostError::Url(err.to_string()))?,
        };
        let management = Management {
            base,
            user: user.clone(),
            password,
        };
        let via_http = match management.create(name).await {
            Ok(()) => {
                return Ok(Self {
                    name: name.to_string(),
                    amqp_url,
                    management: Some(management),
                });
            }
            Err(error) => error,
        };
        match rabbitmqctl_create(name, &user).await {
            Ok(()) => Ok(Self {
                name: name.to_string(),
                amqp_url,
                management: None,
            }),
            Err(via_ctl) => Err(VhostError::Unavailable {
                vhost: name.to_string(),
                management: via_http,
                rabbitmqctl: via_ctl,
            }),
        }
    }

    /// Deletes the virtual host with every exchange, queue and message in it (best effort:
    /// a failure leaves it behind, which costs the broker a few idle queues).
    pub async fn delete(&self) {
        let result = match &self.management {
            Some(management) => management.delete(&self.name).await,
            None => rabbitmqctl(&["delete_vhost", &self.name]).await.map(drop),
        };
        if let Err(error) = result {
            eprintln!(
                "warning: could not delete the RabbitMQ virtual host {}: {error}",
                self.name
            );
        }
    }
}

impl Management {
    fn client() -> Result<reqwest::Client, String> {
        reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .build()
            .map_err(|err| err.to_string())
    }

    fn url(&self, segments: &[&str]) -> Result<Url, String> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| "the management URL cannot have a path".to_string())?
            .pop_if_empty()
            .push("api")
            .extend(segments);
        Ok(url)
    }

    async fn create(&self, vhost: &str) -> Result<(), String> {
        let http = Self::client()?;
        let put = |url: Url, body: serde_json::Value| {
            http.put(url)
                .basic_auth(&self.user, Some(&self.password))
                .json(&body)
                .send()
        };
        let created = put(self.url(&["vhosts", vhost])?, serde_json::json!({}))
            .await
            .map_err(|err| err.to_string())?;
        if !created.status().is_success() {
            return Err(format!("PUT /api/vhosts answered {}", created.status()));
        }
        let everything = serde_json::json!({ "configure": ".*", "write": ".*", "read": ".*" });
        let granted = put(self.url(&["permissions", vhost, &self.user])?, everything)
            .await
            .map_err(|err| err.to_string())?;
        if !granted.status().is_success() {
            return Err(format!(
                "PUT /api/permissions answered {}",
                granted.status()
            ));
        }
        Ok(())
    }

    async fn delete(&self, vhost: &str) -> Result<(), String> {
        let response = Self::client()?
            .delete(self.url(&["vhosts", vhost])?)
            .basic_auth(&self.user, Some(&self.password))
            .send()
            .await
            .map_err(|err| err.to_string())?;
        if response.status().is_success() || response.status() == reqwest::StatusCode::NOT_FOUND {
            Ok(())
        } else {
            Err(format!("DELETE /api/vhosts answered {}", response.status()))
        }
    }
}

async fn rabbitmqctl_create(vhost: &str, user: &str) -> Result<(), String> {
    // add_vhost fails on an existing virtual host; listing first keeps `ensure` idempotent
    // for petstore-local, which reuses its virtual host across runs.
    let existing = rabbitmqctl(&["list_vhosts", "--quiet", "--no-table-headers", "name"]).await?;
    if !existing.lines().any(|line| line.trim() == vhost) {
        rabbitmqctl(&["add_vhost", vhost]).await?;
    }
    rabbitmqctl(&["set_permissions", "-p", vhost, user, ".*", ".*", ".*"]).await?;
    Ok(())
}

async fn rabbitmqctl(args: &[&str]) -> Result<String, String> {
    let run = Command::new("rabbitmqctl").args(args).output();
    let output = tokio::time::timeout(CALL_TIMEOUT, run)
        .await
        .map_err(|_| format!("rabbitmqctl {} timed out", args.join(" ")))?
        .map_err(|err| format!("cannot run rabbitmqctl: {err}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(format!(
            "rabbitmqctl {} failed: {}",
            args.join(" "),
            stderr.lines().last().unwrap_or_default().trim()
        ))
    }
}

/// The URL with its path (the virtual host) replaced by `vhost`, percent-encoded.
fn with_vhost(url: &Url, vhost: &str) -> String {
    let mut url = url.clone();
    url.set_path(&format!("/{}", encode(vhost)));
    url.to_string()
}

/// Percent-encodes everything but unreserved characters (the virtual host is one path
/// segment, so `/` must be encoded too).
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// Decodes `%XX` escapes of a URL's user or password.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vhost_replaces_the_path() {
        let url = Url::parse("amqp://guest:guest@127.0.0.1:5672/%2f").unwrap();
        assert_eq!(
            with_vhost(&url, "petstore-e2e-1"),
            "amqp://guest:guest@127.0.0.1:5672/petstore-e2e-1"
        );
        let bare = Url::parse("amqp://u:p@broker").unwrap();
        assert_eq!(with_vhost(&bare, "a/b"), "amqp://u:p@broker/a%2Fb");
    }

    #[test]
    fn credentials_are_decoded() {
        assert_eq!(decode("p%40ss%2Fword"), "p@ss/word");
        assert_eq!(decode("plain"), "plain");
        assert_eq!(decode("50%"), "50%");
    }
}
