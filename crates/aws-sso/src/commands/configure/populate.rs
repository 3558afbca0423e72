//! `configure populate`: a profile for every account × role of an sso-session, written into a
//! block of the config file that this command owns (issue 10).
//!
//! The roles come from `roles::list` (the role catalog cache, or a listing paced for large
//! organisations). The block is `ConfigDocument`'s managed block: everything outside it stays
//! byte for byte, and a run that generates the same profiles leaves the file untouched. Names
//! come from a small `{field}` template; what a profile name cannot safely hold becomes `-`,
//! and clashes are resolved the same way every run, so names do not move between runs.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Write as _;

use sso_auth::limiter::DEFAULT_RATE;
use sso_config::{ConfigDocument, SharedConfig, SsoTarget, profile_section};

use crate::Context;
use crate::cli::{GlobalArgs, PopulateArgs};
use crate::commands::roles;
use crate::error::CliError;
use crate::settings::Resolved;

/// `configure populate`.
pub(crate) fn run(
    args: &PopulateArgs,
    global: &GlobalArgs,
    resolved: &Resolved,
    context: &Context,
) -> Result<(), CliError> {
    // Everything that can be wrong with the command line is found before any request.
    let template = Template::parse(&args.template).map_err(CliError::Usage)?;
    if let Some(region) = &global.region {
        sso_config::validate_region(region).map_err(CliError::from)?;
    }
    let target = resolved.sso_target(Some(&args.sso_session))?;
    let path = resolved.config.config_path().to_owned();
    // Read (and check) the file before the listing, which may take minutes.
    sso_config::writer::read(&path)?;

    let built = roles::list(
        &target,
        args.refresh || args.prune,
        args.max_rate.unwrap_or(DEFAULT_RATE),
        global,
        resolved,
        context,
    )?;
    let failed: HashSet<&str> = built
        .failures
        .iter()
        .map(|failure| failure.account_id.as_str())
        .collect();
    let settings = ProfileSettings {
        session: &args.sso_session,
        region: global.region.as_deref(),
        output: args.output_format.as_deref(),
    };
    let wanted = name_profiles(&template, &built.catalog.accounts, &settings, &target);

    let id = block_id(&args.sso_session);
    let plan = |document: &mut ConfigDocument| -> Result<Plan, CliError> {
        let plan = Plan::make(document, &id, &path, wanted.clone(), &failed, args.prune)?;
        document
            .set_managed_block(&id, &plan.body())
            .map_err(block_error(&path))?;
        Ok(plan)
    };
    if args.dry_run {
        let before = sso_config::writer::read(&path)?;
        let mut document = ConfigDocument::parse(&before);
        let plan = plan(&mut document)?;
        print_diff(&before, &document.text(), &path, context);
        plan.warn(context);
        return roles::report_failures(built.failures, context);
    }
    let (plan, changed) = sso_config::writer::edit(&path, plan)?;
    plan.warn(context);
    context
        .terminal
        .stdout(&plan.summary(&args.sso_session, &path, changed));
    roles::report_failures(built.failures, context)
}

/// The marker text of the block of one sso-session's profiles.
fn block_id(session: &str) -> String {
    format!("aws-sso configure populate --sso-session {session}")
}

/// An edit of the block refused (an unclosed block): the message names the file.
fn block_error(path: &std::path::Path) -> impl Fn(sso_config::EditError) -> CliError + '_ {
    move |source| sso_config::writer::WriteError::edit(path)(source).into()
}

/// A `--template`: literal text and `{field}`s.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Template(Vec<Part>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Field(Field),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    AccountId,
    AccountName,
    RoleName,
    SsoSession,
    Region,
}

const FIELDS: &str = "{account_id}, {account_name}, {role_name}, {sso_session} or {region}";

