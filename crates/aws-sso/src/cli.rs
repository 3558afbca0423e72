//! The command-line surface: every command, parameter and global option of `aws sso` in
//! AWS CLI v2, declared with clap derive.
//!
//! This module only describes arguments and their help; it does no resolution. Global options
//! are `global = true`, so, as with the AWS CLI, they are accepted before or after the
//! command name. Argument errors are not rendered by clap: `lib.rs` turns them into the AWS CLI's
//! usage text and exit code 252 (see `error.rs`).

use clap::{Args, Parser, Subcommand, ValueEnum};

const ABOUT: &str = "A fast, drop-in replacement for the AWS CLI v2 `aws sso` commands";

const LONG_ABOUT: &str = "\
A fast, drop-in replacement for the AWS CLI v2 `aws sso` commands.

aws-sso signs you in to AWS IAM Identity Center (formerly AWS SSO) and turns your sign-in into \
account lists and role credentials. It reads the same ~/.aws/config (profiles and [sso-session] \
sections) and shares the same token, client-registration and role-credential caches as the AWS \
CLI, boto3 and the AWS SDKs, so every tool on your machine keeps working beside it. Output \
(--output, --query), error lines and exit codes match the AWS CLI.

Unlike `aws sso`, the list and credential commands use the cached token of your profile or \
sso-session when --access-token is not given.";

const AFTER_HELP: &str = "\
Examples:
  aws-sso login --profile dev                 Sign in with the SSO settings of profile `dev`
  aws-sso login --sso-session corp --no-browser
  aws-sso list-accounts --profile dev --output table
  aws-sso list-account-roles --account-id 111111111111 --profile dev
  aws-sso get-role-credentials --account-id 111111111111 --role-name ReadOnly --profile dev
  aws-sso roles --profile dev                 Every role in every account
  aws-sso configure sso                       Set up a profile (the wizard)
  aws-sso configure populate --sso-session corp   A profile per role
  aws-sso doctor                              What needs fixing
  aws-sso logout

Exit codes: 0 success, 252 bad command line or parameters, 253 configuration error,
254 the service returned an error, 255 any other failure, 130 interrupted.";

/// The `--output` formats (the AWS CLI's `CLI_OUTPUT_FORMATS`), also what `configure` writes.
pub(crate) const OUTPUT_FORMATS: [&str; 6] =
    ["json", "text", "table", "yaml", "yaml-stream", "off"];

/// The help heading of the flags that answer the `configure` wizards' questions.
const ANSWERS: &str = "Answers (skip the question; needed without a terminal)";

/// `aws-sso`: the top-level command.
#[derive(Debug, Parser)]
#[command(
    name = "aws-sso",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = AFTER_HELP,
    infer_long_args = true,
    args_override_self = true,
    disable_help_subcommand = true,
    max_term_width = 100,
    // Rendered by `version_line()` so it can carry more than clap's `name version`.
    disable_version_flag = true,
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub global: GlobalArgs,

    /// The command's name as clap matched it (`list-accounts`), so nothing keeps a second
    /// list of names. Filled by [`Cli::parse_args`].
    #[arg(skip)]
    pub command_name: String,
}

impl Cli {
    /// Parses the command line (program name first).
    ///
    /// # Errors
    ///
    /// clap's error for anything it rejects, including `--help`.
    pub fn parse_args(args: Vec<std::ffi::OsString>) -> Result<Self, clap::Error> {
        use clap::{CommandFactory as _, FromArgMatches as _};
        // The hidden copies of the global options only change what help shows; building them
        // for every subcommand is a third of a cached `export-credentials` run, so only help
        // pays for it.
        let help = args.iter().any(|arg| arg == "--help" || arg == "-h");
        let mut command = if help {
            Self::command_tree()
        } else {
            Self::command()
        };
        let matches = command.try_get_matches_from_mut(args);
        // Freeing the tree node by node is another tenth of a cached run; the process is short
        // and the memory goes back with it.
        std::mem::forget(command);
        let mut matches = matches?;
        let command_name = matches.subcommand_name().unwrap_or_default().to_owned();
        let mut cli = Self::from_arg_matches_mut(&mut matches)?;
        cli.command_name = command_name;
        Ok(cli)
    }
}

impl Cli {
    /// The clap command with the global options described once, in `aws-sso --help`: each
    /// command's help lists its own options and points there, instead of repeating some fifty
    /// lines of global options under every command. They are still accepted everywhere.
    pub fn command_tree() -> clap::Command {
        use clap::CommandFactory as _;
        let mut root = Self::command();
        // clap copies global options into each subcommand when it builds the command, unless
        // the subcommand already has them: give each one hidden copies first.
        let globals: Vec<clap::Arg> = root
            .get_arguments()
            .filter(|arg| arg.is_global_set())
            .cloned()
            .collect();
        let pointer = "Global options (--profile, --region, --output, --query, --debug and more) \
                       work with every command: see `aws-sso --help`.";
        for command in root.get_subcommands_mut() {
            let mut with_globals = std::mem::take(command);
            for arg in &globals {
                with_globals = with_globals.arg(arg.clone().hide(true));
            }
            let after = match with_globals.get_after_help() {
                Some(text) => format!("{text}\n\n{pointer}"),
                None => pointer.to_owned(),
            };
            *command = with_globals.after_help(after);
        }
        root
    }
}

