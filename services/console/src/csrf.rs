//! The form token: every form that changes something carries the session's token, and a
//! request whose token does not match is refused before anything is called. Together
//! with the `SameSite=Strict` cookie it stops other sites from submitting forms for the
//! signed-in person.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;

/// Name of the hidden form field.
pub const FIELD: &str = "csrf";

/// A fresh random token (256 bits).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Whether `submitted` is the session's token, compared in constant time.
pub fn matches(expected: &str, submitted: &str) -> bool {
    let (a, b) = (expected.as_bytes(), submitted.as_bytes());
    if a.len() != b.len() || a.is_empty() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_same_token_matches() {
        let token = new_token();
        assert_eq!(token.len(), 43);
        assert!(matches(&token, &token.clone()));
        assert!(!matches(&token, &new_token()));
        assert!(!matches(&token, ""));
        assert!(!matches("", ""));
        assert!(!matches(&token, &token[..42]));
    }
}
