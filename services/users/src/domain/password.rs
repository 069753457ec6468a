//! The password policy.

/// Fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Most characters a password may have (argon2 accepts more; a cap keeps a
/// hash request from becoming a denial of service).
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Why a password is refused, or `None` when it follows the policy:
/// 12–128 characters, at least one letter and at least one digit or symbol,
/// and not containing the local part of the owner's email.
pub fn policy_violation(password: &str, email: &str) -> Option<String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Some(format!("must be at least {MIN_PASSWORD_CHARS} characters"));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Some(format!("must be at most {MAX_PASSWORD_CHARS} characters"));
    }
    let has_letter = password.chars().any(char::is_alphabetic);
    let has_other = password
        .chars()
        .any(|c| !c.is_alphabetic() && !c.is_whitespace());
    if !has_letter || !has_other {
        return Some("must contain at least one letter and one digit or symbol".into());
    }
    let local = email
        .split_once('@')
        .map_or(email, |(local, _)| local)
        .trim()
        .to_lowercase();
    // Very short local parts (say `a@x.io`) would forbid half the alphabet;
    // only a recognizable name is worth refusing.
    if local.chars().count() >= 3 && password.to_lowercase().contains(&local) {
        return Some("must not contain your email address".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_good_passwords() {
        for good in [
            "correct horse 7 battery",
            "Tr0ub4dor&3xyz",
            "ümlautpasswort!",
        ] {
            assert_eq!(policy_violation(good, "jane@example.org"), None, "{good}");
        }
    }

    #[test]
    fn refuses_weak_passwords() {
        let email = "jane.doe@example.org";
        for (bad, why) in [
            ("short1!", "at least 12"),
            (&"a1".repeat(65), "at most 128"),
            ("onlylettershere", "one letter and one digit"),
            ("123456789012345", "one letter and one digit"),
            ("!!!!????####", "one letter and one digit"),
            ("my-Jane.Doe-password-1", "email"),
        ] {
            let message = policy_violation(bad, email).unwrap_or_default();
            assert!(message.contains(why), "{bad}: {message}");
        }
    }

    #[test]
    fn short_local_parts_are_not_forbidden_words() {
        assert_eq!(policy_violation("abc defgh 1234", "ab@example.org"), None);
    }
}