/// The global options of the AWS CLI that apply to `aws sso` commands.
#[derive(Debug, Args, Default, Clone)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Use a specific profile from your config file (overrides AWS_PROFILE)
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// The region to use (overrides AWS_REGION, AWS_DEFAULT_REGION and the profile's `region`)
    #[arg(long, global = true, value_name = "REGION", allow_hyphen_values = true)]
    pub region: Option<String>,

    /// Override the service endpoint URL (list and credential commands; `login` and `logout`
    /// ignore it, as the AWS CLI does — use AWS_ENDPOINT_URL_SSO / AWS_ENDPOINT_URL_SSO_OIDC)
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,

    /// Output format (default: the profile's `output`, else json)
    #[arg(
        long,
        global = true,
        value_name = "FORMAT",
        value_parser = OUTPUT_FORMATS,
    )]
    pub output: Option<String>,

    /// A JMESPath query to filter the response data
    #[arg(long, global = true, value_name = "EXPRESSION")]
    pub query: Option<String>,

    /// Print debug logging to stderr (tokens and secrets are never printed)
    #[arg(long, global = true)]
    pub debug: bool,

    /// Do not verify TLS certificates (not recommended)
    #[arg(long, global = true)]
    pub no_verify_ssl: bool,

    /// The CA certificate bundle (PEM) to use when verifying TLS certificates
    #[arg(long, global = true, value_name = "PATH")]
    pub ca_bundle: Option<String>,

    /// Maximum socket read time in seconds; 0 waits forever (default 60)
    #[arg(long, global = true, value_name = "SECONDS")]
    pub cli_read_timeout: Option<String>,

    /// Maximum socket connect time in seconds; 0 waits forever (default 60)
    #[arg(long, global = true, value_name = "SECONDS")]
    pub cli_connect_timeout: Option<String>,

    /// Turn colour output on, off, or on only when writing to a terminal
    #[arg(long, global = true, value_enum, value_name = "WHEN")]
    pub color: Option<Color>,

    /// Do not send output through a pager
    #[arg(long, global = true)]
    pub no_cli_pager: bool,

    /// How errors are printed: enhanced (default), legacy, json, yaml, text or table
    #[arg(long, global = true, value_name = "FORMAT")]
    pub cli_error_format: Option<String>,

    /// Make a single call instead of following pagination tokens
    #[arg(long, global = true)]
    pub no_paginate: bool,

    /// Accepted for compatibility: SSO calls are never signed
    #[arg(long, global = true, hide = true)]
    pub no_sign_request: bool,

    /// Accepted for compatibility: aws-sso never prompts for parameters
    #[arg(long, global = true, hide = true)]
    pub no_cli_auto_prompt: bool,

    /// Print the resolved settings (profile, sso-session, region, endpoints) as JSON and exit
    #[arg(long, global = true, hide = true)]
    pub show_settings: bool,

    /// Print the version and exit
    #[arg(long, global = true)]
    pub version: bool,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// Always colour.
    On,
    /// Never colour.
    Off,
    /// Colour only when stdout is a terminal.
    Auto,
}

/// The `aws sso` commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in to IAM Identity Center and cache an access token
    #[command(long_about = LOGIN_ABOUT)]
    Login(LoginArgs),

    /// Sign out of IAM Identity Center and remove cached tokens and SSO role credentials
    #[command(long_about = LOGOUT_ABOUT)]
    Logout(LogoutArgs),

    /// List the AWS accounts you can access
    #[command(long_about = LIST_ACCOUNTS_ABOUT)]
    ListAccounts(ListAccountsArgs),

    /// List the roles you can assume in an AWS account
    #[command(
        long_about = LIST_ACCOUNT_ROLES_ABOUT,
        override_usage = "aws-sso list-account-roles --account-id <ID> [OPTIONS]\n       \
                          aws-sso list-account-roles --profile <NAME>  (a profile with sso_account_id)"
    )]
    ListAccountRoles(ListAccountRolesArgs),

    /// Get short-term AWS credentials for a role in an account
    #[command(
        long_about = GET_ROLE_CREDENTIALS_ABOUT,
        override_usage = "aws-sso get-role-credentials --account-id <ID> --role-name <NAME> [OPTIONS]\n       \
                          aws-sso get-role-credentials --profile <NAME>  (a profile with sso_account_id and sso_role_name)"
    )]
    GetRoleCredentials(GetRoleCredentialsArgs),

    /// Print the profile's role credentials for a credential_process or a shell
    #[command(long_about = EXPORT_CREDENTIALS_ABOUT)]
    ExportCredentials(ExportCredentialsArgs),

    /// Run a command with the profile's role credentials in its environment
    #[command(long_about = EXEC_ABOUT)]
    Exec(ExecArgs),

    /// Open the AWS console signed in with the profile's role
    #[command(long_about = CONSOLE_ABOUT)]
    Console(ConsoleArgs),

    /// List every role you can assume, in every account
    #[command(long_about = ROLES_ABOUT)]
    Roles(RolesArgs),

    /// Show your sign-ins and how long they will work
    #[command(long_about = STATUS_ABOUT)]
    Status(StatusArgs),

    /// Check the config, caches and environment for what will make signing in fail
    #[command(long_about = DOCTOR_ABOUT)]
    Doctor(DoctorArgs),

    /// Set up SSO profiles: the AWS CLI's wizards, and a profile for every role
    #[command(subcommand, long_about = CONFIGURE_ABOUT)]
    Configure(ConfigureCommand),

    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    #[command(long_about = COMPLETION_ABOUT)]
    Completion(CompletionArgs),
}

