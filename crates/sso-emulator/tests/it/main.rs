//! Integration tests of the emulator: one test binary (STYLE.md §8), one module per area.
//! Most tests drive the router in process on a fixed clock; `binary` runs the real executable
//! over loopback (READY line, signals, `--state` restarts, load and rate limits), and `tls`
//! the same binary with `--tls`.
#![expect(
    clippy::disallowed_methods,
    reason = "a test harness that drives real processes and servers in real time"
)]

mod binary;
mod common;
mod control;
mod device;
mod faults;
mod federation;
mod pages;
mod pkce;
mod portal;
mod refresh;
mod register;
mod tls;
