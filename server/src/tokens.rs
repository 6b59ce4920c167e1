//! Random secrets and what is stored for them.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// `N` bytes from the operating system's secure generator.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    rand::rng().fill_bytes(&mut out);
    out
}

/// A new random bearer token (64 hex characters).
pub fn new_token() -> String {
    hex::encode(random_bytes::<32>())
}

/// What is stored for a token: its SHA-256, so a leaked database grants nothing.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