impl Template {
    fn parse(text: &str) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    literal.push('}');
                }
                '{' => {
                    let name: String = chars.by_ref().take_while(|&c| c != '}').collect();
                    let field = match name.as_str() {
                        "account_id" => Field::AccountId,
                        "account_name" => Field::AccountName,
                        "role_name" => Field::RoleName,
                        "sso_session" => Field::SsoSession,
                        "region" => Field::Region,
                        _ => {
                            return Err(format!(
                                "argument --template: unknown field {{{name}}} in {text:?}; the fields are {FIELDS} (write {{{{ and }}}} for literal braces)"
                            ));
                        }
                    };
                    if !literal.is_empty() {
                        parts.push(Part::Literal(std::mem::take(&mut literal)));
                    }
                    parts.push(Part::Field(field));
                }
                '}' => {
                    return Err(format!(
                        "argument --template: a lone `}}` in {text:?}; write }}}} for a literal brace"
                    ));
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        if !parts
            .iter()
            .any(|part| matches!(part, Part::Field(Field::RoleName)))
        {
            return Err(format!(
                "argument --template: {text:?} has no {{role_name}}, so the roles of an account would share one name; add it"
            ));
        }
        Ok(Self(parts))
    }

    fn render(&self, values: &Values<'_>) -> String {
        let mut out = String::new();
        for part in &self.0 {
            match part {
                Part::Literal(text) => out.push_str(text),
                Part::Field(Field::AccountId) => out.push_str(values.account_id),
                Part::Field(Field::AccountName) => out.push_str(values.account_name),
                Part::Field(Field::RoleName) => out.push_str(values.role_name),
                Part::Field(Field::SsoSession) => out.push_str(values.session),
                Part::Field(Field::Region) => out.push_str(values.region),
            }
        }
        out
    }
}

struct Values<'a> {
    account_id: &'a str,
    account_name: &'a str,
    role_name: &'a str,
    session: &'a str,
    region: &'a str,
}

/// What a generated name may hold: letters, digits and `._-@+=,/:`. Everything else (spaces,
/// quotes, brackets, `#`, control characters) would need quoting in the section header or a
/// shell, so it becomes `-`, with runs of `-` squeezed and none at either end.
fn sanitize(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        let c = if c.is_alphanumeric() || "._-@+=,/:".contains(c) {
            c
        } else {
            '-'
        };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    out.trim_matches('-').to_owned()
}

/// The keys every generated profile gets besides its account and role.
struct ProfileSettings<'a> {
    session: &'a str,
    region: Option<&'a str>,
    output: Option<&'a str>,
}

/// One profile of the block.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Generated {
    name: String,
    account_id: String,
    role_name: String,
    /// The section text, header first.
    text: String,
}

fn profile_text(name: &str, pairs: &[(&str, &str)]) -> String {
    let mut text = format!("[{}]\n", profile_section(name));
    for (key, value) in pairs {
        let _ = writeln!(text, "{key} = {value}");
    }
    text
}

/// Names every (account, role) of the catalog. Clashing names get `-ACCOUNT_ID`, then `-2`,
/// `-3`… in (account ID, role) order, so the same roles always get the same names.
fn name_profiles(
    template: &Template,
    accounts: &[sso_cache::CatalogAccount],
    settings: &ProfileSettings<'_>,
    target: &SsoTarget,
) -> Vec<Generated> {
    let region = settings.region.unwrap_or(target.region());
    let mut entries: Vec<(String, &str, &str)> = Vec::new();
    for account in accounts {
        for role in account.roles.iter().flatten() {
            let raw = template.render(&Values {
                account_id: &account.account_id,
                account_name: &account.account_name,
                role_name: role,
                session: settings.session,
                region,
            });
            entries.push((sanitize(&raw), &account.account_id, role));
        }
    }
    entries.sort_by(|a, b| (a.1, a.2).cmp(&(b.1, b.2)));
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for (name, ..) in &entries {
        *count.entry(name.clone()).or_default() += 1;
    }
    let mut taken = BTreeSet::new();
    let mut generated = Vec::with_capacity(entries.len());
    for (name, account_id, role_name) in entries {
        let mut name = if count[&name] > 1 || name.is_empty() {
            sanitize(&format!("{name}-{account_id}"))
        } else {
            name
        };
        if taken.contains(&name) {
            let base = name.clone();
            let mut n = 2;
            while taken.contains(&name) {
                name = format!("{base}-{n}");
                n += 1;
            }
        }
        taken.insert(name.clone());
        let mut pairs = vec![
            ("sso_session", settings.session),
            ("sso_account_id", account_id),
            ("sso_role_name", role_name),
        ];
        pairs.extend(settings.region.map(|r| ("region", r)));
        pairs.extend(settings.output.map(|o| ("output", o)));
        generated.push(Generated {
            text: profile_text(&name, &pairs),
            name,
            account_id: account_id.to_owned(),
            role_name: role_name.to_owned(),
        });
    }
    generated
}

