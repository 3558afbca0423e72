//! The ureq transport: keep-alive, timeouts, closed connections, body cap, proxies, TLS.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use sso_client::{
    ClientConfig, ClientError, HttpRequest, Method, PortalClient, Proxies, RetryMode, RetryPolicy,
    Sleeper, Transport, TransportError, TransportOptions, UreqTransport,
};
use sso_core::{Env, ExitClass};

use crate::server::{Reply, Server, json};
use crate::{RecordingSleeper, token};

fn tls_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/tls"))
}

/// A portal client with one attempt and these transport options.
fn portal_with(endpoint: &str, options: &TransportOptions) -> PortalClient {
    let config = ClientConfig::new(
        Arc::new(UreqTransport::new(options)),
        RecordingSleeper::new(0.5) as Arc<dyn Sleeper>,
    )
    .with_retry(RetryPolicy {
        mode: RetryMode::Standard,
        max_attempts: 1,
    });
    PortalClient::new(endpoint, "us-east-1", config)
}

fn transport_error(error: ClientError) -> TransportError {
    assert_eq!(error.exit_class(), ExitClass::General);
    match error {
        ClientError::Transport(error) => error,
        other => panic!("not a transport error: {other:?}"),
    }
}

#[test]
fn connections_are_kept_alive_across_calls() {
    let server = Server::start(vec![json(200, "{}")]);
    let portal = portal_with(&server.url(), &TransportOptions::default());
    for _ in 0..3 {
        portal.list_accounts(&token("t"), None, None).unwrap();
    }
    portal.logout(&token("t")).unwrap();
    assert_eq!(server.requests().len(), 4);
    assert_eq!(server.connections(), 1);
    assert!(server.requests().iter().all(|r| r.connection == 0));
}

#[test]
fn read_timeout_message() {
    let server = Server::start(vec![Reply::Hang]);
    let options = TransportOptions {
        read_timeout: Some(Duration::from_millis(200)),
        ..TransportOptions::default()
    };
    let error = portal_with(&server.url(), &options)
        .list_accounts(&token("t"), None, Some(5))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "Read timeout on endpoint URL: \"{}/assignment/accounts?max_result=5\"",
            server.url()
        )
    );
    assert!(matches!(
        transport_error(error),
        TransportError::ReadTimeout { .. }
    ));
}

#[test]
fn connection_closed_without_response() {
    let server = Server::start(vec![Reply::Close]);
    let error = portal_with(&server.url(), &TransportOptions::default())
        .logout(&token("t"))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "Connection was closed before we received a valid response from endpoint URL: \"{}/logout\".",
            server.url()
        )
    );
}

#[test]
fn non_2xx_statuses_are_responses_not_errors() {
    let server = Server::start(vec![json(418, "teapot").header("X-Extra", "1")]);
    let transport = UreqTransport::new(&TransportOptions::default());
    let response = transport
        .send(HttpRequest {
            method: Method::Get,
            url: format!("{}/x", server.url()),
            headers: vec![],
            body: None,
        })
        .unwrap();
    assert_eq!(response.status, 418);
    assert_eq!(response.body, b"teapot");
    assert_eq!(response.header("x-extra"), Some("1"));
    assert_eq!(transport.read_timeout(), Some(Duration::from_secs(60)));
}

#[test]
fn oversized_bodies_are_refused() {
    let big = vec![b'x'; usize::try_from(sso_client::MAX_BODY_BYTES).unwrap() + 1];
    let server = Server::start(vec![Reply::Respond {
        status: 200,
        headers: vec![],
        body: big,
    }]);
    let error = portal_with(&server.url(), &TransportOptions::default())
        .list_accounts(&token("t"), None, None)
        .unwrap_err();
    assert_eq!(
        transport_error(error),
        TransportError::Other {
            url: format!("{}/assignment/accounts", server.url()),
            detail: "the response body is larger than 10485760 bytes".to_owned(),
        }
    );
}

#[test]
fn invalid_endpoint() {
    let error = portal_with(
        "portal.sso.us-east-1.amazonaws.com",
        &TransportOptions::default(),
    )
    .list_accounts(&token("t"), None, None)
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "Invalid endpoint: portal.sso.us-east-1.amazonaws.com/assignment/accounts"
    );
}