impl Command {
    /// The command's `--sso-session`, if it has one and it was given.
    pub fn sso_session(&self) -> Option<&str> {
        match self {
            Self::Login(args) => args.sso_session.as_deref(),
            Self::Logout(args) => args.sso_session.as_deref(),
            Self::ListAccounts(args) => args.sso_session.as_deref(),
            Self::ListAccountRoles(args) => args.sso_session.as_deref(),
            Self::GetRoleCredentials(args) => args.sso_session.as_deref(),
            Self::Roles(args) => args.sso_session.as_deref(),
            Self::Status(args) => args.sso_session.as_deref(),
            Self::Configure(command) => command.sso_session(),
            Self::Doctor(_) => None,
            Self::ExportCredentials(_) | Self::Exec(_) | Self::Console(_) | Self::Completion(_) => {
                None
            }
        }
    }

    /// The command's `--access-token`, if it has one and it was given.
    pub fn access_token(&self) -> Option<&str> {
        match self {
            Self::Login(_)
            | Self::Logout(_)
            | Self::ExportCredentials(_)
            | Self::Exec(_)
            | Self::Console(_)
            | Self::Roles(_)
            | Self::Status(_)
            | Self::Configure(_)
            | Self::Doctor(_)
            | Self::Completion(_) => None,
            Self::ListAccounts(args) => args.access_token.as_deref(),
            Self::ListAccountRoles(args) => args.access_token.as_deref(),
            Self::GetRoleCredentials(args) => args.access_token.as_deref(),
        }
    }

    /// Whether it is one of the portal API commands, which call with a token of the user's
    /// choosing and honour `--endpoint-url`.
    pub const fn is_api_call(&self) -> bool {
        matches!(
            self,
            Self::ListAccounts(_) | Self::ListAccountRoles(_) | Self::GetRoleCredentials(_)
        )
    }
}

const LOGIN_ABOUT: &str = "\
Sign in to IAM Identity Center and cache an access token.

The SSO settings come from --sso-session, or else from the profile (--profile, AWS_PROFILE): \
either its `sso_session` key, which names an [sso-session NAME] section, or the legacy \
`sso_start_url` and `sso_region` keys in the profile itself. sso-session configurations sign in \
with the authorization-code flow (PKCE) in your browser; legacy profiles, and --use-device-code, \
use the device-code flow. The token is cached in ~/.aws/sso/cache, where the AWS CLI and the AWS \
SDKs find it too.";

const LOGOUT_ABOUT: &str = "\
Sign out of IAM Identity Center and remove cached tokens and SSO role credentials.

For every cached access token, ends the session on the service and deletes the token; then \
deletes every cached SSO role credential. Client registrations are kept, as the AWS CLI keeps \
them. With --sso-session NAME only that session is signed out; --profile, as in the AWS CLI, \
does not narrow it.";

const LIST_ACCOUNTS_ABOUT: &str = "\
List the AWS accounts you can access.

Uses --access-token when given; otherwise the cached token of the profile or sso-session \
(refreshed when it is about to expire). Results are paginated automatically.";

const LIST_ACCOUNT_ROLES_ABOUT: &str = "\
List the roles you can assume in an AWS account.

Uses --access-token when given; otherwise the cached token of the profile or sso-session. \
Results are paginated automatically.";

const GET_ROLE_CREDENTIALS_ABOUT: &str = "\
Get short-term AWS credentials for a role in an account.

The credentials are an access key, a secret key and a session token. Uses --access-token when given; otherwise the cached token of the profile or sso-session.";

const EXPORT_CREDENTIALS_ABOUT: &str = "\
Print the profile's role credentials for a credential_process or a shell.

The output is that of `aws configure export-credentials`. The profile (--profile, AWS_PROFILE) needs `sso_account_id` and `sso_role_name`, with either \
`sso_session` or the legacy `sso_start_url` and `sso_region`. Credentials come from the role \
cache in ~/.aws/cli/cache, shared with the AWS CLI, while more than 15 minutes remain; otherwise \
they are fetched with the cached SSO token (refreshed if needed) and cached again. Parallel \
callers make one request between them.

