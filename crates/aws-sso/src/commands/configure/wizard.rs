//! `configure sso` and `configure sso-session`: AWS CLI v2's wizards (`awscli/customizations/
//! configure/sso.py`; spec cli-behavior §7), question for question and write for write.
//!
//! Each question is `TEXT [CURRENT]: ` and Enter keeps the current value. Ours beyond the AWS
//! CLI: every answer can be given as a flag, which skips its question, so scripts (and runs
//! with no terminal) need no person; the account and role menus filter as you type; and both
//! sections are written in one atomic edit rather than two rewrites.

use indexmap::IndexMap;
use sso_auth::TokenProvider;
use sso_config::{SsoTarget, parse_registration_scopes, profile_section, section_header_of};
use sso_core::Secret;

use crate::Context;
use crate::cli::{
    ConfigureSsoArgs, ConfigureSsoSessionArgs, GlobalArgs, LoginArgs, SessionAnswers,
};
use crate::commands::login;
use crate::error::CliError;
use crate::prompt::{PromptError, Question};
use crate::settings::Resolved;

const DEFAULT_SCOPE: &str = "sso:account:access";

/// A cached token with at least this long to live is reused instead of signing in again
/// (`SSOTokenFetcher._EXPIRY_WINDOW`).
const REUSE_WINDOW: jiff::SignedDuration = jiff::SignedDuration::from_mins(15);

/// One question's answer: a flag, the person at the terminal, or (with neither) the current
/// value.
struct Asker<'a> {
    context: &'a Context,
    /// Whether there is a person to ask.
    interactive: bool,
    /// The command, for the no-terminal message.
    command: &'static str,
}

/// What a question accepts.
#[derive(Clone, Copy)]
enum Check {
    None,
    /// `RequiredInputValidator`.
    Required,
    /// `StartUrlValidator`.
    StartUrl,
    /// `ScopesValidator`.
    Scopes,
}

impl Check {
    /// The validator's message for `answer`, given the question's current value.
    fn message(self, answer: &str, current: Option<&str>) -> Option<String> {
        let has_default = current.is_some_and(|c| !c.is_empty());
        if answer.is_empty() && has_default {
            return None;
        }
        match self {
            Self::None => None,
            Self::Required => answer.is_empty().then(|| "A value is required".to_owned()),
            Self::StartUrl => (!sso_config::is_valid_start_url(answer))
                .then(|| "Not a valid Start URL".to_owned()),
            Self::Scopes => answer
                .split(',')
                .any(|scope| scope.trim().contains(char::is_whitespace))
                .then(|| "Scope values must be separated by commas".to_owned()),
        }
    }
}

/// One question.
struct Ask<'a> {
    text: &'a str,
    /// The prompt when it is not `TEXT [CURRENT]: `.
    format: Option<String>,
    current: Option<&'a str>,
    completions: Vec<String>,
    check: Check,
    /// The flag that answers it.
    flag: &'a str,
    given: Option<&'a str>,
}

impl Asker<'_> {
    /// `PTKPrompt.get_value`: the answer, or the current value on an empty answer.
    fn ask(&self, ask: Ask<'_>) -> Result<Option<String>, CliError> {
        if let Some(given) = ask.given {
            let given = given.trim();
            if let Some(message) = ask.check.message(given, ask.current) {
                return Err(CliError::ParamValidation(format!(
                    "argument {}: {message}: {given:?}",
                    ask.flag
                )));
            }
            return Ok(non_empty(given).or_else(|| ask.current.map(str::to_owned)));
        }
        if !self.interactive {
            if ask.check.message("", ask.current).is_some() {
                return Err(CliError::ParamValidation(format!(
                    "`{}` has no answer and there is no terminal to ask on: give it with {} (see `aws-sso {} --help`)",
                    ask.text, ask.flag, self.command
                )));
            }
            return Ok(ask.current.map(str::to_owned));
        }
        let prompt = ask
            .format
            .clone()
            .unwrap_or_else(|| format!("{} [{}]: ", ask.text, ask.current.unwrap_or("None")));
        let current = ask.current;
        let check = ask.check;
        let validate = move |answer: &str| check.message(answer, current);
        let answer = self
            .context
            .prompter
            .ask(&Question {
                prompt: &prompt,
                completions: &ask.completions,
                validate: &validate,
            })
            .map_err(prompt_failure)?;
        Ok(non_empty(&answer).or_else(|| current.map(str::to_owned)))
    }

    /// The menu, or the only item, or the flag's choice.
    fn choose(&self, labels: &[String], flag: &str, what: &str) -> Result<usize, CliError> {
        if !self.interactive {
            return Err(CliError::ParamValidation(format!(
                "there are {} {what} to choose from and no terminal to ask on: choose one with {flag}",
                labels.len()
            )));
        }
        self.context.prompter.choose(labels).map_err(prompt_failure)
    }
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

