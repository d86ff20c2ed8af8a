//! `waba`: the command line of waba.
//!
//! ```text
//! waba demo                                   every provider against the built-in sandbox
//! waba sandbox [--port N]                     run the sandbox in the foreground
//! waba send --to N|USER_ID (--text T | --template NAME [--lang L] [--param P]… | --image URL [--caption C])
//! waba broadcast --to-file numbers.csv --template NAME [--param P]… [--report report.csv]
//! waba status ID
//! waba contacts check N…
//! waba webhook decode --provider P FILE
//! waba webhook listen --port N --provider P [--secret S] [--verify-token T]
//! ```
//! Sending commands read the configuration from `--config FILE` and `WABA_*` variables.

mod broadcast;
mod demo;
mod webhook;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use waba::{Config, Content, OutboundMessage, PhoneNumber, Provider, types};

#[derive(Parser)]
#[command(
    name = "waba",
    version,
    about = "WhatsApp Business messaging through any provider"
)]
struct Cli {
    /// A TOML configuration file (WABA_* variables override it).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs every provider against the built-in sandbox and prints what happened.
    Demo,
    /// Runs the sandbox in the foreground.
    Sandbox {
        /// The port on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
    },
    /// Sends one message; prints its id.
    Send(SendArgs),
    /// Sends a template to every number of a CSV file, with a per-recipient report.
    Broadcast(broadcast::Args),
    /// Prints what the provider knows of a message.
    Status {
        /// The message id.
        id: String,
    },
    /// Asks which numbers are on WhatsApp.
    Contacts {
        #[command(subcommand)]
        command: ContactsCommand,
    },
    /// Decodes or receives webhooks.
    Webhook {
        #[command(subcommand)]
        command: webhook::Command,
    },
}

#[derive(Subcommand)]
enum ContactsCommand {
    /// Checks the numbers.
    Check {
        /// The numbers, in E.164.
        #[arg(required = true)]
        numbers: Vec<String>,
    },
}

#[derive(clap::Args)]
#[command(group = clap::ArgGroup::new("kind").required(true).multiple(false).args(["text", "template", "image"]))]
struct SendArgs {
    /// The recipient: a phone number in E.164 (+16315551002), or a business-scoped user id
    /// (US.13491208655302741918) for a customer known without a phone number.
    #[arg(long)]
    to: String,
    /// A text message.
    #[arg(long)]
    text: Option<String>,
    /// A template, by name.
    #[arg(long)]
    template: Option<String>,
    /// The template's language.
    #[arg(long, default_value = "en_US")]
    lang: String,
    /// A template body parameter (repeat in order).
    #[arg(long = "param")]
    params: Vec<String>,
    /// An image, by HTTPS link.
    #[arg(long)]
    image: Option<String>,
    /// The image's caption.
    #[arg(long)]
    caption: Option<String>,
}

/// A one-line failure: what went wrong and what to do.
pub(crate) struct Failure(pub(crate) String);

impl From<waba::Error> for Failure {
    fn from(e: waba::Error) -> Self {
        Self(format!("{}: {e}. {}", e.kind().name(), e.hint()))
    }
}

impl From<waba::ConfigError> for Failure {
    fn from(e: waba::ConfigError) -> Self {
        Self(format!("config: {e}"))
    }
}

pub(crate) fn phone(s: &str) -> Result<PhoneNumber, Failure> {
    PhoneNumber::parse(s).map_err(|e| Failure(format!("invalid_request: {e}")))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(Failure(message)) => {
            eprintln!("error: {}", message.replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let config = || Config::load(cli.config.as_deref());
    match cli.command {
        Command::Demo => demo::run().await,
        Command::Sandbox { port } => {
            let sandbox = waba::sandbox::Sandbox::builder()
                .port(port)
                .start()
                .await
                .map_err(|e| {
                    Failure(format!("io: cannot start the sandbox on port {port}: {e}"))
                })?;
            println!("{}", sandbox.banner());
            let _ = tokio::signal::ctrl_c().await;
            sandbox.shutdown().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Send(args) => {
            let client = config()?.client()?;
            let content = if let Some(text) = args.text {
                Content::text(text)
            } else if let Some(name) = args.template {
                Content::template(name, args.lang, args.params)
            } else if let Some(url) = args.image {
                Content::Image(types::Image {
                    media: types::MediaSource::Link(url),
                    caption: args.caption,
                })
            } else {
                return Err(Failure(
                    "invalid_request: give --text, --template or --image".to_owned(),
                ));
            };
            let to = types::Recipient::parse(&args.to)
                .map_err(|e| Failure(format!("invalid_request: --to: {e}")))?;
            let message = OutboundMessage {
                to,
                from: None,
                content,
                reply_to: None,
                client_reference: None,
            };
            let receipt = client.send(&message).await?;
            println!("{}", receipt.id);
            Ok(ExitCode::SUCCESS)
        }
        Command::Broadcast(args) => broadcast::run(config()?, args).await,
        Command::Status { id } => {
            let client = config()?.client()?;
            let record = client
                .message(&id.into())
                .await
                .map_err(|e| not_supported(&client, "message status", e))?;
            println!("{}", serde_json::to_string(&record).unwrap_or_default());
            Ok(ExitCode::SUCCESS)
        }
        Command::Contacts {
            command: ContactsCommand::Check { numbers },
        } => {
            let client = config()?.client()?;
            let numbers = numbers
                .iter()
                .map(|n| phone(n))
                .collect::<Result<Vec<_>, _>>()?;
            let checks = client
                .check_contacts(&numbers)
                .await
                .map_err(|e| not_supported(&client, "contacts check", e))?;
            for c in checks {
                println!("{}", serde_json::to_string(&c).unwrap_or_default());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Webhook { command } => webhook::run(command).await,
    }
}

/// "not supported by `<provider>`" for an unsupported operation; the error as is otherwise.
fn not_supported(client: &waba::Client, what: &str, e: waba::Error) -> Failure {
    if matches!(e.kind(), waba::ErrorKind::Unsupported { .. }) {
        Failure(format!(
            "unsupported: {what} is not supported by {}",
            client.id()
        ))
    } else {
        e.into()
    }
}
