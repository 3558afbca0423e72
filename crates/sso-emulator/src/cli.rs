//! The `sso-emulator` command line: options (clap derive; `--help` documents each one), the
//! startup sequence and shutdown.
//!
//! Startup: load the directory, bind the listener, with `--tls` make the certificates (and
//! write the CA for `--tls-ca-out`), open the state, then print exactly one line,
//! `READY http://127.0.0.1:PORT` (`https://` with `--tls`), on stdout and flush it — test
//! harnesses wait for that line, so nothing else is ever written to stdout (logs go to stderr).
//! SIGINT or SIGTERM stops accepting, lets in-flight requests finish for up to 5 s, and exits 0.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use sso_core::{Clock, SystemClock};

use crate::config::{Config, Lifetimes, OperationErrorRate, RateLimit};
use crate::directory::{Directory, DirectoryError};
use crate::state::{AppState, EmulatorError};
use crate::tls::{LeafOptions, TlsError, TlsIdentity, serve_tls};

const AFTER_HELP: &str = "\
Built-in directory (used without --directory):
  start URL https://d-0000000000.awsapps.com/start, region us-east-1
  user `demo`, password `demo-password`: six accounts (111111111111 dev, 222222222222 prod, ...)
  user `alice`, password `alice-password`: ReadOnly in 111111111111 and 222222222222 only

Point clients at the one origin the READY line prints, for both services:
  AWS_ENDPOINT_URL_SSO=http://127.0.0.1:PORT AWS_ENDPOINT_URL_SSO_OIDC=http://127.0.0.1:PORT
With --tls it is https://127.0.0.1:PORT; trust it with AWS_CA_BUNDLE=FILE (of --tls-ca-out).
Browser pages: /authorize (PKCE) and /device (device code). Control routes (with
--enable-control): /_emulator/... — see crates/sso-emulator/README.md.";

/// A local IAM Identity Center (SSO portal + SSO OIDC APIs and sign-in pages) for tests.
///
/// Prints `READY http://127.0.0.1:PORT` (`https://…` with --tls) on stdout once it accepts
/// connections; logs go to stderr. Stops cleanly on SIGINT or SIGTERM.
#[derive(Debug, Parser)]
#[command(name = "sso-emulator", version, after_help = AFTER_HELP)]
pub struct Cli {
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub host: IpAddr,

    /// Port to listen on; 0 picks a free port (the READY line says which).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub port: u16,

    /// Directory TOML file with users (and passwords), accounts and role assignments.
    /// Default: the built-in directory, where user `demo` has password `demo-password` and
    /// user `alice` has password `alice-password`.
    #[arg(long, value_name = "FILE.toml")]
    pub directory: Option<PathBuf>,

    /// Add a synthetic organisation of N accounts (IDs 500000000001...), each with
    /// --synthetic-roles roles, assigned to every user, after the directory's own accounts.
    #[arg(long, value_name = "N")]
    pub synthetic_accounts: Option<u32>,

    /// Roles per synthetic account (AdministratorAccess, ReadOnly, PowerUserAccess, Billing,
    /// then SyntheticRole05...).
    #[arg(long, value_name = "K", default_value_t = 2)]
    pub synthetic_roles: u32,

    /// redb database file that keeps clients, codes, sessions and tokens across restarts.
    /// Default: in memory, gone when the emulator stops.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// Lifetime of access tokens that come with a refresh token, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 3600)]
    pub access_token_ttl: i64,

    /// Lifetime of legacy access tokens (registrations without scopes get no refresh token),
    /// in seconds; capped by the remaining portal session.
    #[arg(long, value_name = "SECS", default_value_t = 28_800)]
    pub legacy_token_ttl: i64,

    /// Portal sign-in session lifetime, in seconds; refresh tokens work until it ends.
    #[arg(long, value_name = "SECS", default_value_t = 28_800)]
    pub session_ttl: i64,

    /// Client registration lifetime, in seconds (90 days).
    #[arg(long, value_name = "SECS", default_value_t = 7_776_000)]
    pub registration_ttl: i64,

    /// Device code lifetime, in seconds; polls after it get ExpiredTokenException.
    #[arg(long, value_name = "SECS", default_value_t = 600)]
    pub device_code_ttl: i64,

    /// Minimum seconds between device code polls; faster polls get SlowDownException.
    #[arg(long, value_name = "SECS", default_value_t = 1)]
    pub device_poll_interval: i64,