fn prompt_failure(error: PromptError) -> CliError {
    match error {
        // The AWS CLI's KeyboardInterrupt: exit 130, nothing written.
        PromptError::Interrupted => CliError::Interrupted(String::new()),
        PromptError::Io(error) => {
            CliError::general(format!("cannot ask on this terminal: {error}"))
        }
    }
}

/// The `[sso-session]` questions and their answers (`SSOSessionConfigurationPrompter`).
struct SessionPrompter<'a> {
    resolved: &'a Resolved,
    answers: &'a SessionAnswers,
    region_flag: Option<&'a str>,
    name: Option<String>,
    /// The section's values: the existing section's, then the answers.
    config: IndexMap<String, String>,
}

impl<'a> SessionPrompter<'a> {
    fn new(
        resolved: &'a Resolved,
        answers: &'a SessionAnswers,
        region_flag: Option<&'a str>,
    ) -> Self {
        Self {
            resolved,
            answers,
            region_flag,
            name: None,
            config: IndexMap::new(),
        }
    }

    /// The `sso_session` setter: choosing a name loads that section's values.
    fn set_name(&mut self, name: Option<String>) {
        self.config = name
            .as_deref()
            .and_then(|name| self.resolved.config.sso_session(name))
            .map(|section| {
                section
                    .properties()
                    .iter()
                    .filter_map(|(key, value)| Some((key.clone(), value.as_text()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        self.name = name;
    }

    fn exists(&self, name: &str) -> bool {
        self.resolved.config.sso_session(name).is_some()
    }

    fn ask_name(&mut self, asker: &Asker<'_>, required: bool) -> Result<Option<String>, CliError> {
        let text = "SSO session name";
        let format = match (&self.name, required) {
            (Some(_), _) => None,
            (None, true) => Some(format!("{text}: ")),
            (None, false) => Some(format!("{text} (Recommended): ")),
        };
        let current = self.name.clone();
        let name = asker.ask(Ask {
            text,
            format,
            current: current.as_deref(),
            completions: {
                let mut names: Vec<String> = self
                    .resolved
                    .config
                    .sso_session_names()
                    .map(str::to_owned)
                    .collect();
                names.sort();
                names
            },
            check: if required {
                Check::Required
            } else {
                Check::None
            },
            flag: "--sso-session",
            given: self.answers.sso_session.as_deref(),
        })?;
        self.set_name(name.clone());
        Ok(name)
    }

    fn ask_key(
        &mut self,
        asker: &Asker<'_>,
        key: &str,
        ask: Ask<'_>,
    ) -> Result<Option<String>, CliError> {
        let value = asker.ask(ask)?;
        if let Some(value) = &value {
            self.config.insert(key.to_owned(), value.clone());
        }
        Ok(value)
    }

    /// Every value of `key` in the config's profiles and sessions, sorted, for Tab completion.
    fn values_of(&self, key: &str) -> Vec<String> {
        let config = &self.resolved.config;
        let mut values: Vec<String> = config
            .profiles()
            .filter_map(|p| p.get(key))
            .chain(config.sso_sessions().filter_map(|s| s.get(key)))
            .map(str::to_owned)
            .collect();
        values.sort();
        values.dedup();
        values
    }

    fn ask_start_url(&mut self, asker: &Asker<'_>) -> Result<Option<String>, CliError> {
        let current = self.config.get("sso_start_url").cloned();
        let urls = self.values_of("sso_start_url");
        self.ask_key(
            asker,
            "sso_start_url",
            Ask {
                text: "SSO start URL",
                format: None,
                current: current.as_deref(),
                completions: urls,
                check: Check::StartUrl,
                flag: "--start-url",
                given: self.answers.start_url.as_deref(),
            },
        )
    }

    /// The region question, unless the start URL is a vanity URL that names its region.
    fn ask_region(
        &mut self,
        asker: &Asker<'_>,
        context: &Context,
    ) -> Result<Option<String>, CliError> {
        if self.region_flag.is_none()
            && let Some(url) = self.config.get("sso_start_url").cloned()
            && let Ok(start) =
                sso_auth::start_url::resolve(&url, self.resolved.transport(context).as_ref())
            && let Some(region) = start.region
        {
            self.config.insert("sso_region".into(), region.clone());
            return Ok(Some(region));
        }
        let current = self.config.get("sso_region").cloned();
        let regions = self.values_of("sso_region");
        let region = self.ask_key(
            asker,
            "sso_region",
            Ask {
                text: "SSO region",
                format: None,
                current: current.as_deref(),
                completions: regions,
                check: Check::Required,
                flag: "--region",
                given: self.region_flag,
            },
        )?;
        if let Some(region) = &region {
            sso_config::validate_region(region)?;
        }
        Ok(region)
    }

    /// `_set_sso_session_defaults_from_profile_config`, then the start URL and region
    /// questions: the profile's own `sso_start_url` and `sso_region` are their defaults.
    fn ask_start_url_and_region(
        &mut self,
        asker: &Asker<'_>,
        context: &Context,
        profile: Option<&sso_config::Profile>,
    ) -> Result<(String, String), CliError> {
        for key in ["sso_start_url", "sso_region"] {
            if let Some(value) = profile.and_then(|p| p.get(key)) {
                self.config.insert(key.into(), value.to_owned());
            }
        }
        let start_url = self.ask_start_url(asker)?.unwrap_or_default();
        let region = self.ask_region(asker, context)?.unwrap_or_default();
        Ok((start_url, region))
    }

    fn ask_scopes(&mut self, asker: &Asker<'_>) -> Result<Vec<String>, CliError> {
        self.config
            .entry("sso_registration_scopes".into())
            .or_insert_with(|| DEFAULT_SCOPE.to_owned());
        let current = self.config.get("sso_registration_scopes").cloned();
        let raw = self.ask_key(
            asker,
            "sso_registration_scopes",
            Ask {
                text: "SSO registration scopes",
                format: None,
                current: current.as_deref(),
                completions: vec![DEFAULT_SCOPE.to_owned()],
                check: Check::Scopes,
                flag: "--scopes",
                given: self.answers.scopes.as_deref(),
            },
        )?;
        Ok(parse_registration_scopes(
            raw.as_deref().unwrap_or_default(),
        ))
    }

    /// The `[sso-session NAME]` pairs to write.
    fn section(&self) -> Option<(String, Vec<(String, String)>)> {
        let name = self.name.as_deref()?;
        let pairs = self
            .config
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Some((section_header_of("sso-session", name), pairs))
    }
}

fn asker<'a>(context: &'a Context, command: &'static str) -> Asker<'a> {
    Asker {
        context,
        interactive: context.terminal.stdin_is_terminal(),
        command,
    }
}

/// Writes the sections in one atomic edit (profile first, as the AWS CLI writes them).
fn write(
    resolved: &Resolved,
    sections: &[(String, Vec<(String, String)>)],
) -> Result<(), CliError> {
    let path = resolved.config.config_path();
    sso_config::writer::edit(path, |document| {
        for (section, pairs) in sections {
            let pairs: Vec<(&str, &str)> = pairs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            document
                .update_section(section, &pairs)
                .map_err(sso_config::writer::WriteError::edit(path))?;
        }
        Ok::<_, sso_config::writer::WriteError>(())
    })?;
    Ok(())
}

/// `configure sso-session`.
pub(crate) fn configure_sso_session(
    args: &ConfigureSsoSessionArgs,
    global: &GlobalArgs,
    resolved: &Resolved,
    context: &Context,
) -> Result<(), CliError> {
    let asker = asker(context, "configure sso-session");
    let mut session = SessionPrompter::new(resolved, &args.session, global.region.as_deref());
    let name = session.ask_name(&asker, true)?.unwrap_or_default();
    session.ask_start_url(&asker)?;
    session.ask_region(&asker, context)?;
    session.ask_scopes(&asker)?;
    write(resolved, session.section().as_slice())?;
    context.terminal.stdout(&format!(
        "\nCompleted configuring SSO session: {name}\nRun the following to login and refresh access token for this session:\n\naws sso login --sso-session {name}\n"
    ));
    Ok(())
}

/// `configure sso`.
pub(crate) fn configure_sso(
    args: &ConfigureSsoArgs,
    global: &GlobalArgs,
    resolved: &Resolved,
    context: &Context,
) -> Result<(), CliError> {
    let asker = asker(context, "configure sso");
    // `--profile` (or AWS_PROFILE) names the profile to write; its current values are the
    // defaults. Without one, the default profile's values are.
    let preselected = resolved
        .settings
        .profile_source
        .is_some()
        .then(|| resolved.settings.profile_name.clone())
        .or_else(|| args.profile_name.clone());
    let profile = resolved.config.profile(&resolved.settings.profile_name);
    let current = |key: &str| profile.and_then(|p| p.get(key)).map(str::to_owned);

    let mut session = SessionPrompter::new(resolved, &args.session, global.region.as_deref());
    if let Some(name) = current("sso_session") {
        session.set_name(Some(name));
    }
    // The profile's new values, in the order the AWS CLI writes them.
    let mut values: IndexMap<String, String> = IndexMap::new();
    let name = session.ask_name(&asker, false)?;
    let (target, force) = match &name {
        None => {
            context.terminal.stdout(
                "\u{1b}[1mWARNING: Configuring using legacy format (e.g. without an SSO session).\nConsider re-running \"configure sso\" command and providing a session name.\n\u{1b}[0m",
            );
            // The legacy answers go to the profile itself.
            session.config = IndexMap::new();
            let (start_url, region) = session.ask_start_url_and_region(&asker, context, profile)?;
            for (key, value) in session.config.drain(..) {
                values.insert(key, value);
            }
            let target = SsoTarget::Legacy {
                profile_name: preselected.clone().unwrap_or_else(|| "default".into()),
                start_url,
                region,
            };
            (target, false)
        }
        Some(name) => {
            values.insert("sso_session".into(), name.clone());
            if session.exists(name) {
                (resolved.sso_target(Some(name))?, false)
            } else {
                let (start_url, region) =
                    session.ask_start_url_and_region(&asker, context, profile)?;
                let scopes = session.ask_scopes(&asker)?;
                let target = SsoTarget::Session {
                    session_name: name.clone(),
                    start_url,
                    region,
                    registration_scopes: Some(scopes),
                };
                // A new session always signs in afresh, so no token of an earlier attempt
                // is taken for it.
                (target, true)
            }
        }
    };

    let login_args = LoginArgs {
        sso_session: None,
        no_browser: args.no_browser,
        use_device_code: args.use_device_code,
        redirect_port: args.redirect_port,
        fresh: false,
    };
    let token = sign_in(&target, force, &login_args, resolved, context)?;

    let chosen = choose_account_and_role(&asker, args, &target, &token, resolved, context)?;
    if let Some((account, role)) = &chosen {
        values.insert("sso_account_id".into(), account.clone());
        values.insert("sso_role_name".into(), role.clone());
    }

    let region = asker.ask(Ask {
        text: "Default client Region",
        format: None,
        current: current("region").as_deref(),
        completions: Vec::new(),
        check: Check::None,
        flag: "--default-region",
        given: args.default_region.as_deref(),
    })?;
    if let Some(region) = region {
        sso_config::validate_region(&region)?;
        values.insert("region".into(), region);
    }
    let output = asker.ask(Ask {
        text: "CLI default output format (json if not specified)",
        format: None,
        current: current("output").as_deref(),
        completions: crate::cli::OUTPUT_FORMATS.map(String::from).to_vec(),
        check: Check::None,
        flag: "--default-output",
        given: args.default_output.as_deref(),
    })?;
    if let Some(output) = output {
        values.insert("output".into(), output);
    }

    let profile_name = match preselected {
        Some(name) => name,
        None => {
            let default = chosen
                .as_ref()
                .map(|(account, role)| format!("{role}-{account}"));
            asker
                .ask(Ask {
                    text: "Profile name",
                    format: None,
                    current: default.as_deref(),
                    completions: Vec::new(),
                    check: Check::Required,
                    flag: "--profile-name",
                    given: None,
                })?
                .unwrap_or_default()
        }
    };

    let mut sections = Vec::new();
    if !values.is_empty() {
        sections.push((profile_section(&profile_name), values.into_iter().collect()));
    }
    sections.extend(session.section());
    write(resolved, &sections)?;

    let conclusion = if chosen.is_some() {
        if profile_name.eq_ignore_ascii_case("default") {
            "The AWS CLI is now configured to use the default profile.\nRun the following command to verify your configuration:\n\naws sts get-caller-identity\n".to_owned()
        } else {
            format!(
                "To use this profile, specify the profile name using --profile, as shown:\n\naws sts get-caller-identity --profile {profile_name}\n"
            )
        }
    } else {
        format!("Successfully configured SSO for profile: {profile_name}\n")
    };
    context.terminal.stdout(&conclusion);
    Ok(())
}

/// `do_sso_login` as the wizard calls it: a cached token with 15 minutes left is used as it
/// is (unless `force`), otherwise a sign-in. Returns the access token.
fn sign_in(
    target: &SsoTarget,
    force: bool,
    args: &LoginArgs,
    resolved: &Resolved,
    context: &Context,
) -> Result<Secret<String>, CliError> {
    let key = sso_auth::token_key(target);
    let cache = context.cache()?;
    if !force
        && let Some(token) = cache.load_token(&key)?.into_found()
        && token.expires_at.duration_since(context.clock.now()) >= REUSE_WINDOW
    {
        return Ok(token.access_token);
    }
    let target = login::sign_in(target, args, resolved, context)?;
    let provider = TokenProvider {
        cache,
        clock: context.clock.as_ref(),
        terminal: context.terminal.as_ref(),
    };
    let oidc = || Ok(resolved.oidc_client(context, target.region(), false)?);
    Ok(provider.access_token(&target, oidc)?)
}

/// Steps 3 and 4: the account, then the role. `None` when listing was refused
/// (`UnauthorizedException`), as in the AWS CLI.
fn choose_account_and_role(
    asker: &Asker<'_>,
    args: &ConfigureSsoArgs,
    target: &SsoTarget,
    token: &Secret<String>,
    resolved: &Resolved,
    context: &Context,
) -> Result<Option<(String, String)>, CliError> {
    let portal = resolved.portal_client(context, target.region(), false)?;
    let unauthorized =
        |error: &sso_client::ClientError| error.code() == Some("UnauthorizedException");
    let skip = || {
        context.terminal.stdout(
            "Unable to list AWS accounts and/or roles. Skipping configuring AWS credential provider for profile.\n",
        );
        Ok(None)
    };

    let mut accounts = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let page = match portal.list_accounts(token, next.as_deref(), None) {
            Ok(page) => page,
            Err(error) if unauthorized(&error) => return skip(),
            Err(error) => return Err(error.into()),
        };
        accounts.extend(page.account_list.unwrap_or_default());
        next = page.next_token.filter(|t| !t.is_empty());
        if next.is_none() {
            break;
        }
    }
    if accounts.is_empty() {
        return Err(CliError::general("No AWS accounts are available to you."));
    }
    let account_id = if let Some(wanted) = &args.account_id {
        if !accounts
            .iter()
            .any(|a| a.account_id.as_deref() == Some(wanted))
        {
            return Err(CliError::ParamValidation(format!(
                "argument --account-id: {wanted} is not one of the {} AWS accounts available to you",
                accounts.len()
            )));
        }
        wanted.clone()
    } else if accounts.len() == 1 {
        let id = accounts[0].account_id.clone().unwrap_or_default();
        context
            .terminal
            .stdout(&format!("The only AWS account available to you is: {id}\n"));
        id
    } else {
        context.terminal.stdout(&format!(
            "There are {} AWS accounts available to you.\n",
            accounts.len()
        ));
        accounts.sort_by_cached_key(account_sort_key);
        let labels: Vec<String> = accounts.iter().map(display_account).collect();
        let index = asker.choose(&labels, "--account-id", "AWS accounts")?;
        accounts[index].account_id.clone().unwrap_or_default()
    };
    context
        .terminal
        .stdout(&format!("Using the account ID {account_id}\n"));

    let mut roles = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let page = match portal.list_account_roles(token, &account_id, next.as_deref(), None) {
            Ok(page) => page,
            Err(error) if unauthorized(&error) => return skip(),
            Err(error) => return Err(error.into()),
        };
        roles.extend(
            page.role_list
                .unwrap_or_default()
                .into_iter()
                .filter_map(|role| role.role_name),
        );
        next = page.next_token.filter(|t| !t.is_empty());
        if next.is_none() {
            break;
        }
    }
    if roles.is_empty() {
        return Err(CliError::general(format!(
            "No roles are available for the account {account_id}"
        )));
    }
    let role = if let Some(wanted) = &args.role_name {
        if !roles.contains(wanted) {
            return Err(CliError::ParamValidation(format!(
                "argument --role-name: {wanted} is not one of the {} roles available to you in account {account_id}",
                roles.len()
            )));
        }
        wanted.clone()
    } else if roles.len() == 1 {
        context.terminal.stdout(&format!(
            "The only role available to you is: {}\n",
            roles[0]
        ));
        roles[0].clone()
    } else {
        context.terminal.stdout(&format!(
            "There are {} roles available to you.\n",
            roles.len()
        ));
        roles.sort_by_cached_key(|role| role.to_lowercase());
        let index = asker.choose(&roles, "--role-name", "roles")?;
        roles[index].clone()
    };
    context
        .terminal
        .stdout(&format!("Using the role name \"{role}\"\n"));
    Ok(Some((account_id, role)))
}

/// `display_account`.
fn display_account(account: &sso_client::AccountInfo) -> String {
    let id = account.account_id.as_deref().unwrap_or_default();
    match (&account.account_name, &account.email_address) {
        (None, None) => id.to_owned(),
        (Some(name), None) => format!("{name} ({id})"),
        (None, Some(email)) => format!("{email} ({id})"),
        (Some(name), Some(email)) => format!("{name}, {email} ({id})"),
    }
}

/// `get_account_sorting_key`: accounts with only an ID last; by the first of name, e-mail and
/// ID, case-insensitively.
fn account_sort_key(account: &sso_client::AccountInfo) -> (bool, Option<String>) {
    let only_id = account.account_name.is_none() && account.email_address.is_none();
    let first = account
        .account_name
        .as_ref()
        .or(account.email_address.as_ref())
        .or(account.account_id.as_ref())
        .map(|value| value.to_lowercase());
    (only_id, first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validators_say_what_the_aws_cli_says() {
        assert_eq!(
            Check::StartUrl.message("not a url", None).as_deref(),
            Some("Not a valid Start URL")
        );
        assert_eq!(Check::StartUrl.message("", Some("https://x")), None);
        assert_eq!(
            Check::Required.message("", None).as_deref(),
            Some("A value is required")
        );
        assert_eq!(
            Check::Scopes.message("a b,c", None).as_deref(),
            Some("Scope values must be separated by commas")
        );
        assert_eq!(Check::Scopes.message(" a , c ", None), None);
    }

    #[test]
    fn accounts_sort_and_display_like_the_aws_cli() {
        let account = |id: &str, name: Option<&str>, email: Option<&str>| sso_client::AccountInfo {
            account_id: Some(id.into()),
            account_name: name.map(Into::into),
            email_address: email.map(Into::into),
        };
        let mut accounts = [
            account("3", None, None),
            account("2", Some("beta"), Some("b@x")),
            account("1", Some("Alpha"), None),
            account("4", None, Some("a@x")),
        ];
        accounts.sort_by_cached_key(account_sort_key);
        let shown: Vec<String> = accounts.iter().map(display_account).collect();
        assert_eq!(shown, ["a@x (4)", "Alpha (1)", "beta, b@x (2)", "3"]);
    }
}