#[test]
fn http_proxy_from_the_environment_is_used_via_connect() {
    let proxy = Server::start(vec![json(200, r#"{"accountList":[]}"#)]);
    let env = Env::from_pairs([("HTTP_PROXY", proxy.url())]);
    let options = TransportOptions {
        proxies: Proxies::from_env(&env),
        ..TransportOptions::default()
    };
    portal_with("http://portal.example.invalid:4242", &options)
        .list_accounts(&token("t"), None, None)
        .unwrap();
    let requests = proxy.requests();
    assert_eq!(
        requests[0].lines[0],
        "CONNECT portal.example.invalid:4242 HTTP/1.1"
    );
    assert_eq!(requests[1].lines[0], "GET /assignment/accounts HTTP/1.1");
    assert_eq!(
        requests[1].header("Host"),
        Some("portal.example.invalid:4242")
    );
}

#[test]
fn no_proxy_bypasses_and_unreachable_proxy_is_reported_masked() {
    let server = Server::start(vec![json(200, "{}")]);
    let dead_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let dead_proxy = format!("http://user:pw@127.0.0.1:{dead_port}");
    let env = Env::from_pairs([
        ("HTTP_PROXY", dead_proxy.as_str()),
        ("NO_PROXY", "localhost,127.0.0.1"),
    ]);
    let options = TransportOptions {
        proxies: Proxies::from_env(&env),
        ..TransportOptions::default()
    };
    // 127.0.0.1 is in NO_PROXY: direct connection, no CONNECT.
    portal_with(&server.url(), &options)
        .list_accounts(&token("t"), None, None)
        .unwrap();
    assert_eq!(
        server.requests()[0].lines[0],
        "GET /assignment/accounts HTTP/1.1"
    );

    let error = portal_with("http://portal.example.invalid", &options)
        .list_accounts(&token("t"), None, None)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("Failed to connect to proxy URL: \"http://***:***@127.0.0.1:{dead_port}\"")
    );
}

#[test]
fn ca_bundle_is_not_read_for_plain_http() {
    let server = Server::start(vec![json(200, "{}")]);
    let options = TransportOptions {
        ca_bundle: Some(PathBuf::from("/nonexistent/bundle.pem")),
        ..TransportOptions::default()
    };
    portal_with(&server.url(), &options)
        .list_accounts(&token("t"), None, None)
        .unwrap();
}

#[test]
fn https_with_ca_bundle() {
    let server = Server::start_tls(vec![json(200, r#"{"accountList":[{"accountId":"1"}]}"#)]);
    let options = TransportOptions {
        ca_bundle: Some(tls_dir().join("ca.pem")),
        ..TransportOptions::default()
    };
    let page = portal_with(&server.url(), &options)
        .list_accounts(&token("t"), None, None)
        .unwrap();
    assert_eq!(
        page.account_list.unwrap()[0].account_id.as_deref(),
        Some("1")
    );
    assert_eq!(
        server.requests()[0].header("Host"),
        Some(server.host().as_str())
    );
}

#[test]
fn https_untrusted_certificate_is_an_ssl_error() {
    let server = Server::start_tls(vec![json(200, "{}")]);
    // The compiled-in Mozilla roots do not know our test CA.
    let error = portal_with(&server.url(), &TransportOptions::default())
        .list_accounts(&token("t"), None, None)
        .unwrap_err();
    let message = error.to_string();
    let prefix = format!(
        "SSL validation failed for {}/assignment/accounts ",
        server.url()
    );
    assert!(message.starts_with(&prefix), "{message}");
    assert_eq!(
        message.strip_prefix(&prefix),
        Some(
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local \
             issuer certificate (it is not signed by a trusted CA)"
        ),
        "{message}"
    );
    assert!(matches!(transport_error(error), TransportError::Ssl { .. }));
    assert!(server.requests().is_empty());
}

#[test]
fn https_without_verification() {
    let server = Server::start_tls(vec![json(200, "{}")]);
    let options = TransportOptions {
        verify_ssl: false,
        ..TransportOptions::default()
    };
    portal_with(&server.url(), &options)
        .list_accounts(&token("t"), None, None)
        .unwrap();
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn unusable_ca_bundles_name_the_file() {
    let server = Server::start_tls(vec![json(200, "{}")]);
    let missing = tls_dir().join("missing.pem");
    let not_pem = tls_dir().join("leaf.key");
    let cases = [
        (
            missing.clone(),
            format!(
                "SSL validation failed for {}/logout could not load the CA bundle {}: No such file or directory (os error 2)",
                server.url(),
                missing.display()
            ),
        ),
        (
            not_pem.clone(),
            format!(
                "SSL validation failed for {}/logout could not load the CA bundle {}: no PEM certificate found in the file",
                server.url(),
                not_pem.display()
            ),
        ),
    ];
    for (path, want) in cases {
        let options = TransportOptions {
            ca_bundle: Some(path),
            ..TransportOptions::default()
        };
        let error = portal_with(&server.url(), &options)
            .logout(&token("t"))
            .unwrap_err();
        assert_eq!(error.to_string(), want);
    }
}

#[test]
fn a_token_with_a_line_break_is_refused_before_sending_and_not_retried() {
    let server = Server::start(vec![json(200, "{}")]);
    let sleeper = RecordingSleeper::new(0.5);
    let client = PortalClient::new(
        server.url(),
        "us-east-1",
        crate::config(&sleeper, RetryMode::Standard, 3),
    );
    let error = client
        .list_accounts(&token("aoa-secret\r\nX-Injected: 1"), None, None)
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with(&format!(
            "Invalid request to \"{}/assignment/accounts\": ",
            server.url()
        )),
        "{message}"
    );
    assert!(!message.contains("aoa-secret"), "{message}");
    assert!(matches!(
        transport_error(error),
        TransportError::InvalidRequest { .. }
    ));
    assert!(server.requests().is_empty());
    assert!(sleeper.sleeps().is_empty());
}

#[test]
fn clients_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<PortalClient>();
    assert_send_sync::<sso_client::OidcClient>();
    assert_send_sync::<UreqTransport>();
}
