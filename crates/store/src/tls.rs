//! PostgreSQL over TLS (rustls, the `ring` provider): the `sslmode` of a PostgreSQL URL, as
//! libpq reads it.
//!
//! - `disable`: never TLS.
//! - `prefer` (the default): TLS when the server offers it, else plain; the server's
//!   certificate is not checked (it protects against eavesdropping only).
//! - `require`: TLS or no connection; the certificate is not checked, as libpq does when no
//!   root certificate is given.
//! - `verify-full`: TLS, the certificate chain checked against `sslrootcert` (a PEM file)
//!   or, without it, the Mozilla roots of `webpki-roots`, and the host name checked.
//!
//! `verify-ca` (a chain checked without the host name) is refused rather than silently
//! treated as something else. `sslmode` and `sslrootcert` are taken out of the URL before
//! the rest is given to the `postgres` crate, which knows neither `verify-full` nor
//! `sslrootcert`.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::StoreError;

/// How a connection uses TLS (libpq's `sslmode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Never.
    Disable,
    /// When the server offers it; the certificate not checked.
    Prefer,
    /// Always; the certificate not checked.
    Require,
    /// Always; the certificate chain and the host name checked.
    VerifyFull,
}

impl std::str::FromStr for SslMode {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "disable" => SslMode::Disable,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-full" => SslMode::VerifyFull,
            other => {
                return Err(StoreError::Tls(format!(
                    "sslmode `{other}` is not supported: use disable, prefer, require or verify-full"
                )));
            }
        })
    }
}

/// A PostgreSQL URL read: the connection settings and the TLS connector its `sslmode` asks
/// for.
pub(crate) fn postgres_target(
    url: &str,
) -> Result<(postgres::Config, MakeRustlsConnect), StoreError> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut mode = SslMode::Prefer;
    let mut root_cert = None;
    let mut rest = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("sslmode", value)) => mode = value.parse()?,
            Some(("sslrootcert", value)) => root_cert = Some(value.to_owned()),
            _ => rest.push(pair),
        }
    }
    let url = if rest.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    let mut config: postgres::Config = url.parse()?;
    config.ssl_mode(match mode {
        SslMode::Disable => postgres::config::SslMode::Disable,
        SslMode::Prefer => postgres::config::SslMode::Prefer,
        SslMode::Require | SslMode::VerifyFull => postgres::config::SslMode::Require,
    });
    Ok((config, connector(mode, root_cert.as_deref())?))
}

fn connector(mode: SslMode, root_cert: Option<&str>) -> Result<MakeRustlsConnect, StoreError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| StoreError::Tls(e.to_string()))?;
    let config = match mode {
        SslMode::VerifyFull => {
            let mut roots = RootCertStore::empty();
            match root_cert {
                Some(path) => {
                    let read = |e: rustls::pki_types::pem::Error| {
                        StoreError::Tls(format!("cannot read the root certificate `{path}`: {e}"))
                    };
                    for cert in CertificateDer::pem_file_iter(path).map_err(read)? {
                        roots
                            .add(cert.map_err(read)?)
                            .map_err(|e| StoreError::Tls(format!("`{path}`: {e}")))?;
                    }
                }
                None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
            }
            builder.with_root_certificates(roots).with_no_client_auth()
        }
        _ => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unchecked(
                provider.signature_verification_algorithms,
            )))
            .with_no_client_auth(),
    };
    Ok(MakeRustlsConnect::new(config))
}

/// `prefer` and `require`: any certificate is taken (as libpq does without a root
/// certificate), but the handshake's signatures are still checked against it.
#[derive(Debug)]
struct Unchecked(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslmode_is_read_and_taken_out_of_the_url() {
        let (config, _) =
            postgres_target("postgres://u@h:5433/db?sslmode=require&application_name=a").unwrap();
        assert_eq!(config.get_ssl_mode(), postgres::config::SslMode::Require);
        assert_eq!(config.get_application_name(), Some("a"));
        let (config, _) = postgres_target("postgres://u@h/db?sslmode=disable").unwrap();
        assert_eq!(config.get_ssl_mode(), postgres::config::SslMode::Disable);
        let (config, _) = postgres_target("postgres://u@h/db?sslmode=verify-full").unwrap();
        assert_eq!(config.get_ssl_mode(), postgres::config::SslMode::Require);
        let (config, _) = postgres_target("postgres://u@h/db").unwrap();
        assert_eq!(config.get_ssl_mode(), postgres::config::SslMode::Prefer);
        for bad in ["verify-ca", "allow", "yes", ""] {
            let refused = postgres_target(&format!("postgres://u@h/db?sslmode={bad}")).err();
            assert!(
                matches!(&refused, Some(StoreError::Tls(m)) if m.contains(&format!("sslmode `{bad}`"))),
                "{bad}: {refused:?}"
            );
        }
        let missing =
            postgres_target("postgres://u@h/db?sslmode=verify-full&sslrootcert=/nonexistent.pem")
                .err();
        assert!(
            matches!(&missing, Some(StoreError::Tls(m)) if m.contains("/nonexistent.pem")),
            "{missing:?}"
        );
    }
}
