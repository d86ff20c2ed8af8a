//! `waba`: the command line of waba.
//!
//! ```text
//! waba demo                                   every provider against the built-in sandbox
//! waba sandbox [--port N] [--print-config P [--format toml|env]]
//! waba sandbox inbound --url URL --provider P --from N --text T
//! waba send --to N|USER_ID (--text T [--preview-url] | --template NAME [--lang L] [--param P]…
//!           | --image|--video|--document URL|FILE [--caption C] | --audio|--sticker URL|FILE
//!           | --location LAT,LON) [--reply-to ID] [--from N]
//! waba send --json FILE|-                     a message in its JSON form
//! waba broadcast --to-file numbers.csv --template NAME [--param P]… [--param-column COL]… [--report report.csv]
//! waba status ID
//! waba contacts check N…
//! waba media upload FILE | media download ID [-o FILE]
//! waba mark-read ID
//! waba templates list
//! waba config check                           resolved settings, origins, a credentials check
//! waba webhook decode --provider P FILE|-
//! waba webhook listen --port N --provider P [--path /p] [--secret S | --header N:V | --basic U:P]
//! waba completions bash|zsh|fish
//! ```
//! Commands that talk to a provider read the configuration from `--config FILE` and
//! `WABA_*` variables. `--output json` prints results as JSON lines. Exit codes: [`exit`].

mod broadcast;
mod config_check;
mod config_keys;
mod demo;
mod exit;
mod ops;
mod out;
mod sandbox;
mod send;
mod webhook;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use waba::{Config, PhoneNumber};

use crate::exit::Exit;
use crate::out::Output;

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
    /// How results are printed: text for people, or one JSON value per line.
    #[arg(long, global = true, value_enum, default_value_t = Output::Text)]
    output: Output,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs every provider against the built-in sandbox and prints what happened.
    Demo,
    /// Runs the sandbox in the foreground, or plays a customer against a running one.
    Sandbox(sandbox::Args),
    /// Sends one message; prints its id.
    Send(Box<send::Args>),
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
        command: ops::ContactsCommand,
    },
    /// Uploads or downloads media.
    Media {
        #[command(subcommand)]
        command: ops::MediaCommand,
    },
    /// Marks an inbound message (and those before it) read.
    MarkRead {
        /// The inbound message's id.
        id: String,
    },
    /// The account's message templates.
    Templates {
        #[command(subcommand)]
        command: ops::TemplatesCommand,
    },
    /// Shows and checks the configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Decodes or receives webhooks.
    Webhook {
        #[command(subcommand)]
        command: webhook::Command,
    },
    /// Prints a shell completion script (`waba completions bash > /etc/bash_completion.d/waba`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Prints the resolved settings (secrets masked) and where each came from, then checks
    /// that the provider is reachable and takes the credentials.
    Check,
}

/// Why a command did not succeed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A failure to report on stderr in one line, ending with its exit code.
    Error {
        /// The exit code.
        exit: Exit,
        /// What went wrong and what to do, starting with its kind (`io: …`).
        message: String,
    },
    /// The reader of stdout went away (`| head -1`): end quietly with 0.
    StdoutClosed,
}

impl Failure {
    pub(crate) fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self::Error {
            exit,
            message: message.into(),
        }
    }

    /// A wrong command line (64).
    pub(crate) fn usage(message: impl std::fmt::Display) -> Self {
        Self::new(Exit::Usage, format!("usage: {message}"))
    }

    /// Invalid input (65).
    pub(crate) fn data(message: impl std::fmt::Display) -> Self {
        Self::new(Exit::Data, format!("invalid_request: {message}"))
    }

    /// A local file that cannot be read or written (74).
    pub(crate) fn io(message: impl std::fmt::Display) -> Self {
        Self::new(Exit::Io, format!("io: {message}"))
    }
}

impl From<waba::Error> for Failure {
    fn from(e: waba::Error) -> Self {
        Self::new(
            Exit::of(&e),
            format!("{}: {e}. {}", e.kind().name(), e.hint()),
        )
    }
}

impl From<waba::ConfigError> for Failure {
    fn from(e: waba::ConfigError) -> Self {
        Self::new(Exit::Config, format!("config: {e}"))
    }
}

/// A phone number from the command line; a parse error quotes it shortened.
pub(crate) fn phone(s: &str) -> Result<PhoneNumber, Failure> {
    PhoneNumber::parse(s).map_err(|e| {
        let message = e.to_string().replace(&format!("{s:?}"), &out::echo(s));
        Failure::data(message)
    })
}

/// The command line with `--help` completed at run time: the configuration variables of
/// the chosen provider (`WABA_PROVIDER`, else of all) and the exit codes.
fn command() -> clap::Command {
    let chosen = std::env::var("WABA_PROVIDER").ok();
    Cli::command().after_long_help(format!(
        "{}\n{}",
        config_keys::help(chosen.as_deref()),
        exit::HELP
    ))
}

fn main() -> ExitCode {
    let cli = match command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout and succeed; the rest is a usage error.
            let _ = e.print();
            return if e.use_stderr() {
                Exit::Usage.into()
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            out::warn(format!("error: cannot start the runtime: {e}"));
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(Failure::StdoutClosed) => ExitCode::SUCCESS,
        Err(Failure::Error { exit, message }) => {
            out::warn(format!(
                "error: {}",
                out::shorten(&message.replace('\n', " "), out::MESSAGE_LIMIT)
            ));
            exit.into()
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let client =
        || -> Result<waba::Client, Failure> { Ok(Config::load(cli.config.as_deref())?.client()?) };
    let output = cli.output;
    match cli.command {
        Command::Demo => demo::run(output).await,
        Command::Sandbox(args) => sandbox::run(args, output).await,
        Command::Send(args) => {
            send::check(&args)?;
            send::run(&client()?, *args, output).await
        }
        Command::Broadcast(args) => {
            broadcast::run(Config::load(cli.config.as_deref())?, args, output).await
        }
        Command::Config {
            command: ConfigCommand::Check,
        } => config_check::run(Config::load(cli.config.as_deref())).await,
        Command::Status { id } => ops::status(&client()?, id, output).await,
        Command::Contacts { command } => ops::contacts(&client()?, command, output).await,
        Command::Media { command } => ops::media(&client()?, command, output).await,
        Command::MarkRead { id } => ops::mark_read(&client()?, id, output).await,
        Command::Templates { command } => ops::templates(&client()?, command, output).await,
        Command::Webhook { command } => webhook::run(command, cli.config.as_deref()).await,
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command(), "waba", &mut script);
            out::write_bytes(&script)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
