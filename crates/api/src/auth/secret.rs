//! Random secrets and their digests: session ids, CSRF tokens, API keys, link tokens. Only
//! digests are stored; a secret is shown once, to the person it is for.

use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// What every API key starts with, so secret scanners can find a leaked one.
pub const KEY_PREFIX: &str = "rops_";

/// 256 random bits, base64url without padding (43 characters).
pub fn random_token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// The SHA-256 digest of a secret, in lower-case hex: what the database keeps.
pub fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Compares two secrets in constant time.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A new API key: its public id (for lists and revoking) and the key itself
/// (`rops_` and 256 random bits).
pub fn new_key() -> (String, String) {
    let id: String = rand::random::<[u8; 6]>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    (id, format!("{KEY_PREFIX}{}", random_token()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_256_bit_and_stored_as_digests() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert_eq!(digest(&a).len(), 64);
        assert_ne!(digest(&a), a);
        assert!(same(&a, &a.clone()) && !same(&a, &b) && !same(&a, "x"));
        let (id, key) = new_key();
        assert_eq!(id.len(), 12);
        assert!(key.starts_with("rops_") && key.len() == 48, "{key}");
    }
}
