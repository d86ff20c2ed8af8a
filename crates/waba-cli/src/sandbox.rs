//! `waba sandbox`: runs the sandbox in the foreground (its JSON on stdout, the human banner
//! on stderr, so `| jq` works), prints a ready configuration for one provider, and plays a
//! customer's inbound message against a running sandbox's control API.

use std::fmt::Write as _;
use std::process::ExitCode;

use clap::Subcommand;
use serde_json::{Value, json};

use crate::Failure;
use crate::config_keys::{provider_config_keys, variable};
use crate::exit::Exit;
use crate::out::{self, Output, echo};

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct Args {
    /// The port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Prints on stdout a configuration for this provider's emulation instead of the JSON of
    /// all, then keeps serving until Ctrl-C like any sandbox (the configuration points at
    /// it): run it in the background, e.g. `waba sandbox --print-config cloud --format env >
    /// sandbox.env &`, then `. ./sandbox.env`.
    #[arg(long, value_name = "PROVIDER", value_parser = clap::builder::PossibleValuesParser::new(waba::PROVIDERS.iter().map(|s| s.name)))]
    print_config: Option<String>,
    /// The configuration's format: a waba.toml, or `export WABA_…` lines for a shell.
    #[arg(long, value_enum, default_value_t = Format::Toml, requires = "print_config")]
    format: Format,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// A waba.toml file.
    Toml,
    /// `export WABA_…=…` lines (`eval "$(…)"`).
    Env,
}

#[derive(Subcommand)]
enum Command {
    /// Plays a customer writing to the business, on a running sandbox: the message is
    /// stored, the 24-hour window opens, and the provider's inbound webhook goes out.
    Inbound {
        /// The running sandbox's base URL, as its banner prints it (`http://127.0.0.1:PORT`).
        #[arg(long, value_name = "URL")]
        url: String,
        /// Which provider's business number the customer writes to.
        #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(waba::PROVIDERS.iter().map(|s| s.name)))]
        provider: String,
        /// The customer's number, in E.164.
        #[arg(long)]
        from: String,
        /// What the customer writes.
        #[arg(long)]
        text: String,
        /// The customer's profile name.
        #[arg(long)]
        name: Option<String>,
    },
}

pub(crate) async fn run(args: Args, output: Output) -> Result<ExitCode, Failure> {
    match args.command {
        Some(Command::Inbound {
            url,
            provider,
            from,
            text,
            name,
        }) => inbound(&url, &provider, &from, &text, name, output).await,
        None => serve(args.port, args.print_config.as_deref(), args.format).await,
    }
}

async fn serve(port: u16, print_config: Option<&str>, format: Format) -> Result<ExitCode, Failure> {
    let sandbox = waba::sandbox::Sandbox::builder()
        .port(port)
        .start()
        .await
        .map_err(|e| {
            Failure::new(
                Exit::Io,
                format!("io: cannot start the sandbox on port {port}: {e}"),
            )
        })?;
    out::warn(sandbox.banner());
    let printed = match print_config {
        Some(provider) => out::line(config_for(&sandbox.info(), provider, format)?.trim_end()),
        None => out::json(&sandbox.info()),
    };
    // A reader that went away does not stop the sandbox: it serves until Ctrl-C.
    match printed {
        Ok(()) | Err(Failure::StdoutClosed) => {}
        Err(e) => return Err(e),
    }
    let _ = tokio::signal::ctrl_c().await;
    sandbox.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

/// A ready configuration for `provider`'s emulation, from the sandbox's info: the keys the
/// adapter reads, with the values the sandbox accepts.
fn config_for(info: &Value, provider: &str, format: Format) -> Result<String, Failure> {
    let settings = info["providers"][provider]
        .as_object()
        .ok_or_else(|| Failure::usage(format!("the sandbox has no {provider} emulation")))?;
    let mut pairs = Vec::new();
    for key in provider_config_keys(provider) {
        if let Some(v) = settings.get(key.name).and_then(Value::as_str) {
            pairs.push((key.name, v));
        }
    }
    let mut s = String::new();
    match format {
        Format::Toml => {
            let _ = writeln!(s, "provider = {}", toml_string(provider));
            let _ = writeln!(s, "\n[{provider}]");
            for (k, v) in pairs {
                let _ = writeln!(s, "{k} = {}", toml_string(v));
            }
        }
        Format::Env => {
            let _ = writeln!(s, "export WABA_PROVIDER={}", shell_quote(provider));
            for (k, v) in pairs {
                let _ = writeln!(s, "export {}={}", variable(provider, k), shell_quote(v));
            }
        }
    }
    Ok(s)
}

/// A TOML basic string: JSON's escapes are valid TOML ones.
fn toml_string(v: &str) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// A single-quoted POSIX shell word.
fn shell_quote(v: &str) -> String {
    format!("'{}'", v.replace('\'', r"'\''"))
}

async fn inbound(
    url: &str,
    provider: &str,
    from: &str,
    text: &str,
    name: Option<String>,
    output: Output,
) -> Result<ExitCode, Failure> {
    let from = crate::phone(from)?;
    let endpoint = format!("{}/_sandbox/inbound", url.trim_end_matches('/'));
    let mut body = json!({ "provider": provider, "from": from.as_str(), "text": text });
    if let Some(n) = name {
        body["name"] = Value::String(n);
    }
    let response = reqwest::Client::new()
        .post(&endpoint)
        .json(&body)
        .send()
        .await
        .map_err(|e| {
            Failure::new(
                Exit::Temporary,
                format!(
                    "transport: cannot reach the sandbox at {}: {e}",
                    echo(&endpoint)
                ),
            )
        })?;
    let status = response.status();
    let answer: Value = response.json().await.map_err(|e| {
        Failure::new(
            Exit::Failure,
            format!("decode: {endpoint} answered {status} with no JSON: {e}"),
        )
    })?;
    if !status.is_success() {
        return Err(Failure::new(
            Exit::Failure,
            format!(
                "sandbox: {endpoint} answered {status}: {}",
                answer["error"].as_str().unwrap_or("no reason given")
            ),
        ));
    }
    match output {
        Output::Json => out::json(&answer)?,
        Output::Text => out::line(answer["id"].as_str().unwrap_or_default())?,
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configurations_hold_only_the_adapter_keys_quoted_for_their_format() {
        let info = json!({ "providers": { "cloud": {
            "base_url": "http://127.0.0.1:1/cloud", "access_token": "it's \"secret\"",
            "phone_number_id": "1", "display_phone_number": "+1 555", "app_secret": "x",
        }}});
        let toml = config_for(&info, "cloud", Format::Toml).ok().unwrap();
        assert!(
            toml.starts_with("provider = \"cloud\"\n\n[cloud]\n"),
            "{toml}"
        );
        assert!(
            toml.contains("access_token = \"it's \\\"secret\\\"\""),
            "{toml}"
        );
        assert!(!toml.contains("display_phone_number"), "{toml}");
        let env = config_for(&info, "cloud", Format::Env).ok().unwrap();
        assert!(
            env.contains("export WABA_CLOUD_ACCESS_TOKEN='it'\\''s \"secret\"'\n"),
            "{env}"
        );
        assert!(
            env.contains("export WABA_CLOUD_BASE_URL='http://127.0.0.1:1/cloud'"),
            "{env}"
        );
    }
}
