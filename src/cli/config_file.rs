//! `--config FILE`: options kept in a TOML file, under the same names as the command-line flags, so a cron
//! line stays short. Keys at the top level apply to every subcommand that has that option (`quiet = true`
//! serves `anonymize` and `report`, and `check` ignores it); a `[anonymize]`, `[report]`, `[merge]` or `[check]` table
//! applies to that subcommand only (one file can serve several). Values become
//! command-line arguments placed before the real ones, so a flag given on the command line wins over the
//! file; list options (`keep-param = ["q", "page"]`) are combined.
//!
//! ```toml
//! quiet = true
//! [anonymize]
//! ip-mode = "pseudonymize"
//! key-file = "/etc/logveil.key"
//! keep-param = ["q", "page"]
//! ```

use std::ffi::OsString;
use std::path::Path;

use crate::error::Error;

/// The file's options for subcommand `command` (its clap definition) as command-line arguments.
///
/// Unknown keys are errors naming the key and the file, in every table, so a typo never goes unnoticed.
pub(crate) fn arguments(
    path: &Path,
    command: &clap::Command,
    subcommand: &str,
) -> Result<Vec<OsString>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::Usage(format!(
            "{}: cannot read the config file: {e}",
            path.display()
        ))
    })?;
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let line = e.span().map_or(0, |s| {
            text[..s.start.min(text.len())].matches('\n').count() + 1
        });
        Error::Usage(format!(
            "{}:{line}: {}",
            path.display(),
            e.message().trim().replace('\n', " ")
        ))
    })?;
    let mut args = Vec::new();
    for (key, value) in &table {
        if let toml::Value::Table(section) = value {
            let Some(sub) = command.find_subcommand(key) else {
                return Err(unknown(path, key, None));
            };
            let wanted = sub.get_name() == subcommand;
            for (key, value) in section {
                let converted = convert(path, sub, key, value, Some(sub.get_name()))?;
                if wanted {
                    args.extend(converted);
                }
            }
        } else {
            let sub = command
                .find_subcommand(subcommand)
                .ok_or_else(|| unknown(path, subcommand, None))?;
            let name = key.replace('_', "-");
            let has = |c: &clap::Command| {
                c.get_arguments()
                    .any(|a| a.get_long() == Some(name.as_str()))
            };
            if has(sub) {
                args.extend(convert(path, sub, key, value, None)?);
            } else if !command.get_subcommands().any(has) {
                return Err(unknown(path, key, None));
            }
        }
    }
    Ok(args)
}

fn unknown(path: &Path, key: &str, section: Option<&str>) -> Error {
    let place = section.map_or(String::new(), |s| format!(" in [{s}]"));
    Error::Usage(format!(
        "{}: unknown key '{key}'{place} (keys are the long flag names, such as ip-mode)",
        path.display()
    ))
}

/// One key of subcommand `sub` as arguments (`--key=value`, repeated for a list, `--key` for `true`).
fn convert(
    path: &Path,
    sub: &clap::Command,
    key: &str,
    value: &toml::Value,
    section: Option<&str>,
) -> Result<Vec<OsString>, Error> {
    let name = key.replace('_', "-");
    let arg = sub
        .get_arguments()
        .find(|a| a.get_long() == Some(name.as_str()))
        .filter(|_| !matches!(name.as_str(), "config" | "help" | "version"))
        .ok_or_else(|| unknown(path, key, section))?;
    let flag = format!("--{name}");
    let takes_value = arg.get_action().takes_values();
    let bad = |what: &str| Error::Usage(format!("{}: '{key}' {what}", path.display()));
    let scalar = |v: &toml::Value| -> Result<String, Error> {
        match v {
            toml::Value::String(s) => Ok(s.clone()),
            toml::Value::Integer(i) => Ok(i.to_string()),
            toml::Value::Float(f) => Ok(f.to_string()),
            _ => Err(bad("takes a string or a number")),
        }
    };
    let mut out = Vec::new();
    match value {
        toml::Value::Boolean(b) if !takes_value => {
            if *b {
                out.push(OsString::from(flag));
            }
        }
        toml::Value::Boolean(_) => return Err(bad("takes a value, not true or false")),
        _ if !takes_value => return Err(bad("is a switch: write true or false")),
        toml::Value::Array(items) => {
            for item in items {
                out.push(OsString::from(format!("{flag}={}", scalar(item)?)));
            }
        }
        v => out.push(OsString::from(format!("{flag}={}", scalar(v)?))),
    }
    Ok(out)
}
