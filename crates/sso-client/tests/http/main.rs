//! Integration tests of `sso-client` against a scripted HTTP server on 127.0.0.1: exact
//! requests, error decoding, retries and transport failures. No test sleeps for real: retry
//! backoff goes through a recording [`Sleeper`].
#![expect(
    clippy::disallowed_methods,
    reason = "a test harness that drives real processes and servers in real time"
)]

mod errors;
mod requests;
mod retries;
mod server;
mod transport;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sso_client::{
    ClientConfig, OidcClient, PortalClient, RetryMode, RetryPolicy, Sleeper, TransportOptions,
    UreqTransport,
};
use sso_core::Secret;

/// A [`Sleeper`] that records the delays, advances a virtual clock instead of sleeping, and
/// always rolls the same jitter.
pub(crate) struct RecordingSleeper {
    sleeps: Mutex<Vec<Duration>>,
    clock: Mutex<Duration>,
    random: f64,
}

impl RecordingSleeper {
    pub(crate) fn new(random: f64) -> Arc<Self> {
        Arc::new(Self {
            sleeps: Mutex::new(Vec::new()),
            clock: Mutex::new(Duration::from_secs(1000)),
            random,
        })
    }

    pub(crate) fn sleeps(&self) -> Vec<Duration> {
        self.sleeps.lock().unwrap().clone()
    }
}

impl Sleeper for RecordingSleeper {
    fn sleep(&self, duration: Duration) {
        self.sleeps.lock().unwrap().push(duration);
        *self.clock.lock().unwrap() += duration;
    }

    fn now(&self) -> Duration {
        *self.clock.lock().unwrap()
    }

    fn random(&self) -> f64 {
        self.random
    }
}

pub(crate) fn transport() -> Arc<UreqTransport> {
    Arc::new(UreqTransport::new(&TransportOptions::default()))
}

pub(crate) fn config(
    sleeper: &Arc<RecordingSleeper>,
    mode: RetryMode,
    max_attempts: u32,
) -> ClientConfig {
    ClientConfig::new(transport(), Arc::clone(sleeper) as Arc<dyn Sleeper>)
        .with_retry(RetryPolicy { mode, max_attempts })
}

pub(crate) fn portal(endpoint: &str, sleeper: &Arc<RecordingSleeper>) -> PortalClient {
    PortalClient::new(
        endpoint,
        "us-east-1",
        config(sleeper, RetryMode::Standard, 3),
    )
}

pub(crate) fn oidc(endpoint: &str, sleeper: &Arc<RecordingSleeper>) -> OidcClient {
    OidcClient::new(
        endpoint,
        "us-east-1",
        config(sleeper, RetryMode::Standard, 3),
    )
}

pub(crate) fn token(value: &str) -> Secret<String> {
    Secret::new(value.to_owned())
}

/// The User-Agent our clients send in standard mode.
pub(crate) fn user_agent() -> String {
    ClientConfig::new(transport(), RecordingSleeper::new(0.5) as Arc<dyn Sleeper>).user_agent()
}

/// Asserts the request head line by line. In `expected`, `{host}` stands for the server's
/// `127.0.0.1:<port>`, `{ua}` for our User-Agent and `{id}` for the invocation ID, which must be
/// a UUID4 and is returned.
pub(crate) fn assert_head(recorded: &server::Recorded, host: &str, expected: &[&str]) -> String {
    let id = recorded
        .header("amz-sdk-invocation-id")
        .expect("amz-sdk-invocation-id header")
        .to_owned();
    let groups: Vec<usize> = id.split('-').map(str::len).collect();
    assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
    assert_eq!(&id[14..15], "4", "{id}");
    let ua = user_agent();
    let expected: Vec<String> = expected
        .iter()
        .map(|line| {
            line.replace("{host}", host)
                .replace("{ua}", &ua)
                .replace("{id}", &id)
        })
        .collect();
    assert_eq!(recorded.lines, expected);
    id
}