    /// Authorization code lifetime, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub auth_code_ttl: i64,

    /// Lifetime of role credentials from GetRoleCredentials, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 3600)]
    pub role_credentials_ttl: i64,

    /// Page size of ListAccounts / ListAccountRoles when the client sends no max_result
    /// (1..=100).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub page_size: u32,

    /// Latency added before every API response, in milliseconds.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub latency_ms: u64,

    /// Token-bucket rate limit, repeatable. FAMILY is `portal` (over limit: 429
    /// TooManyRequestsException) or `oidc` (400 SlowDownException); RATE is requests per
    /// second; BURST defaults to max(1, RATE). Example: --rate-limit portal=50:10
    #[arg(long, value_name = "FAMILY=RATE[:BURST]")]
    pub rate_limit: Vec<RateLimit>,

    /// Fraction (0..1) of API requests answered with a 500 (portal: {"message":"Internal
    /// failure"}; OIDC: InternalServerException).
    #[arg(long, value_name = "F", default_value_t = 0.0)]
    pub error_rate: f64,

    /// The fault rate of one operation, replacing --error-rate for it; repeatable. OPERATION
    /// is a model name (ListAccountRoles, CreateToken, ...). Example:
    /// --operation-error-rate ListAccountRoles=1
    #[arg(long, value_name = "OPERATION=F")]
    pub operation_error_rate: Vec<OperationErrorRate>,

    /// Seed for fault-injection randomness (default: random). Never used for tokens.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// Approve every device code and /authorize request as USER, without a browser.
    #[arg(long, value_name = "USER")]
    pub auto_approve: Option<String>,

    /// Serve the /_emulator/ control routes (approve/deny devices, advance the clock, revoke
    /// sessions, read captured requests). Off by default: 404.
    #[arg(long)]
    pub enable_control: bool,

    /// Log level on stderr: error, warn, info, debug (one line per API request) or trace.
    #[arg(long, value_name = "LEVEL", default_value = "info")]
    pub log_level: tracing::Level,

    /// Serve HTTPS instead of HTTP (the READY line then says `https://`): a new CA and a leaf
    /// certificate for 127.0.0.1 and localhost are made at start, never stored or reused.
    /// Clients trust it through the CA written by --tls-ca-out.
    #[arg(long)]
    pub tls: bool,

    /// Write the CA certificate (PEM) of --tls to FILE before the READY line, for
    /// `AWS_CA_BUNDLE`, `--ca-bundle`, `ca_bundle` or a browser's trust store.
    #[arg(long, value_name = "FILE", requires = "tls")]
    pub tls_ca_out: Option<PathBuf>,

    /// Test knob: make the leaf certificate for NAME (a DNS name or an IP address) instead of
    /// 127.0.0.1 and localhost; repeatable. Clients reaching 127.0.0.1 then fail host-name
    /// verification.
    #[arg(long, value_name = "NAME", requires = "tls")]
    pub tls_leaf_host: Vec<String>,

    /// Test knob: make the leaf certificate already expired (valid from 30 days ago until
    /// yesterday); the CA itself stays valid, so clients fail on the leaf's expiry only.
    #[arg(long, requires = "tls")]
    pub tls_leaf_expired: bool,
}

impl Cli {
    /// The library configuration these options describe; `base_url` is the origin clients use.
    pub fn config(&self, base_url: Option<String>) -> Config {
        Config {
            lifetimes: Lifetimes {
                access_token: self.access_token_ttl,
                legacy_token: self.legacy_token_ttl,
                session: self.session_ttl,
                registration: self.registration_ttl,
                device_code: self.device_code_ttl,
                device_poll_interval: self.device_poll_interval,
                auth_code: self.auth_code_ttl,
                role_credentials: self.role_credentials_ttl,
            },
            page_size: self.page_size,
            latency: Duration::from_millis(self.latency_ms),
            rate_limits: self.rate_limit.clone(),
            error_rate: self.error_rate,
            operation_error_rates: self.operation_error_rate.clone(),
            seed: self.seed,
            auto_approve: self.auto_approve.clone(),
            enable_control: self.enable_control,
            base_url,
            state_file: self.state.clone(),
        }
    }

    /// The directory these options describe.
    ///
    /// # Errors
    ///
    /// A directory file that cannot be read, parsed or validated.
    pub fn directory(&self) -> Result<Directory, DirectoryError> {
        let mut directory = match &self.directory {
            Some(path) => Directory::load(path)?,
            None => Directory::builtin(),
        };
        if let Some(accounts) = self.synthetic_accounts {
            directory.add_synthetic(accounts, self.synthetic_roles)?;
        }
        Ok(directory)
    }

