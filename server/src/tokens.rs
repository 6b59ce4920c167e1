//! Random secrets, what is stored for them, and signatures made with them.

use hmac::{Hmac, Mac};
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

/// HMAC-SHA256 of `body` with `key`, in hex: how Viber and Meta sign their webhook
/// deliveries, and how we sign the file addresses messengers fetch.
pub fn signature(key: &str, body: &[u8]) -> String {
    hex::encode(mac(key, body).finalize().into_bytes())
}

/// Whether `given` (hex, either case) is the signature of `body` with `key`, compared in
/// constant time.
pub fn signed(key: &str, body: &[u8], given: &str) -> bool {
    hex::decode(given.trim()).is_ok_and(|given| mac(key, body).verify_slice(&given).is_ok())
}

fn mac(key: &str, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body);
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_in_hex() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let body = br#"{"event":"webhook","timestamp":1457764197627,"message_token":241256543215}"#;
        let key = "4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f";
        let good = signature(key, body);
        assert!(signed(key, body, &good));
        assert!(signed(key, body, &good.to_uppercase()), "hex in either case");
        assert!(!signed(key, &body[1..], &good), "another body");
        assert!(!signed("another-key", body, &good), "another key");
        assert!(!signed(key, body, ""), "no signature");
        assert!(!signed(key, body, "not hex"), "garbage");
    }
}
