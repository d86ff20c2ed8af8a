//! `waba config check`: the resolved configuration with secrets masked and where each value
//! came from, then one cheap authenticated call that proves the provider is reachable and
//! takes the credentials.

use std::process::ExitCode;

use waba::{Config, ConfigError, ErrorKind, PhoneNumber, Provider};

use crate::Failure;
use crate::exit::Exit;

pub(crate) async fn run(config: Result<Config, ConfigError>) -> Result<ExitCode, Failure> {
    let config = config?;
    let spec = config.spec()?;
    let origin = config
        .origin("WABA_PROVIDER")
        .map(ToString::to_string)
        .unwrap_or_default();
    println!("provider {} ({}), from {origin}", spec.name, spec.title);
    for r in config.resolved()? {
        println!("  {:<40} {:<32} {}", r.var, r.shown, r.origin);
    }
    let missing: Vec<String> = spec
        .keys
        .iter()
        .filter(|k| k.required && config.get(&spec.env_var(k)).is_none())
        .map(|k| spec.env_var(k))
        .collect();
    if !missing.is_empty() {
        println!("  missing: {}", missing.join(", "));
    }
    let provider = config.provider()?;
    println!("configuration: ok");
    let (what, result) = probe(&provider).await;
    let Some(result) = result else {
        println!(
            "provider: not checked ({} has no read-only authenticated call)",
            spec.name
        );
        return Ok(ExitCode::SUCCESS);
    };
    match result {
        Ok(()) => {
            println!("provider: reachable, credentials accepted ({what})");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => match e.kind() {
            ErrorKind::Auth => {
                println!("provider: reachable, credentials refused ({what}): {e}");
                Ok(Exit::Auth.into())
            }
            ErrorKind::Transport(_) => {
                println!("provider: not reachable ({what}): {e}");
                Ok(Exit::Temporary.into())
            }
            ErrorKind::Config => Err(e.into()),
            // An outage or a throttle proves nothing about the credentials: try again later.
            ErrorKind::Server | ErrorKind::RateLimited { .. } => {
                println!("provider: reachable but unavailable ({what}): {e}");
                Ok(Exit::Temporary.into())
            }
            // An answer that is not the provider's API (an HTML page, `{}`): most likely the
            // base URL points elsewhere.
            ErrorKind::Decode => {
                println!(
                    "provider: the answer is not the provider's API ({what}): {e}; check the \
                     base URL"
                );
                Ok(Exit::Config.into())
            }
            // Anything else is the provider's own answer to an authenticated request about
            // an id that does not exist: it read the credentials and took them.
            kind => {
                println!(
                    "provider: reachable, credentials accepted ({what} answered {})",
                    kind.name()
                );
                Ok(ExitCode::SUCCESS)
            }
        },
    }
}

/// The cheapest read-only authenticated call the provider has, on an id that cannot exist.
async fn probe(provider: &dyn Provider) -> (&'static str, Option<Result<(), waba::Error>>) {
    let caps = provider.capabilities();
    if caps.message_lookup {
        let r = provider.message(&"waba-config-check".into()).await;
        ("message lookup", Some(r.map(|_| ())))
    } else if caps.download_media {
        let r = provider.download_media(&"0".into()).await;
        ("media lookup", Some(r.map(|_| ())))
    } else if caps.check_contacts {
        let Ok(number) = PhoneNumber::parse("+16315550000") else {
            return ("contacts check", None);
        };
        let r = provider.check_contacts(&[number]).await;
        ("contacts check", Some(r.map(|_| ())))
    } else if caps.list_templates {
        let r = provider.list_templates().await;
        ("template list", Some(r.map(|_| ())))
    } else {
        ("", None)
    }
}
