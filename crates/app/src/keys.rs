//! Signing keys: made from the system's randomness, written to key files no one else can
//! read (and never over an existing one), read back; verifier keys given as text or in a
//! file.
//!
//! A key file holds one Go-compatible private key string (`PRIVATE+KEY+name+hex8+base64`)
//! and a newline.

use std::io::Write as _;
use std::path::Path;

use accord_ledger::note::{self, SignerKey, TYPE_COSIGNATURE, TYPE_ED25519, VerifierKey};

use crate::error::{Error, Result};

/// 32 bytes from the operating system's random source (seeds and salts).
pub fn random_32() -> Result<[u8; 32]> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::Randomness(e.to_string()))?;
    Ok(bytes)
}

fn key_error(context: impl Into<String>, message: impl ToString) -> Error {
    Error::Key {
        context: context.into(),
        message: message.to_string(),
    }
}

/// A new Ed25519 key named `name` (a log's key is named by its origin); a witness
/// cosigner key (`tlog-cosignature/v1`) when `cosigner`.
pub fn generate(name: &str, cosigner: bool) -> Result<SignerKey> {
    let kind = if cosigner {
        TYPE_COSIGNATURE
    } else {
        TYPE_ED25519
    };
    SignerKey::from_seed_of_type(name, kind, random_32()?)
        .map_err(|e| key_error(format!("the key `{name}`"), e))
}

/// A new key (see [`generate`]) written to `out`, or to the file named after it (`/` as
/// `_`, plus `.key`); returns the key and where it was written.
pub fn generate_into(
    name: &str,
    cosigner: bool,
    out: Option<&Path>,
) -> Result<(SignerKey, std::path::PathBuf)> {
    let key = generate(name, cosigner)?;
    let path = out.map_or_else(
        || std::path::PathBuf::from(format!("{}.key", name.replace('/', "_"))),
        Path::to_path_buf,
    );
    write_private(&path, &key)?;
    Ok((key, path))
}

/// Writes a private key file, readable by its owner only; an existing file is never
/// overwritten.
pub fn write_private(path: &Path, key: &SignerKey) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let name = path.display().to_string();
    let write = || -> std::io::Result<()> {
        let mut file = options.open(path)?;
        writeln!(file, "{}", key.to_private_string())?;
        file.sync_all()
    };
    write().map_err(|source| Error::Write { name, source })
}

/// Reads a private key file written by [`write_private`] (or by Go's `note` tools).
pub fn read_private(path: &Path) -> Result<SignerKey> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        what: "key file",
        name: name.clone(),
        source,
    })?;
    SignerKey::parse(text.trim()).map_err(|e| key_error(format!("in key file `{name}`"), e))
}

/// A verifier key given as text (`name+hex8+base64`), or the name of a file holding one.
pub fn verifier_key(given: &str) -> Result<VerifierKey> {
    match VerifierKey::parse(given) {
        Ok(key) => Ok(key),
        Err(e) => {
            let path = Path::new(given);
            if !path.is_file() {
                return Err(key_error(format!("the verifier key `{given}`"), e));
            }
            let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
                what: "key file",
                name: given.to_owned(),
                source,
            })?;
            VerifierKey::parse(text.trim())
                .map_err(|e| key_error(format!("in key file `{given}`"), e))
        }
    }
}

/// The names of the given keys that signed a note (`name` names the note in errors). A
/// note no given key signed, or with a signature by a given key that does not verify, is
/// refused.
pub fn open_note(name: &str, text: &str, keys: &[String]) -> Result<Vec<String>> {
    let keys = keys
        .iter()
        .map(|k| verifier_key(k))
        .collect::<Result<Vec<_>>>()?;
    let verified = note::open_note(text, &keys).map_err(|source| Error::Note {
        name: name.to_owned(),
        source,
    })?;
    Ok(verified.signers)
}

/// Signs a text (ending with a newline) with the keys in the given files, at `now`.
pub fn sign_note(
    text: &str,
    key_files: &[std::path::PathBuf],
    now: jiff::Timestamp,
) -> Result<String> {
    let keys = key_files
        .iter()
        .map(|k| read_private(k))
        .collect::<Result<Vec<_>>>()?;
    let refs: Vec<&SignerKey> = keys.iter().collect();
    let at = u64::try_from(now.as_second()).unwrap_or(0);
    note::sign_note(text, &refs, at).map_err(|e| key_error("cannot sign the text", e))
}
