//! HTTPS for `sso-emulator --tls`: a throw-away certificate authority and leaf certificate made
//! at start, and the listener that serves [`router`](crate::router) behind rustls.
//!
//! Nothing is checked in and nothing is reused: every start makes a new CA key and a new leaf
//! key (ECDSA P-256, rcgen on ring), so a client trusts the emulator only through the CA PEM
//! this process wrote (`--tls-ca-out`). The leaf names `127.0.0.1` and `localhost` (the origins
//! clients use) unless a test asks for other names, and can be made already expired; those two
//! knobs reproduce the host-name and expiry failures a client meets on a real network. An
//! untrusted certificate needs no knob: a client without the CA sees one.
//!
//! TLS uses rustls with the ring provider (the one ureq already builds for aws-sso), never
//! aws-lc-rs. Handshakes run concurrently, each in its own task with a deadline, so a client
//! that connects and then stalls or rejects the certificate never holds up the others; finished
//! handshakes are handed to `axum::serve` through [`TlsListener`]. This module does not cover
//! client certificates, HTTP/2 or reloading certificates.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::server::TlsStream;

use crate::AppState;

/// The names a leaf certificate is for by default: the two ways clients reach the emulator.
pub const DEFAULT_LEAF_HOSTS: [&str; 2] = ["127.0.0.1", "localhost"];

/// How long a client may take over its handshake before the connection is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// What the leaf certificate should look like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafOptions {
    /// Subject alternative names: IP addresses become IP SANs, anything else a DNS name.
    pub hosts: Vec<String>,
    /// Valid from 30 days ago until yesterday, so every client rejects it as expired.
    pub expired: bool,
}

impl Default for LeafOptions {
    fn default() -> Self {
        Self {
            hosts: DEFAULT_LEAF_HOSTS.map(str::to_owned).to_vec(),
            expired: false,
        }
    }
}

/// A certificate that could not be made or loaded into rustls.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// rcgen refused the parameters (an invalid host name, say).
    #[error("cannot make the TLS certificate for {hosts:?}: {source}")]
    Certificate {
        /// The leaf's names.
        hosts: Vec<String>,
        /// rcgen's error.
        source: rcgen::Error,
    },
    /// rustls refused the certificate or key.
    #[error("cannot set up TLS: {0}")]
    Rustls(#[from] tokio_rustls::rustls::Error),
}

/// A freshly made CA and the leaf it signed, ready to serve.
#[derive(Debug, Clone)]
pub struct TlsIdentity {
    /// The CA certificate, PEM: what clients put in `AWS_CA_BUNDLE` / `--ca-bundle`.
    pub ca_pem: String,
    /// The leaf certificate, DER (served alone: the CA is the trust anchor, not part of the
    /// chain).
    pub leaf_der: CertificateDer<'static>,
    /// The rustls server configuration (ring provider, HTTP/1.1 over ALPN).
    pub server_config: Arc<ServerConfig>,
}

impl TlsIdentity {
    /// Makes a new CA and a leaf for `leaf.hosts`, valid around `now` (or expired before it).
    ///
    /// # Errors
    ///
    /// A host name rcgen rejects, or a key rustls cannot use.
    pub fn generate(leaf: &LeafOptions, now: Timestamp) -> Result<Self, TlsError> {
        let certificate_error = |source| TlsError::Certificate {
            hosts: leaf.hosts.clone(),
            source,
        };
        let at = |days: i64| {
            time::OffsetDateTime::from_unix_timestamp(now.as_second() + days * 86_400)
                .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        };

        let ca_key = KeyPair::generate().map_err(certificate_error)?;
        let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(certificate_error)?;
        ca.distinguished_name
            .push(DnType::CommonName, "sso-emulator test CA");
        ca.distinguished_name
            .push(DnType::OrganizationName, "sso-emulator");
        ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        // The CA outlives the expired leaf's window on both sides, so only the leaf is at fault.
        ca.not_before = at(-60);
        ca.not_after = at(365);
        let ca_certificate = ca.self_signed(&ca_key).map_err(certificate_error)?;
        let issuer = Issuer::new(ca, ca_key);

        let leaf_key = KeyPair::generate().map_err(certificate_error)?;
        let mut params = CertificateParams::new(leaf.hosts.clone()).map_err(certificate_error)?;
        if let Some(first) = leaf.hosts.first() {
            params
                .distinguished_name
                .push(DnType::CommonName, first.as_str());
        }
        params.is_ca = IsCa::ExplicitNoCa;
        params.use_authority_key_identifier_extension = true;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        (params.not_before, params.not_after) = if leaf.expired {
            (at(-30), at(-1))
        } else {
            (at(-1), at(30))
        };
        let leaf_certificate = params
            .signed_by(&leaf_key, &issuer)
            .map_err(certificate_error)?;

        let leaf_der = leaf_certificate.der().clone();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let mut config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(vec![leaf_der.clone()], key)?;
        // axum is built with HTTP/1 only; saying so keeps browsers from trying h2.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            ca_pem: ca_certificate.pem(),
            leaf_der,
            server_config: Arc::new(config),
        })
    }
}

