//! [`ExitClass`]: how a failure maps onto the AWS CLI v2 return codes.
//!
//! Library error types expose `exit_class()` (and, where the AWS CLI prints one, an
//! `aws_code()` such as `Configuration` or `NoRegion`), so the binary can render every error in
//! one place without knowing each crate's variants. Codes follow the AWS CLI v2 documented
//! return codes (spec cli-behavior §6.5).

/// The class of a failure, which decides the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitClass {
    /// Bad command-line usage or parameter validation: exit 252.
    Usage,
    /// Invalid environment or configuration (ConfigurationError, NoRegion): exit 253.
    Configuration,
    /// The service answered with an error (botocore ClientError): exit 254.
    Service,
    /// Anything else (token errors, network errors, missing profile, parse errors): exit 255.
    General,
}

impl ExitClass {
    /// The process exit code of this class.
    pub const fn code(self) -> u8 {
        match self {
            Self::Usage => 252,
            Self::Configuration => 253,
            Self::Service => 254,
            Self::General => 255,
        }
    }
}
