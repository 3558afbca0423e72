//! The output and error formats a user picks (`--output`, `--cli-error-format`), defined once:
//! the config resolves them, the renderers consume them, the binary prints errors with them.

use std::fmt;

/// An `--output` format (`--output`, `AWS_DEFAULT_OUTPUT`, profile `output`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum OutputFormat {
    /// `json` (the default): `json.dumps(indent=4, ensure_ascii=False)` plus a newline.
    #[default]
    Json,
    /// `text`: tab-separated, rendered page by page.
    Text,
    /// `table`: boxed sections titled with the operation name.
    Table,
    /// `yaml` (v2): one YAML document for the aggregated result.
    Yaml,
    /// `yaml-stream` (v2): one YAML list item per page.
    YamlStream,
    /// `off` (v2 ≥ 2.34): nothing on stdout.
    Off,
}

impl OutputFormat {
    /// Every format, in the order AWS CLI v2 documents them.
    pub const ALL: [Self; 6] = [
        Self::Json,
        Self::Text,
        Self::Table,
        Self::Yaml,
        Self::YamlStream,
        Self::Off,
    ];

    /// The name as written in flags and `~/.aws/config`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Text => "text",
            Self::Table => "table",
            Self::Yaml => "yaml",
            Self::YamlStream => "yaml-stream",
            Self::Off => "off",
        }
    }

    /// Parses a name; names are case-sensitive, as in the AWS CLI.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|format| format.as_str() == name)
    }
}

impl fmt::Display for OutputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `--cli-error-format` (`AWS_CLI_ERROR_FORMAT`, profile `cli_error_format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ErrorFormat {
    /// `legacy`: the bare message, as AWS CLI v1 and v2 before 2.34 print it.
    Legacy,
    /// `json`: a `{"Code", "Message"}` document.
    Json,
    /// `yaml`: the same document in YAML.
    Yaml,
    /// `text`: the same document as text.
    Text,
    /// `table`: the same document as a table titled `Error`.
    Table,
    /// `enhanced` (the default since AWS CLI 2.34): `aws: [ERROR]: MESSAGE`.
    #[default]
    Enhanced,
}

impl ErrorFormat {
    /// Every format, in the order AWS CLI v2 lists them.
    pub const ALL: [Self; 6] = [
        Self::Legacy,
        Self::Json,
        Self::Yaml,
        Self::Text,
        Self::Table,
        Self::Enhanced,
    ];

    /// The name as written in flags and `~/.aws/config`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Legacy => "legacy",
            Self::Json => "json",
            Self::Yaml => "yaml",
            Self::Text => "text",
            Self::Table => "table",
            Self::Enhanced => "enhanced",
        }
    }

    /// Parses a name (case-sensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|format| format.as_str() == name)
    }
}

impl fmt::Display for ErrorFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_case_sensitive() {
        for format in OutputFormat::ALL {
            assert_eq!(OutputFormat::from_name(format.as_str()), Some(format));
        }
        for format in ErrorFormat::ALL {
            assert_eq!(ErrorFormat::from_name(format.as_str()), Some(format));
        }
        assert_eq!(OutputFormat::from_name("JSON"), None);
        assert_eq!(ErrorFormat::from_name("Enhanced"), None);
        assert_eq!(OutputFormat::default(), OutputFormat::Json);
        assert_eq!(ErrorFormat::default(), ErrorFormat::Enhanced);
    }
}