/// A listener that yields connections whose TLS handshake has completed.
///
/// A background task accepts TCP connections and runs every handshake in a task of its own;
/// dropping the listener (as `axum::serve` does on shutdown) closes the socket.
#[derive(Debug)]
pub struct TlsListener {
    local_addr: SocketAddr,
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
}

impl TlsListener {
    /// Starts accepting on `listener` with `config`. Must be called inside a tokio runtime.
    ///
    /// # Errors
    ///
    /// The listener's address cannot be read.
    pub fn new(listener: TcpListener, config: Arc<ServerConfig>) -> io::Result<Self> {
        let local_addr = listener.local_addr()?;
        let acceptor = TlsAcceptor::from(config);
        let (sender, ready) = mpsc::channel(64);
        tokio::spawn(accept_loop(listener, acceptor, sender));
        Ok(Self { local_addr, ready })
    }
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    sender: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
) {
    loop {
        let accepted = tokio::select! {
            () = sender.closed() => return,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(connection) => connection,
            Err(error) => {
                // As axum's own TCP listener does: out of file descriptors and the like pass.
                tracing::warn!(%error, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let acceptor = acceptor.clone();
        let sender = sender.clone();
        tokio::spawn(async move {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => {
                    let _ = sender.send((tls, peer)).await;
                }
                // A client that refuses the certificate ends up here ("received fatal alert:
                // UnknownCA", "BadCertificate", "CertificateExpired"): worth a line in the log.
                Ok(Err(error)) => tracing::info!(%peer, %error, "TLS handshake failed"),
                Err(_) => tracing::info!(%peer, "TLS handshake timed out"),
            }
        });
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(connection) => connection,
            // The accept task only ends once this receiver is gone, so this cannot happen; wait
            // for ever rather than panic, as a listener with nothing to accept would.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local_addr)
    }
}

/// [`serve`](crate::serve) over HTTPS: [`router`](crate::router) on `listener`, every
/// connection through a TLS handshake with `config`, until `shutdown` resolves.
///
/// # Errors
///
/// The listener's address cannot be read.
pub async fn serve_tls<F>(
    listener: TcpListener,
    config: Arc<ServerConfig>,
    state: AppState,
    shutdown: F,
) -> io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    axum::serve(TlsListener::new(listener, config)?, crate::router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-12-04T00:00:00Z".parse().unwrap()
    }

    #[test]
    fn the_ca_pem_is_one_certificate_and_the_leaf_differs_from_it() {
        let identity = TlsIdentity::generate(&LeafOptions::default(), now()).unwrap();
        assert!(identity.ca_pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert_eq!(identity.ca_pem.matches("BEGIN CERTIFICATE").count(), 1);
        assert_eq!(
            identity.server_config.alpn_protocols,
            [b"http/1.1".to_vec()]
        );
        let again = TlsIdentity::generate(&LeafOptions::default(), now()).unwrap();
        assert_ne!(identity.ca_pem, again.ca_pem, "a new CA on every start");
        assert_ne!(identity.leaf_der, again.leaf_der);
    }

    #[test]
    fn an_invalid_host_name_is_an_error_naming_it() {
        let leaf = LeafOptions {
            hosts: vec!["bäd.example".to_owned()],
            expired: false,
        };
        let error = TlsIdentity::generate(&leaf, now()).unwrap_err();
        assert!(error.to_string().contains("bäd.example"), "{error}");
    }
}
