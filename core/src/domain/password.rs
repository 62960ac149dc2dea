//! Passwords: the policy a new password must meet, and the opaque stored hash.
use super::validation::Invalid;

/// The most common passwords (lower-cased), refused whatever their length.
const COMMON: &str = include_str!("common_passwords.txt");

/// A password that meets the policy: 8 to 128 characters, not one of the most common passwords.
/// Its `Debug` output is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// A new password, checked against the policy.
    ///
    /// # Errors
    /// `Invalid` for a too short, too long or too common password.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let len = raw.chars().count();
        if len < 8 {
            return Err(Invalid::field(
                "password",
                "is shorter than 8 characters",
                "Choose at least 8 characters; a short sentence is easy to remember.",
            ));
        }
        if len > 128 {
            return Err(Invalid::field("password", "is longer than 128 characters", "Choose at most 128 characters."));
        }
        let lower = raw.to_lowercase();
        if COMMON.lines().any(|common| common == lower) {
            return Err(Invalid::field(
                "password",
                "is one of the most commonly used passwords",
                "Choose something less predictable than a common word or digit sequence.",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// A password presented at sign-in: not checked against the policy (it may predate it).
    #[must_use]
    pub fn presented(raw: &str) -> Self {
        Self(raw.to_owned())
    }

    /// The password itself, for hashing or verifying; never log it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A password hash in PHC string form (`$argon2id$...`), as produced by the `PasswordHasher` port.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(pub String);

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_refuses_short_long_and_common_passwords() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse(&"a".repeat(129)).is_err());
        for common in ["password", "12345678", "Password1", "qwertyuiop"] {
            assert!(Password::parse(common).is_err(), "{common} must be refused");
        }
        assert!(Password::parse("water-for-the-mosque").is_ok());
    }

    #[test]
    fn debug_output_never_shows_the_secret() {
        let p = Password::parse("water-for-the-mosque").expect("valid");
        assert!(!format!("{p:?}").contains("water"));
        assert!(!format!("{:?}", PasswordHash("$argon2id$v=19$x".into())).contains("argon2"));
    }
}
