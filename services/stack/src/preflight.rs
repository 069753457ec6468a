//! Clear answers to "is PostgreSQL / RabbitMQ there?" before anything starts.

use std::time::Duration;

use sqlx::{Connection, PgConnection};

use crate::StackError;

/// Connects to the administrative database once, or says what to do.
pub async fn check_database(url: &str) -> Result<PgConnection, StackError> {
    let connect = PgConnection::connect(url);
    match tokio::time::timeout(Duration::from_secs(5), connect).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(err)) => Err(StackError::Unreachable {
            what: "PostgreSQL",
            url: redact(url),
            cause: err.to_string(),
        }),
        Err(_) => Err(StackError::Unreachable {
            what: "PostgreSQL",
            url: redact(url),
            cause: "timed out after 5 s".into(),
        }),
    }
}

/// Opens and closes one AMQP connection, or says what to do.
pub async fn check_broker(url: &str) -> Result<(), StackError> {
    let connect = lapin::Connection::connect(url, lapin::ConnectionProperties::default());
    match tokio::time::timeout(Duration::from_secs(5), connect).await {
        Ok(Ok(conn)) => {
            let _ = conn.close(200, "preflight done".into()).await;
            Ok(())
        }
        Ok(Err(err)) => Err(StackError::Unreachable {
            what: "RabbitMQ",
            url: redact(url),
            cause: err.to_string(),
        }),
        Err(_) => Err(StackError::Unreachable {
            what: "RabbitMQ",
            url: redact(url),
            cause: "timed out after 5 s".into(),
        }),
    }
}

/// The URL without its password, for messages.
pub(crate) fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            redact("amqp://guest:guest@127.0.0.1:5672/%2f"),
            "amqp://guest:***@127.0.0.1:5672/%2f"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/postgres"),
            "postgres://postgres:***@127.0.0.1/postgres"
        );
        assert_eq!(redact("postgres://127.0.0.1/x"), "postgres://127.0.0.1/x");
    }
}