It never opens a browser or waits for input: without a usable token it fails at once and names \
the `aws-sso login` command that fixes it. That makes it safe as a credential_process:

  [profile dev]
  sso_session = corp
  sso_account_id = 111111111111
  sso_role_name = ReadOnly
  credential_process = aws-sso export-credentials --profile dev

(Tools that read SSO profiles themselves ignore credential_process; point those at another \
profile that has only the credential_process line.)";

const EXEC_ABOUT: &str = "\
Run a command with the profile's role credentials in its environment.

Sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and AWS_CREDENTIAL_EXPIRATION, \
and AWS_REGION and AWS_DEFAULT_REGION when the profile has a region; removes AWS_PROFILE and \
AWS_DEFAULT_PROFILE so the command cannot resolve other credentials. COMMAND replaces aws-sso, \
so its exit status and signals are its own. Like export-credentials it never prompts or opens a \
browser. Running exec inside another exec is refused unless --allow-nested is given.

With --ecs-server, for commands that run longer than one set of role credentials lasts, the \
keys are not put in the environment. Instead aws-sso stays beside COMMAND and serves the \
container credentials endpoint every AWS SDK reads (AWS_CONTAINER_CREDENTIALS_FULL_URI on \
127.0.0.1 and a random AWS_CONTAINER_AUTHORIZATION_TOKEN), renewing the role credentials, and \
refreshing the SSO token, whenever fewer than 15 minutes remain. SIGTERM and SIGHUP are passed \
on to COMMAND; Ctrl-C reaches it from the terminal; its exit status (or the signal that ended \
it) becomes aws-sso's.

Examples:
  aws-sso exec --profile dev -- terraform plan
  aws-sso exec --profile prod -- aws s3 ls
  aws-sso exec --profile dev --ecs-server -- ./long-running-job";

const CONSOLE_ABOUT: &str = "\
Open the AWS console signed in with the profile's role.

The role credentials (from the role cache, or fetched with the cached SSO token) are exchanged \
at the console federation endpoint for a sign-in token, valid for 15 minutes; the sign-in URL \
made from it opens in your browser as `aws-sso login` opens one (BROWSER, wslview, xdg-open, \
open). The endpoint is that of the region's partition (signin.aws.amazon.com, \
signin.amazonaws-us-gov.com, signin.amazonaws.cn, ...), or AWS_ENDPOINT_URL_SIGNIN. Like \
export-credentials it never prompts: without a usable token it names the login to run.

The sign-in URL is a credential: whoever has it is signed in. --print writes it to stdout only.

Examples:
  aws-sso console --profile dev
  aws-sso console --profile dev --destination https://console.aws.amazon.com/s3/home
  aws-sso console --profile dev --print | pbcopy";

/// `console`
#[derive(Debug, Args)]
pub struct ConsoleArgs {
    /// The console page to land on (default: the console home of the region)
    #[arg(long, value_name = "URL")]
    pub destination: Option<String>,

    /// Print the sign-in URL instead of opening a browser
    #[arg(long)]
    pub print: bool,
}

const ROLES_ABOUT: &str = "\
List every role you can assume, in every account.

Calls ListAccounts, then ListAccountRoles for each account, with the cached token of the \
profile or --sso-session (refreshed when needed; never a new login). Requests share one pace \
that starts at IAM Identity Center's documented 20 per second and slows down when the service \
throttles, so large organisations are listed without errors (2,000 accounts take about 100 \
seconds). An account that cannot be listed is reported on stderr and the others are still \
printed, with the exit status of the first such error (254 when the service refused).

The result is cached in ~/.aws/sso/aws-sso-roles for an hour: until then this command answers \
from the cache without a request; --refresh lists everything again. An interrupted listing \
(Ctrl-C) is saved, and the next run continues where it stopped. `aws-sso logout` removes the \
cache.

On a terminal, a progress line on stderr shows accounts done, requests per second and the time \
left.