    /// The leaf certificate `--tls` should make.
    pub fn leaf_options(&self) -> LeafOptions {
        let mut leaf = LeafOptions {
            expired: self.tls_leaf_expired,
            ..LeafOptions::default()
        };
        if !self.tls_leaf_host.is_empty() {
            leaf.hosts.clone_from(&self.tls_leaf_host);
        } else if !self.host.is_unspecified() && !self.host.is_loopback() {
            // Listening on one outside address: clients reach it by that address.
            leaf.hosts.push(self.host.to_string());
        }
        leaf
    }
}

/// Why the emulator could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    #[error(transparent)]
    Emulator(#[from] EmulatorError),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("cannot {action}: {source}")]
    Io {
        action: String,
        source: std::io::Error,
    },
}

/// The binary's entry point: parse, run, map the outcome to an exit code (0 after a signal,
/// 1 on a startup or server error, 2 on a usage error).
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(cli.log_level)
        .with_ansi(false)
        .with_target(false)
        .init();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "sso-emulator: error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The origin clients should use (`scheme` is `http` or `https`): a wildcard bind address is
/// reached through loopback.
fn origin(scheme: &str, address: SocketAddr) -> String {
    match address.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            format!("{scheme}://{}:{}", Ipv4Addr::LOCALHOST, address.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            format!("{scheme}://[{}]:{}", Ipv6Addr::LOCALHOST, address.port())
        }
        IpAddr::V4(ip) => format!("{scheme}://{ip}:{}", address.port()),
        IpAddr::V6(ip) => format!("{scheme}://[{ip}]:{}", address.port()),
    }
}

fn run(cli: &Cli) -> Result<(), CliError> {
    let directory = cli.directory()?;
    let io = |action: &str| {
        let action = action.to_owned();
        move |source| CliError::Io { action, source }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(io("start the async runtime"))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind((cli.host, cli.port))
            .await
            .map_err(io(&format!("listen on {}:{}", cli.host, cli.port)))?;
        let address = listener
            .local_addr()
            .map_err(io("read the listening address"))?;
        let tls = if cli.tls {
            let identity = TlsIdentity::generate(&cli.leaf_options(), SystemClock.now())?;
            if let Some(path) = &cli.tls_ca_out {
                std::fs::write(path, &identity.ca_pem)
                    .map_err(io(&format!("write the CA certificate to {}", path.display())))?;
            }
            Some(identity.server_config)
        } else {
            None
        };
        let base_url = origin(if tls.is_some() { "https" } else { "http" }, address);
        let state = AppState::new(cli.config(Some(base_url.clone())), directory)?;
        let shutdown = Shutdown::install().map_err(io("install the signal handlers"))?;
        tracing::info!(
            origin = %base_url,
            start_url = state.directory().start_url(),
            region = state.directory().region(),
            state = cli.state.as_ref().map_or_else(|| "memory".to_owned(), |p| p.display().to_string()),
            control = cli.enable_control,
            tls = cli.tls,
            "sso-emulator ready"
        );
        {
            // The one line on stdout; harnesses wait for it.
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "READY {base_url}");
            let _ = stdout.flush();
        }

        let stop = Arc::new(tokio::sync::Notify::new());
        let stopped = Arc::clone(&stop);
        let until_stopped = async move { stopped.notified().await };
        let mut server: Pin<Box<dyn Future<Output = std::io::Result<()>> + Send>> = match tls {
            Some(config) => Box::pin(serve_tls(listener, config, state, until_stopped)),
            None => Box::pin(crate::serve(listener, state, until_stopped)),
        };
        tokio::select! {
            result = &mut server => result.map_err(io("serve")),
            () = shutdown.wait() => {
                tracing::info!("signal received, shutting down");
                // `notify_one` keeps a permit if the server is not waiting yet.
                stop.notify_one();
                match tokio::time::timeout(Duration::from_secs(5), server).await {
                    Ok(result) => result.map_err(io("serve")),
                    Err(_) => {
                        tracing::warn!("connections still open after 5 s; closing them");
                        Ok(())
                    }
                }
            }
        }
    })
}

