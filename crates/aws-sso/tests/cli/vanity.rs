//! Vanity start URLs at login (spec cli-behavior §3.3): one HEAD hop to an AWS-owned host.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use sso_testkit::{Emulator, TestContext};

use crate::aws_sso;

const TLS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/tls");

/// An HTTPS server on 127.0.0.1 that answers HEAD with `status` and `Location: location`.
struct Redirector {
    child: Child,
    url: String,
}

impl Redirector {
    fn start(status: u16, location: &str) -> Self {
        let script = format!(
            r#"
import http.server, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_HEAD(self):
        self.send_response({status})
        if {location:?}: self.send_header("Location", {location:?})
        self.end_headers()
    def log_message(self, *args): pass
server = http.server.HTTPServer(("127.0.0.1", 0), H)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain("{TLS}/leaf.pem", "{TLS}/leaf.key")
server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
"#
        );
        let mut child = Command::new("python3")
            .args(["-c", &script])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs the test HTTPS server");
        let mut port = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut port)
            .unwrap();
        Self {
            child,
            url: format!("https://127.0.0.1:{}/start", port.trim()),
        }
    }
}

impl Drop for Redirector {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn setup(vanity_url: &str) -> (Emulator, TestContext) {
    let directory = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/emulator/regional.toml"
    );
    let emulator = Emulator::start(&["--directory", directory, "--auto-approve", "demo"]);
    let mut context = TestContext::new();
    context.config(&format!(
        "# my SSO\n[sso-session corp]\nsso_start_url = {vanity_url}\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n"
    ));
    context
        .env("AWS_ENDPOINT_URL_SSO", emulator.url())
        .env("AWS_ENDPOINT_URL_SSO_OIDC", emulator.url())
        .env("AWS_CA_BUNDLE", &format!("{TLS}/ca.pem"));
    (emulator, context)
}

#[test]
fn a_vanity_url_resolves_and_updates_the_region() {
    let redirector = Redirector::start(
        302,
        "https://ssoins-1111111111111111.portal.eu-west-1.app.aws/",
    );
    let (emulator, context) = setup(&redirector.url);
    let outcome = aws_sso(
        &context,
        &[
            "login",
            "--sso-session",
            "corp",
            "--use-device-code",
            "--no-browser",
        ],
    );
    assert_eq!(outcome.code, 0, "{outcome}");
    assert_eq!(
        outcome.stdout,
        format!(
            "SSO region updated to eu-west-1\nSuccessfully logged into Start URL: {}\n",
            redirector.url
        )
    );
    // The service saw the resolved URL; the config keeps the vanity URL with the new region.
    let requests = emulator.control("GET", "requests", None);
    let start = requests["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["operation"] == "StartDeviceAuthorization")
        .unwrap();
    assert_eq!(
        start["body"]["startUrl"],
        "https://ssoins-1111111111111111.portal.eu-west-1.app.aws"
    );
    assert_eq!(
        context.read(".aws/config").unwrap(),
        format!(
            "# my SSO\n[sso-session corp]\nsso_start_url = {}\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n",
            redirector.url
        )
    );
    // The token keeps the configured start URL and records the region used.
    let token = std::fs::read_dir(context.path(".aws/sso/cache"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .find(|t| t.contains("accessToken"))
        .unwrap();
    assert!(
        token.contains(&format!("\"startUrl\": \"{}\"", redirector.url)),
        "{token}"
    );
    assert!(token.contains("\"region\": \"eu-west-1\""), "{token}");
}

#[test]
fn a_redirect_off_aws_is_refused() {
    let redirector = Redirector::start(302, "https://login.evil.example/start");
    let (_emulator, context) = setup(&redirector.url);
    let outcome = aws_sso(
        &context,
        &[
            "login",
            "--sso-session",
            "corp",
            "--use-device-code",
            "--no-browser",
        ],
    );
    assert_eq!(outcome.code, 253, "{outcome}");
    assert_eq!(
        outcome.stderr,
        format!(
            "\naws: [ERROR]: An error occurred (Configuration): Could not resolve start URL '{}' to an AWS-owned endpoint. Final URL: 'https://login.evil.example/start'\n",
            redirector.url
        )
    );
}

#[test]
fn a_failing_vanity_host_is_a_configuration_error() {
    let redirector = Redirector::start(500, "");
    let (_emulator, context) = setup(&redirector.url);
    let outcome = aws_sso(
        &context,
        &[
            "login",
            "--sso-session",
            "corp",
            "--use-device-code",
            "--no-browser",
        ],
    );
    assert_eq!(outcome.code, 253, "{outcome}");
    assert_eq!(
        outcome.stderr,
        "\naws: [ERROR]: An error occurred (Configuration): Failed to resolve start URL: HTTP 500\n"
    );
}
