//! Component tests of `sso-auth`: every login and token branch on a scripted transport, a fixed
//! clock, a recording sleeper and a recording terminal. Nothing here opens a socket (but the
//! loopback receiver's own tests in `callback`), and nothing really waits.

mod device;
mod enumerate;
mod pkce;
mod refresh;
mod registration;
mod role;
mod support;
