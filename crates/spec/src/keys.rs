//! Checking the form of signing keys declared in an agreement.
//!
//! A key is either 32 bytes of Ed25519 public key in standard base64, or a C2SP
//! signed-note verifier key `name+hash+base64(0x01 || key)` whose hash is the first four
//! bytes of SHA-256(name || "\n" || 0x01 || key), in hex. Beyond the typing and copying
//! mistakes a policy officer can make, the 32 bytes must be a point of the curve and not a
//! weak (small-order) one: the ledger refuses such keys when a log is created, so an
//! agreement that names one could never be put to use.

use base64::Engine as _;
use sha2::Digest as _;

/// Why a key is not a valid Ed25519 public key.
pub(crate) fn check(key: &str) -> Result<(), String> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut parts = key.splitn(3, '+');
    let (first, second, third) = (parts.next(), parts.next(), parts.next());
    if let (Some(name), Some(hash), Some(body)) = (first, second, third)
        && hash.len() == 8
        && hash.bytes().all(|b| b.is_ascii_hexdigit())
    {
        if name.is_empty() || name.chars().any(|c| c.is_whitespace()) {
            return Err(format!(
                "verifier key name `{name}` must be non-empty and have no spaces"
            ));
        }
        let bytes = b64
            .decode(body)
            .map_err(|_| "the part after the hash is not base64".to_owned())?;
        let [0x01, rest @ ..] = bytes.as_slice() else {
            return Err(
                "the verifier key is not an Ed25519 key (its algorithm byte is not 0x01)".into(),
            );
        };
        if rest.len() != 32 {
            return Err(format!(
                "an Ed25519 verifier key holds 32 bytes of key, this one holds {}",
                rest.len()
            ));
        }
        let mut h = sha2::Sha256::new();
        h.update(name.as_bytes());
        h.update(b"\n");
        h.update(&bytes);
        let digest = h.finalize();
        let want: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
        if !hash.eq_ignore_ascii_case(&want) {
            return Err(format!(
                "the key hash `{hash}` does not match the name and key (expected `{want}`): the key was altered or mis-copied"
            ));
        }
        return curve_point(rest);
    }
    let bytes = b64
        .decode(key)
        .map_err(|_| "it is neither standard base64 nor a C2SP verifier key".to_owned())?;
    if bytes.len() != 32 {
        return Err(format!(
            "an Ed25519 public key is 32 bytes, this one is {}",
            bytes.len()
        ));
    }
    curve_point(&bytes)
}

/// Whether 32 bytes are a usable Ed25519 public key: a point of the curve, not of small order.
fn curve_point(bytes: &[u8]) -> Result<(), String> {
    let array: [u8; 32] = bytes.try_into().map_err(|_| {
        format!(
            "an Ed25519 public key is 32 bytes, this one is {}",
            bytes.len()
        )
    })?;
    let key = ed25519_dalek::VerifyingKey::from_bytes(&array).map_err(|_| {
        "the 32 bytes are not an Ed25519 public key (not a point of the curve)".to_owned()
    })?;
    if key.is_weak() {
        return Err(
            "the key is a weak (small-order) Ed25519 key, which can be forged against".into(),
        );
    }
    // A point with a small-order component verifies differently under batch and single
    // verification; the ledger refuses such keys, so refuse them here first.
    if !key.to_edwards().is_torsion_free() {
        return Err(
            "the key has a small-order component (it is not torsion-free); generate a fresh key with `accord key generate`".into(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vkey(name: &str, key: [u8; 32]) -> String {
        let mut body = vec![1u8];
        body.extend_from_slice(&key);
        let mut h = sha2::Sha256::new();
        h.update(name.as_bytes());
        h.update(b"\n");
        h.update(&body);
        let hash: String = h
            .finalize()
            .iter()
            .take(4)
            .map(|b| format!("{b:02x}"))
            .collect();
        format!(
            "{name}+{hash}+{}",
            base64::engine::general_purpose::STANDARD.encode(body)
        )
    }

    /// A real public key, derived from a fixed seed.
    fn public(seed: u8) -> [u8; 32] {
        ed25519_dalek::SigningKey::from_bytes(&[seed; 32])
            .verifying_key()
            .to_bytes()
    }

    #[test]
    fn accepts_raw_and_verifier_keys() {
        let raw = base64::engine::general_purpose::STANDARD.encode(public(7));
        assert_eq!(check(&raw), Ok(()));
        assert_eq!(check(&vkey("iaea.example", public(9))), Ok(()));
    }

    #[test]
    fn refuses_bytes_off_the_curve_and_weak_keys() {
        // The identity point (y = 1) is on the curve but of small order.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let weak = base64::engine::general_purpose::STANDARD.encode(identity);
        assert!(
            check(&weak).unwrap_err().contains("weak"),
            "{:?}",
            check(&weak)
        );
        // y = 2 is not the y-coordinate of any point of the curve.
        let mut off = [0u8; 32];
        off[0] = 2;
        let off = base64::engine::general_purpose::STANDARD.encode(off);
        assert!(
            check(&off)
                .unwrap_err()
                .contains("not a point of the curve"),
            "{:?}",
            check(&off)
        );
        assert!(
            check(&vkey("m.example", identity))
                .unwrap_err()
                .contains("weak")
        );
    }

    #[test]
    fn refuses_short_altered_and_garbage_keys() {
        let short = base64::engine::general_purpose::STANDARD.encode([7u8; 31]);
        assert!(check(&short).unwrap_err().contains("32 bytes"));
        let mut altered = vkey("iaea.example", public(9));
        altered.replace_range(13..14, if &altered[13..14] == "0" { "1" } else { "0" });
        assert!(check(&altered).unwrap_err().contains("does not match"));
        assert!(check("not a key!").is_err());
    }
}
