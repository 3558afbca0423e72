//! Shared vocabulary and the seams every side effect goes through.
//!
//! This crate owns what all other aws-sso crates use: [`Secret`] (a value that must never be
//! printed, zeroed on drop), [`Clock`] (the only way to ask for "now"), [`Sleeper`] (the only
//! way to wait, read a monotonic clock or roll dice for jitter), [`Terminal`] (the only way a
//! library talks to the user), [`Env`] (one snapshot of the process environment, taken in
//! `main`), [`ExitClass`], the choices a user makes ([`OutputFormat`], [`ErrorFormat`],
//! [`RetryMode`]: one definition each, shared by config, client and output) and [`python`]
//! (how CPython spells a decoded JSON value, which every byte the AWS CLI prints or stores
//! follows). The real implementations of the clock and the sleeper are the only code in the
//! workspace allowed to read the system clock or sleep (`clippy.toml`), so every library above
//! this crate can be tested with a fixed clock, a recording sleeper, a scripted terminal and a
//! hand-built environment.
#![warn(missing_docs)]

pub mod clock;
pub mod env;
pub mod exit;
pub mod format;
pub mod python;
pub mod retry;
pub mod secret;
pub mod sleep;
pub mod terminal;

pub use clock::{Clock, FixedClock, SystemClock};
pub use env::Env;
pub use exit::ExitClass;
pub use format::{ErrorFormat, OutputFormat};
pub use retry::RetryMode;
pub use secret::Secret;
pub use sleep::{Sleeper, SystemSleeper};
pub use terminal::Terminal;