/// The new block and what changed.
struct Plan {
    profiles: Vec<Generated>,
    /// (name, account, role) of roles skipped because a profile of the user has the name.
    collisions: Vec<(String, String, String)>,
    /// Names of managed profiles whose role is gone but which stay (no --prune).
    kept_stale: Vec<String>,
    added: usize,
    updated: usize,
    removed: usize,
    config: std::path::PathBuf,
}

impl Plan {
    fn make(
        document: &ConfigDocument,
        id: &str,
        path: &std::path::Path,
        wanted: Vec<Generated>,
        failed: &HashSet<&str>,
        prune: bool,
    ) -> Result<Self, CliError> {
        let old_block = document
            .managed_block(id)
            .map_err(block_error(path))?
            .unwrap_or_default();
        // The profiles outside the block, as botocore sees them.
        let mut outside = document.clone();
        outside
            .set_managed_block(id, "")
            .map_err(block_error(path))?;
        let outside = SharedConfig::parse(&outside.text(), path, "", path)?;
        let old = SharedConfig::parse(&old_block, path, "", path)?;

        let mut collisions = Vec::new();
        let mut profiles = Vec::new();
        let mut current: HashSet<(String, String)> = HashSet::new();
        for profile in wanted {
            current.insert((profile.account_id.clone(), profile.role_name.clone()));
            if profile.name == "default" || outside.profile(&profile.name).is_some() {
                collisions.push((profile.name, profile.account_id, profile.role_name));
            } else {
                profiles.push(profile);
            }
        }
        let mut kept_stale = Vec::new();
        let names: HashSet<String> = profiles.iter().map(|p| p.name.clone()).collect();
        for profile in old.profiles() {
            let account = profile.get("sso_account_id").unwrap_or_default();
            let role = profile.get("sso_role_name").unwrap_or_default();
            let gone = !current.contains(&(account.to_owned(), role.to_owned()));
            // An account that could not be listed this time is not evidence that its roles
            // are gone: its profiles stay even under --prune.
            let keep =
                gone && (!prune || failed.contains(account)) && !names.contains(profile.name());
            if keep {
                let pairs = text_pairs(profile);
                if !failed.contains(account) {
                    kept_stale.push(profile.name().to_owned());
                }
                profiles.push(Generated {
                    name: profile.name().to_owned(),
                    account_id: account.to_owned(),
                    role_name: role.to_owned(),
                    text: profile_text(profile.name(), &pairs),
                });
            }
        }
        profiles.sort_by(|a, b| a.name.cmp(&b.name));
        // What each managed profile was, in the form this command writes it.
        let old_text: BTreeMap<&str, String> = old
            .profiles()
            .map(|p| (p.name(), profile_text(p.name(), &text_pairs(p))))
            .collect();
        let mut added = 0;
        let mut updated = 0;
        for profile in &profiles {
            match old_text.get(profile.name.as_str()) {
                None => added += 1,
                Some(old) if *old != profile.text => updated += 1,
                Some(_) => {}
            }
        }
        let names: HashSet<&str> = profiles.iter().map(|p| p.name.as_str()).collect();
        let removed = old_text
            .keys()
            .filter(|name| !names.contains(**name))
            .count();
        Ok(Self {
            profiles,
            collisions,
            kept_stale,
            added,
            updated,
            removed,
            config: path.to_owned(),
        })
    }

