//! The real binary with `--tls`: the READY line says `https://`, the CA written by
//! `--tls-ca-out` is the only thing a client needs to trust it, on both names the leaf is for,
//! and each test knob produces exactly the certificate failure it is named after.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{
    CertificateError, ClientConfig, ClientConnection, Error, RootCertStore, StreamOwned,
};

use crate::common::Server;

/// Starts `sso-emulator --tls --tls-ca-out DIR/ca.pem EXTRA…`; returns it and the CA file.
fn start(dir: &Path, extra: &[&str]) -> (Server, std::path::PathBuf) {
    let ca = dir.join("ca.pem");
    let mut args = vec!["--tls", "--tls-ca-out", ca.to_str().unwrap()];
    args.extend_from_slice(extra);
    (Server::start(&args), ca)
}

/// One `GET path` over TLS to 127.0.0.1:`port` as `name`, trusting only `ca` (none: nothing).
/// Returns the raw response, or the rustls error of the handshake.
fn get(port: u16, name: &str, ca: Option<&Path>, path: &str) -> Result<String, Error> {
    let mut roots = RootCertStore::empty();
    if let Some(ca) = ca {
        let pem = std::fs::read(ca).unwrap();
        roots
            .add(CertificateDer::from_pem_slice(&pem).unwrap())
            .unwrap();
    }
    let config = ClientConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let server_name = ServerName::try_from(name.to_owned()).unwrap();
    let connection = ClientConnection::new(Arc::new(config), server_name).unwrap();
    let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut tls = StreamOwned::new(connection, tcp);
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {name}:{port}\r\nConnection: close\r\n\r\n");
    let mut response = String::new();
    let outcome = tls
        .write_all(request.as_bytes())
        .and_then(|()| tls.read_to_string(&mut response));
    match outcome {
        Ok(_) => Ok(response),
        Err(io) => Err(io
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<Error>())
            .unwrap_or_else(|| panic!("not a TLS error: {io}"))
            .clone()),
    }
}

#[test]
fn https_with_the_written_ca_on_both_names() {
    let dir = tempfile::tempdir().unwrap();
    let (server, ca) = start(dir.path(), &[]);
    assert_eq!(server.origin, format!("https://127.0.0.1:{}", server.port));
    let pem = std::fs::read_to_string(&ca).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");

    for name in ["127.0.0.1", "localhost"] {
        let response = get(server.port, name, Some(&ca), "/assignment/accounts").unwrap();
        assert!(response.starts_with("HTTP/1.1 401 "), "{name}: {response}");
        assert!(
            response.ends_with(r#"{"message":"Session token not found or invalid"}"#),
            "{name}: {response}"
        );
    }
    // The browser pages too.
    let page = get(server.port, "127.0.0.1", Some(&ca), "/device").unwrap();
    assert!(page.starts_with("HTTP/1.1 200 "), "{page}");
    assert!(page.contains("<form"), "{page}");
    // Cookies over HTTPS are `Secure`, as the real portal's are (and not over HTTP: `pages`).
    let cookie = page
        .lines()
        .find(|line| line.to_ascii_lowercase().starts_with("set-cookie:"))
        .unwrap_or_else(|| panic!("no Set-Cookie: {page}"));
    assert!(
        cookie
            .trim_end()
            .ends_with("; HttpOnly; SameSite=Lax; Secure"),
        "{cookie}"
    );

    let (code, rest) = server.terminate();
    assert_eq!(
        (code, rest.as_str()),
        (Some(0), ""),
        "clean exit, one stdout line"
    );
}

#[test]
fn each_certificate_problem_is_the_one_its_knob_names() {
    let dir = tempfile::tempdir().unwrap();

    // Untrusted: a client without the CA.
    let (server, _) = start(dir.path(), &[]);
    let error = get(server.port, "127.0.0.1", None, "/").unwrap_err();
    assert_eq!(
        error,
        Error::InvalidCertificate(CertificateError::UnknownIssuer)
    );
    drop(server);

    // Wrong host name: the leaf is for another name only.
    let (server, ca) = start(dir.path(), &["--tls-leaf-host", "wrong.example"]);
    let error = get(server.port, "127.0.0.1", Some(&ca), "/").unwrap_err();
    assert!(
        matches!(
            error,
            Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
            )
        ),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("wrong.example"),
        "names what the leaf is for: {error}"
    );
    // ... and it is a good certificate for that name.
    let response = get(server.port, "wrong.example", Some(&ca), "/device").unwrap();
    assert!(response.starts_with("HTTP/1.1 200 "), "{response}");
    drop(server);

    // Expired leaf (the CA is fine).
    let (server, ca) = start(dir.path(), &["--tls-leaf-expired"]);
    let error = get(server.port, "127.0.0.1", Some(&ca), "/").unwrap_err();
    assert!(
        matches!(
            error,
            Error::InvalidCertificate(
                CertificateError::Expired | CertificateError::ExpiredContext { .. }
            )
        ),
        "{error:?}"
    );
}

#[test]
fn tls_knobs_without_tls_are_usage_errors() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_sso-emulator"))
        .arg("--tls-leaf-expired")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("--tls"), "{stderr}");
}