/// SIGINT / SIGTERM listeners. Installed before the READY line: a harness may signal as soon
/// as it has read that line, and a signal that arrives before the handler exists would kill the
/// process with the default action instead of exiting 0.
struct Shutdown {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Shutdown {
    fn install() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Self {})
        }
    }

    async fn wait(mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
        #[cfg(not(unix))]
        {
            let _ = &mut self;
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn help_documents_every_option_and_the_demo_password() {
        let help = Cli::command().render_long_help().to_string();
        for option in [
            "--host",
            "--port",
            "--directory",
            "--synthetic-accounts",
            "--synthetic-roles",
            "--state",
            "--access-token-ttl",
            "--legacy-token-ttl",
            "--session-ttl",
            "--registration-ttl",
            "--device-code-ttl",
            "--device-poll-interval",
            "--auth-code-ttl",
            "--role-credentials-ttl",
            "--page-size",
            "--latency-ms",
            "--rate-limit",
            "--error-rate",
            "--seed",
            "--auto-approve",
            "--enable-control",
            "--tls",
            "--tls-ca-out",
            "--tls-leaf-host",
            "--tls-leaf-expired",
        ] {
            assert!(help.contains(option), "--help lacks {option}");
        }
        assert!(help.contains("demo-password"));
        Cli::command().debug_assert();
    }

    #[test]
    fn options_map_to_config() {
        let cli = Cli::try_parse_from([
            "sso-emulator",
            "--port",
            "4321",
            "--rate-limit",
            "portal=50:5",
            "--rate-limit",
            "oidc=2",
            "--access-token-ttl",
            "900",
            "--error-rate",
            "0.25",
            "--seed",
            "7",
            "--auto-approve",
            "demo",
            "--enable-control",
            "--latency-ms",
            "15",
        ])
        .unwrap();
        let config = cli.config(Some("http://127.0.0.1:4321".to_owned()));
        assert_eq!(config.lifetimes.access_token, 900);
        assert_eq!(config.lifetimes.legacy_token, 28_800);
        assert_eq!(config.rate_limits.len(), 2);
        assert_eq!(config.rate_limits[0].burst, 5.0);
        assert_eq!(config.error_rate, 0.25);
        assert_eq!(config.seed, Some(7));
        assert_eq!(config.auto_approve.as_deref(), Some("demo"));
        assert!(config.enable_control);
        assert_eq!(config.latency, Duration::from_millis(15));
        assert!(Cli::try_parse_from(["sso-emulator", "--rate-limit", "sts=1"]).is_err());
    }

    #[test]
    fn tls_knobs_need_tls_and_shape_the_leaf() {
        for knob in [
            &["--tls-ca-out", "ca.pem"][..],
            &["--tls-leaf-host", "example.com"],
            &["--tls-leaf-expired"],
        ] {
            let args = [&["sso-emulator"][..], knob].concat();
            assert!(Cli::try_parse_from(args).is_err(), "{knob:?} without --tls");
        }
        let default = Cli::try_parse_from(["sso-emulator", "--tls"]).unwrap();
        assert_eq!(default.leaf_options(), LeafOptions::default());
        assert_eq!(default.leaf_options().hosts, ["127.0.0.1", "localhost"]);
        let knobs = Cli::try_parse_from([
            "sso-emulator",
            "--tls",
            "--tls-leaf-host",
            "wrong.example",
            "--tls-leaf-host",
            "10.9.8.7",
            "--tls-leaf-expired",
        ])
        .unwrap();
        assert_eq!(
            knobs.leaf_options(),
            LeafOptions {
                hosts: vec!["wrong.example".to_owned(), "10.9.8.7".to_owned()],
                expired: true
            }
        );
        let outside = Cli::try_parse_from(["sso-emulator", "--tls", "--host", "10.1.2.3"]).unwrap();
        assert_eq!(
            outside.leaf_options().hosts,
            ["127.0.0.1", "localhost", "10.1.2.3"]
        );
    }

    #[test]
    fn origin_uses_loopback_for_wildcards() {
        assert_eq!(
            origin("http", "0.0.0.0:80".parse().unwrap()),
            "http://127.0.0.1:80"
        );
        assert_eq!(
            origin("http", "[::]:81".parse().unwrap()),
            "http://[::1]:81"
        );
        assert_eq!(
            origin("http", "127.0.0.1:82".parse().unwrap()),
            "http://127.0.0.1:82"
        );
        assert_eq!(
            origin("https", "127.0.0.1:83".parse().unwrap()),
            "https://127.0.0.1:83"
        );
    }
}