Output: {\"roles\": [{\"accountId\": ..., \"accountName\": ..., \"roleName\": ...}, ...]}, in \
ListAccounts order and, within an account, in ListAccountRoles order; --output and --query work \
as for the other commands.

Examples:
  aws-sso roles --profile dev
  aws-sso roles --sso-session corp --output table
  aws-sso roles --output text --query \"roles[?roleName=='ReadOnly'].accountId\"
  aws-sso roles --refresh";

const DOCTOR_ABOUT: &str = "\
Check the config, the caches and the environment for what will make signing in or using \
credentials fail, and print one line per finding with its fix. Nothing is sent anywhere.

Problems: legacy SSO profiles (tokens that never refresh; the exact [sso-session] rewrite is \
shown), profiles naming a missing [sso-session], sessions without sso_start_url or sso_region, \
several sessions with one start URL, token files whose times other SDKs cannot read, cache \
files or directories other users can read, a config file others can write, a CA bundle with no \
certificate in it, and a proxy setting that cannot work. Notes: vanity start URLs, and an SSH \
session, WSL, a container or a machine without a display, with the sign-in that works there.

--fix applies the fixes that are safe to make unasked: legacy profiles move to an \
[sso-session] (an existing one with the same start URL and region, or a new one named after \
the start URL's host), in one atomic edit that keeps every other byte of the config; and file \
permissions are tightened. Then sign in once with `aws-sso login --sso-session NAME`.

Exit status: 0 when there are no problems (notes do not count), 1 when there are.

Examples:
  aws-sso doctor
  aws-sso doctor --fix";

const CONFIGURE_ABOUT: &str = "\
Set up SSO profiles in the config file (~/.aws/config, or AWS_CONFIG_FILE).

`configure sso` and `configure sso-session` are the AWS CLI's wizards, question for question; \
`configure populate` writes a profile for every account and role. Every change is written in one \
atomic step, keeping every comment, blank line and setting it does not change.";

const CONFIGURE_SSO_ABOUT: &str = "\
Create or update a profile that gets its credentials from IAM Identity Center, as \
`aws configure sso` does: it asks for an SSO session (or the legacy settings), signs you in, lets \
you pick an account and a role, asks for the profile's region and output format, and writes the \
profile (and a new [sso-session] section).

To keep an existing value, press Enter: the current value is shown in [brackets]. The account \
and role lists are menus: arrow keys move, typing filters (so one account among thousands is a \
few keystrokes away), Enter picks, Ctrl-C leaves everything as it was.

Every question has a flag (see Answers below); a flag skips its question, and with no terminal \
the flags are the only answers. With --profile, that profile is written; otherwise the name is \
asked (default ROLE-ACCOUNT).

Examples:
  aws-sso configure sso
  aws-sso configure sso --profile dev
  aws-sso configure sso --sso-session corp \\
      --start-url https://corp.awsapps.com/start --region us-east-1 \\
      --account-id 111111111111 --role-name ReadOnly --profile-name dev";

const CONFIGURE_SSO_SESSION_ABOUT: &str = "\
Create or update an [sso-session] section, as `aws configure sso-session` does: the session \
name, start URL, region and registration scopes. No sign-in is made; run \
`aws-sso login --sso-session NAME` next.

Examples:
  aws-sso configure sso-session
  aws-sso configure sso-session --sso-session corp \\
      --start-url https://corp.awsapps.com/start --region us-east-1";

const POPULATE_ABOUT: &str = "\
Write a profile for every account and role of an sso-session, each one using the session \
(`sso_session = NAME`, never the legacy keys), so every SDK and tool can use any of your roles \
by profile name.

Profiles are named by --template from the fields {account_id}, {account_name}, {role_name}, \
{sso_session} and {region} ({{ and }} for literal braces); characters a profile name cannot \
hold become `-`, and names that still clash get the account ID appended. The AWS CLI's wizard \
names profiles like --template '{role_name}-{account_id}'.

The profiles go in a block of the config file marked `# BEGIN aws-sso configure populate \
--sso-session NAME` … `# END …`, which this command owns: a run with nothing new leaves the \
file byte for byte as it was, and nothing outside the block is ever changed. A profile of \
yours with a generated name is left alone and that role skipped, with a warning. Profiles whose \
role is gone stay until --prune removes them. --dry-run prints the change as a diff instead.

The roles come from the same listing and cache as `aws-sso roles` (at most an hour old; \
--refresh or --prune lists afresh). It needs a sign-in: run `aws-sso login --sso-session NAME` \
first.

Examples:
  aws-sso configure populate --sso-session corp
  aws-sso configure populate --sso-session corp --dry-run
  aws-sso configure populate --sso-session corp --region eu-west-1 \\
      --output-format json --template '{role_name}-{account_id}'
  aws-sso configure populate --sso-session corp --prune";

const STATUS_ABOUT: &str = "\
Show your sign-ins and how long they will work.

For every [sso-session] section and legacy SSO profile of the config (or just the one named by \
--sso-session or --profile): the start URL and region, the token's status (valid; expiring or \
refreshable: refreshed on next use; expired; absent; invalid; rejected under --verify), when it \
expires, whether it refreshes itself, when its \
client registration expires, when the sign-in began (aws-sso login records it) and when the \
portal session will end: that plus the section's sso_session_duration (8h, 90m, 2d or seconds; \
default 8h, IAM Identity Center's default). Nothing is sent unless --verify is given, which makes \
one ListAccounts call per valid token.

--prompt prints one short line for a shell prompt, such as `corp 3h12m  legacy expired`.

Exit status: 0 when every sign-in shown works (or refreshes itself); 1 when one needs \
`aws-sso login`.

Examples:
  aws-sso status
  aws-sso status --sso-session corp --output table
  aws-sso status --verify
  PS1='$(aws-sso status --prompt) $ '";

const COMPLETION_ABOUT: &str = "\
Print a shell completion script (bash, zsh, fish, powershell, elvish).

The script completes every command and option, and the values of --output, --color, --format \
and the like. In bash, zsh and fish, --profile and --sso-session also complete the names in \
your config file (AWS_CONFIG_FILE, else ~/.aws/config), read afresh on each Tab.

Install it once, then start a new shell:

bash:
  mkdir -p ~/.local/share/bash-completion/completions
  aws-sso completion bash > ~/.local/share/bash-completion/completions/aws-sso
  (that directory needs the bash-completion package; without it, add this line
  to ~/.bashrc: source <(aws-sso completion bash))

zsh:
  mkdir -p ~/.zfunc && aws-sso completion zsh > ~/.zfunc/_aws-sso
  (and in ~/.zshrc, before compinit: fpath=(~/.zfunc $fpath))

fish:
  aws-sso completion fish > ~/.config/fish/completions/aws-sso.fish

powershell:
  aws-sso completion powershell >> $PROFILE

elvish:
  aws-sso completion elvish >> ~/.config/elvish/rc.elv";

/// `completion`
#[derive(Debug, Args)]
pub struct CompletionArgs {
    /// The shell to print the script for
    #[arg(value_name = "SHELL", required_unless_present = "list")]
    pub shell: Option<clap_complete::Shell>,

    /// Print the config's profile or sso-session names, one per line (the scripts call this)
    #[arg(
        long,
        value_enum,
        value_name = "NAMES",
        hide = true,
        conflicts_with = "shell"
    )]
    pub list: Option<ConfigNames>,
}

/// The names `completion --list` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConfigNames {
    /// `[profile NAME]` (and `[default]`) sections, and credentials-file profiles
    Profiles,
    /// `[sso-session NAME]` sections
    SsoSessions,
}