    fn body(&self) -> String {
        if self.profiles.is_empty() {
            return String::new();
        }
        let mut body = String::from(
            "# Written by aws-sso configure populate: changes between the BEGIN and END lines are replaced on its next run.\n",
        );
        for profile in &self.profiles {
            body.push('\n');
            body.push_str(&profile.text);
        }
        body
    }

    fn warn(&self, context: &Context) {
        for (name, account, role) in &self.collisions {
            context.terminal.warn(&format!(
                "skipped role {role} of account {account}: the profile name {name:?} is already used in {} outside the block aws-sso manages; rename that profile or choose another --template",
                self.config.display()
            ));
        }
    }

    fn summary(&self, session: &str, path: &std::path::Path, changed: bool) -> String {
        let count = self.profiles.len();
        let profiles = if count == 1 { "profile" } else { "profiles" };
        let mut out = if changed {
            format!(
                "Wrote {count} {profiles} for sso-session {session} to {}: {} added, {} updated, {} removed.\n",
                path.display(),
                self.added,
                self.updated,
                self.removed
            )
        } else {
            format!(
                "The {count} {profiles} for sso-session {session} in {} are up to date.\n",
                path.display()
            )
        };
        if !self.kept_stale.is_empty() {
            let _ = writeln!(
                out,
                "{} of them no longer have their role ({}); --prune removes them.",
                self.kept_stale.len(),
                self.kept_stale.join(", ")
            );
        }
        if count > 0 {
            let first = &self.profiles[0].name;
            let _ = writeln!(
                out,
                "Use one with --profile, e.g.: aws sts get-caller-identity --profile {first}"
            );
        }
        out
    }
}

/// A profile's `key = value` settings (nested ones cannot occur in what this command writes).
fn text_pairs(profile: &sso_config::Profile) -> Vec<(&str, &str)> {
    profile
        .properties()
        .iter()
        .filter_map(|(key, value)| Some((key.as_str(), value.as_text()?)))
        .collect()
}

/// `--dry-run`: the change as a unified diff on stdout (nothing when there is none).
fn print_diff(before: &str, after: &str, path: &std::path::Path, context: &Context) {
    if before == after {
        context
            .terminal
            .stdout(&format!("No change to {}.\n", path.display()));
        return;
    }
    let name = path.display().to_string();
    let diff = similar::TextDiff::from_lines(before, after);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(&name, &format!("{name} (after configure populate)"))
        .to_string();
    context.terminal.stdout(&text);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_parse_render_and_refuse() {
        let template = Template::parse("{account_name}.{role_name}@{{x}}").unwrap();
        let values = Values {
            account_id: "1",
            account_name: "Dev",
            role_name: "Admin",
            session: "s",
            region: "r",
        };
        assert_eq!(template.render(&values), "Dev.Admin@{x}");
        assert!(
            Template::parse("{account}-{role_name}")
                .unwrap_err()
                .contains("unknown field {account}")
        );
        assert!(
            Template::parse("{account_id}")
                .unwrap_err()
                .contains("has no {role_name}")
        );
        assert!(
            Template::parse("{role_name}}")
                .unwrap_err()
                .contains("lone `}`")
        );
    }

    #[test]
    fn names_keep_only_what_needs_no_quoting() {
        assert_eq!(
            sanitize("My Account [prod]/Admin"),
            "My-Account-prod-/Admin"
        );
        assert_eq!(sanitize("  'x'  "), "x");
        assert_eq!(sanitize("Überwachung.Read#Only"), "Überwachung.Read-Only");
        assert_eq!(sanitize("###"), "");
    }
}