/// `status`
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Only this [sso-session NAME]
    #[arg(long, value_name = "NAME")]
    pub sso_session: Option<String>,

    /// Prove each valid token with one ListAccounts call
    #[arg(long)]
    pub verify: bool,

    /// One short line for a shell prompt instead of the full report
    #[arg(long, conflicts_with = "verify")]
    pub prompt: bool,
}

/// `roles`
#[derive(Debug, Args)]
pub struct RolesArgs {
    /// Use the cached token of this [sso-session NAME]
    #[arg(long, value_name = "NAME")]
    pub sso_session: Option<String>,

    /// List everything again instead of answering from the cache
    #[arg(long)]
    pub refresh: bool,

    /// Requests per second at most (default 20, IAM Identity Center's documented limit); lower
    /// it to leave room for other tools sharing the limit
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    pub max_rate: Option<f64>,
}

/// `--max-rate`: a positive, finite number of requests per second.
fn parse_rate(raw: &str) -> Result<f64, String> {
    match raw.trim().parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate > 0.0 => Ok(rate),
        _ => Err("expected a number of requests per second above 0".to_owned()),
    }
}

/// The `--format` values of `export-credentials`, as `aws configure export-credentials` has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum CredentialFormat {
    /// JSON for a credential_process (the default)
    #[default]
    Process,
    /// `export NAME=VALUE` lines for POSIX shells
    Env,
    /// `NAME=VALUE` lines
    EnvNoExport,
    /// `$Env:NAME="VALUE"` lines for PowerShell
    Powershell,
    /// `set NAME=VALUE` lines for Windows cmd
    WindowsCmd,
    /// `set -gx NAME "VALUE"` lines for fish
    Fish,
}

/// `export-credentials`
#[derive(Debug, Args)]
pub struct ExportCredentialsArgs {
    /// How to print the credentials
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = CredentialFormat::Process)]
    pub format: CredentialFormat,
}

/// `exec`
#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Run even inside another `aws-sso exec` (its credentials are replaced)
    #[arg(long)]
    pub allow_nested: bool,

    /// Serve self-renewing credentials on 127.0.0.1 (AWS_CONTAINER_CREDENTIALS_FULL_URI)
    /// instead of putting keys in the environment
    #[arg(long)]
    pub ecs_server: bool,

    /// The command to run, and its arguments (after `--`)
    #[arg(value_name = "COMMAND", required = true, trailing_var_arg = true, allow_hyphen_values = true, num_args = 1..)]
    pub command: Vec<std::ffi::OsString>,
}

/// `login`
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The [sso-session NAME] section to sign in with, whatever the profile says
    #[arg(long, value_name = "NAME")]
    pub sso_session: Option<String>,

    /// Do not open a browser; print the URL to open yourself. With PKCE (sso-session
    /// profiles) open it on this machine, since the browser is sent back to 127.0.0.1 here;
    /// with --use-device-code any device will do
    #[arg(long)]
    pub no_browser: bool,

    /// Use the device-code flow even for sso-session configurations (the session's
    /// `sso_use_device_code = true` does the same)
    #[arg(long)]
    pub use_device_code: bool,

    /// Listen for the PKCE redirect on this port of 127.0.0.1 instead of a random one (default:
    /// the session's `sso_redirect_port`), e.g. to forward it over SSH
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub redirect_port: Option<u16>,

    /// End the current portal session on the service first, so the new sign-in starts a full
    /// session of its own
    #[arg(long)]
    pub fresh: bool,
}

/// `doctor`
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Apply the safe fixes: move legacy profiles onto [sso-session] sections (keeping every
    /// other byte of the config) and tighten cache file permissions
    #[arg(long)]
    pub fix: bool,
}

/// `configure …`
#[derive(Debug, Subcommand)]
pub enum ConfigureCommand {
    /// Create or update a profile that signs in with IAM Identity Center (the AWS CLI's wizard)
    #[command(long_about = CONFIGURE_SSO_ABOUT)]
    Sso(ConfigureSsoArgs),

    /// Create or update an [sso-session] section (the AWS CLI's wizard)
    #[command(long_about = CONFIGURE_SSO_SESSION_ABOUT)]
    SsoSession(ConfigureSsoSessionArgs),

    /// Write a profile for every account and role of an sso-session
    #[command(long_about = POPULATE_ABOUT)]
    Populate(PopulateArgs),
}

impl ConfigureCommand {
    fn sso_session(&self) -> Option<&str> {
        match self {
            Self::Sso(args) => args.sso_session(),
            Self::SsoSession(args) => args.sso_session(),
            Self::Populate(args) => Some(&args.sso_session),
        }
    }
}

/// The answers `configure sso` and `configure sso-session` would ask for, as flags: each one
/// given skips its question, and with all of them no terminal is needed.
#[derive(Debug, Args, Default, Clone)]
#[command(next_help_heading = ANSWERS)]
pub struct SessionAnswers {
    /// SSO session name (an existing [sso-session] is used as it is)
    #[arg(long, value_name = "NAME")]
    pub sso_session: Option<String>,

    /// SSO start URL, e.g. https://my-company.awsapps.com/start (the SSO region is --region)
    #[arg(long, value_name = "URL")]
    pub start_url: Option<String>,

    /// SSO registration scopes, comma-separated (default sso:account:access)
    #[arg(long, value_name = "SCOPES")]
    pub scopes: Option<String>,
}

/// `configure sso`
#[derive(Debug, Args)]
pub struct ConfigureSsoArgs {
    /// Do not open a browser for the sign-in; print the URL to open yourself
    #[arg(long)]
    pub no_browser: bool,

    /// Sign in with the device-code flow even for an sso-session
    #[arg(long)]
    pub use_device_code: bool,

    /// Listen for the PKCE redirect on this port of 127.0.0.1 instead of a random one
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub redirect_port: Option<u16>,

    #[command(flatten)]
    pub session: SessionAnswers,

    /// The account to use (default: asked, or the only one)
    #[arg(
        long,
        value_name = "ID",
        help_heading = ANSWERS
    )]
    pub account_id: Option<String>,

    /// The role to use (default: asked, or the only one)
    #[arg(
        long,
        value_name = "NAME",
        help_heading = ANSWERS
    )]
    pub role_name: Option<String>,

    /// The profile's `region` (default client Region)
    #[arg(
        long,
        value_name = "REGION",
        help_heading = ANSWERS
    )]
    pub default_region: Option<String>,

    /// The profile's `output` (CLI default output format)
    #[arg(
        long,
        value_name = "FORMAT",
        value_parser = OUTPUT_FORMATS,
        help_heading = ANSWERS
    )]
    pub default_output: Option<String>,

    /// The profile to write (default: --profile, else asked, else ROLE-ACCOUNT)
    #[arg(
        long,
        value_name = "NAME",
        help_heading = ANSWERS
    )]
    pub profile_name: Option<String>,
}

/// `configure sso-session`
#[derive(Debug, Args)]
pub struct ConfigureSsoSessionArgs {
    #[command(flatten)]
    pub session: SessionAnswers,
}

impl ConfigureSsoSessionArgs {
    fn sso_session(&self) -> Option<&str> {
        self.session.sso_session.as_deref()
    }
}

impl ConfigureSsoArgs {
    fn sso_session(&self) -> Option<&str> {
        self.session.sso_session.as_deref()
    }
}

/// `configure populate`
#[derive(Debug, Args)]
pub struct PopulateArgs {
    /// The [sso-session NAME] to write profiles for (signed in with `aws-sso login`)
    #[arg(long, value_name = "NAME", required = true)]
    pub sso_session: String,

    /// How profiles are named; fields: {account_id} {account_name} {role_name} {sso_session}
    /// {region}
    #[arg(long, value_name = "TEMPLATE", default_value = DEFAULT_TEMPLATE)]
    pub template: String,

    /// The `output` written into every profile (the global --region sets their `region`)
    #[arg(long, value_name = "FORMAT", value_parser = OUTPUT_FORMATS)]
    pub output_format: Option<String>,

    /// Also remove the profiles this command wrote whose role is gone (lists afresh)
    #[arg(long)]
    pub prune: bool,

    /// Print the change to the config file as a diff and write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// List every role again instead of using the role cache of `aws-sso roles` (up to 1 h old)
    #[arg(long)]
    pub refresh: bool,

    /// Requests per second at most when listing (default 20, IAM Identity Center's documented
    /// limit)
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    pub max_rate: Option<f64>,
}

/// `configure populate`'s default profile names: `Account-Name.RoleName`.
pub(crate) const DEFAULT_TEMPLATE: &str = "{account_name}.{role_name}";

/// `logout`
#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// Sign out of this [sso-session NAME] only, keeping other sessions
    #[arg(long, value_name = "NAME")]
    pub sso_session: Option<String>,
}

/// Pagination options shared by the list commands (AWS CLI paginator options).
#[derive(Debug, Args, Default, Clone)]
#[command(next_help_heading = "Pagination")]
pub struct PagingArgs {
    /// A token from a previous truncated response (its `NextToken`) to resume from
    #[arg(long, value_name = "TOKEN")]
    pub starting_token: Option<String>,

    /// How many items to ask the service for in each call (does not limit the total)
    #[arg(long, value_name = "N")]
    pub page_size: Option<String>,

    /// The total number of items to return; a `NextToken` is printed if more remain
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub max_items: Option<String>,

    /// Raw API parameter: items per call (turns automatic pagination off)
    #[arg(long, value_name = "N", hide = true)]
    pub max_results: Option<String>,

    /// Raw API parameter: page token (turns automatic pagination off)
    #[arg(long, value_name = "TOKEN", hide = true)]
    pub next_token: Option<String>,
}

/// The AWS CLI's generic parameter options of API commands.
#[derive(Debug, Args, Default, Clone)]
#[command(next_help_heading = "Parameters as JSON")]
pub struct InputArgs {
    /// Read the parameters from JSON (inline, or `file://PATH`); options given on the command
    /// line win
    #[arg(long, value_name = "JSON")]
    pub cli_input_json: Option<String>,

    /// Print a JSON skeleton of the parameters (for --cli-input-json) instead of calling the
    /// service (`input` is the only kind aws-sso generates)
    #[arg(
        long,
        value_name = "input",
        num_args = 0..=1,
        default_missing_value = "input",
        value_parser = ["input"],
    )]
    pub generate_cli_skeleton: Option<String>,
}

/// `list-accounts`
#[derive(Debug, Args)]
pub struct ListAccountsArgs {
    /// The access token from `aws-sso login` (default: the cached token of the profile)
    #[arg(long, value_name = "TOKEN")]
    pub access_token: Option<String>,

    /// Use the cached token of this [sso-session NAME]
    #[arg(long, value_name = "NAME")]
    pub sso_session: Option<String>,

    #[command(flatten)]
    pub paging: PagingArgs,

    #[command(flatten)]
    pub input: InputArgs,
}

/// `list-account-roles`
#[derive(Debug, Args)]
pub struct ListAccountRolesArgs {
    /// The access token from `aws-sso login` (default: the cached token of the profile)
    #[arg(long, value_name = "TOKEN")]
    pub access_token: Option<String>,

    /// The 12-digit AWS account ID (default: the profile's sso_account_id)
    #[arg(long, value_name = "ID")]
    pub account_id: Option<String>,

    /// Use the cached token of this [sso-session NAME]
    #[arg(long, value_name = "NAME")]
    pub sso_session: Option<String>,

    #[command(flatten)]
    pub paging: PagingArgs,

    #[command(flatten)]
    pub input: InputArgs,
}

/// `get-role-credentials`
#[derive(Debug, Args)]
pub struct GetRoleCredentialsArgs {
    /// The role to get credentials for (default: the profile's sso_role_name)
    #[arg(long, value_name = "NAME")]
    pub role_name: Option<String>,

    /// The 12-digit AWS account ID (default: the profile's sso_account_id)
    #[arg(long, value_name = "ID")]
    pub account_id: Option<String>,

    /// The access token from `aws-sso login` (default: the cached token of the profile)
    #[arg(long, value_name = "TOKEN")]
    pub access_token: Option<String>,

    /// Use the cached token of this [sso-session NAME]
    #[arg(long, value_name = "NAME")]
    pub sso_session: Option<String>,

    #[command(flatten)]
    pub input: InputArgs,
}

/// The version line printed by `--version`.
pub(crate) fn version_line() -> String {
    format!(
        "aws-sso/{} {}/{}",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_options_work_before_and_after_the_command() {
        let before = Cli::try_parse_from(["aws-sso", "--profile", "p", "list-accounts"]).unwrap();
        let after = Cli::try_parse_from(["aws-sso", "list-accounts", "--profile", "p"]).unwrap();
        assert_eq!(before.global.profile.as_deref(), Some("p"));
        assert_eq!(after.global.profile.as_deref(), Some("p"));
    }

    #[test]
    fn long_options_may_be_abbreviated_like_argparse() {
        let cli = Cli::try_parse_from(["aws-sso", "list-accounts", "--access", "tok", "--prof=x"])
            .unwrap();
        let Some(Command::ListAccounts(args)) = cli.command else {
            panic!("wrong command")
        };
        assert_eq!(args.access_token.as_deref(), Some("tok"));
        assert_eq!(cli.global.profile.as_deref(), Some("x"));
    }
}
