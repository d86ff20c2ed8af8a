//! The provider's optional operations: `status`, `contacts check`, `media upload|download`,
//! `mark-read`, `templates list`. Each is refused with "not supported by <provider>" (exit
//! 69) where the provider's capabilities lack it.

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use serde_json::json;
use waba::types::{MediaId, MediaKind};
use waba::{Client, Provider};

use crate::exit::Exit;
use crate::out::{self, Output};
use crate::send::{kind_of, mime_type, upload};
use crate::{Failure, phone};

#[derive(Subcommand)]
pub(crate) enum ContactsCommand {
    /// Checks the numbers.
    Check {
        /// The numbers, in E.164.
        #[arg(required = true)]
        numbers: Vec<String>,
    },
}

#[derive(Subcommand)]
pub(crate) enum MediaCommand {
    /// Uploads a local file; prints its media id, for sending by id.
    Upload {
        /// The file; its type is told by its extension.
        file: PathBuf,
        /// What it will be sent as (default: told by the file's type; `sticker` for a
        /// WebP to be sent as a sticker).
        #[arg(long, value_parser = ["image", "video", "audio", "document", "sticker"])]
        kind: Option<String>,
    },
    /// Downloads media by id (inbound media, or an earlier upload).
    Download {
        /// The media id.
        id: String,
        /// Where to write it; `-` or nothing for stdout (refused when stdout is a terminal).
        #[arg(short = 'o', value_name = "FILE")]
        file: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub(crate) enum TemplatesCommand {
    /// Lists the account's templates: name, language, review state, category.
    List,
}

/// "not supported by `<provider>`" for an unsupported operation; the error as is otherwise.
pub(crate) fn not_supported(client: &Client, what: &str, e: waba::Error) -> Failure {
    if matches!(e.kind(), waba::ErrorKind::Unsupported { .. }) {
        Failure::new(
            Exit::Unsupported,
            format!("unsupported: {what} is not supported by {}", client.id()),
        )
    } else {
        e.into()
    }
}

/// Refuses before any request when the capabilities already say no.
fn require(client: &Client, capable: bool, what: &str) -> Result<(), Failure> {
    if capable {
        Ok(())
    } else {
        Err(not_supported(client, what, waba::Error::unsupported("")))
    }
}

pub(crate) async fn status(
    client: &Client,
    id: String,
    output: Output,
) -> Result<ExitCode, Failure> {
    let record = client
        .message(&id.into())
        .await
        .map_err(|e| not_supported(client, "message status", e))?;
    match output {
        Output::Json => out::json(&record)?,
        Output::Text => out::line(format_args!(
            "{} {}",
            record.id,
            record
                .status
                .as_ref()
                .map_or_else(|| "unknown".to_owned(), ToString::to_string)
        ))?,
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn contacts(
    client: &Client,
    command: ContactsCommand,
    output: Output,
) -> Result<ExitCode, Failure> {
    let ContactsCommand::Check { numbers } = command;
    let numbers = numbers
        .iter()
        .map(|n| phone(n))
        .collect::<Result<Vec<_>, _>>()?;
    let checks = client
        .check_contacts(&numbers)
        .await
        .map_err(|e| not_supported(client, "contacts check", e))?;
    match output {
        Output::Json => out::lines(
            checks
                .iter()
                .map(out::to_json)
                .collect::<Result<Vec<_>, _>>()?,
        )?,
        Output::Text => out::lines(checks.iter().map(|c| {
            let status = out::to_json(&c.status).unwrap_or_default();
            format!(
                "{} {} {}",
                c.input,
                status.trim_matches('"'),
                c.wa_id.as_ref().map_or("-", |w| w.as_str())
            )
        }))?,
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn media(
    client: &Client,
    command: MediaCommand,
    output: Output,
) -> Result<ExitCode, Failure> {
    match command {
        MediaCommand::Upload { file, kind } => {
            require(client, client.capabilities().upload_media, "media upload")?;
            let kind = match kind.as_deref() {
                Some("image") => MediaKind::Image,
                Some("video") => MediaKind::Video,
                Some("audio") => MediaKind::Audio,
                Some("sticker") => MediaKind::Sticker,
                Some(_) => MediaKind::Document,
                None => mime_type(&file).and_then(kind_of).ok_or_else(|| {
                    Failure::data(format!(
                        "cannot tell what {} is from its extension; give --kind",
                        file.display()
                    ))
                })?,
            };
            let id = upload(client, kind, &file).await?;
            match output {
                Output::Text => out::line(&id)?,
                Output::Json => out::json(&json!({ "id": id, "kind": kind.as_str() }))?,
            }
        }
        MediaCommand::Download { id, file: path } => {
            require(
                client,
                client.capabilities().download_media,
                "media download",
            )?;
            let to_stdout = path.as_deref().is_none_or(|p| p.as_os_str() == "-");
            if to_stdout && std::io::stdout().is_terminal() {
                return Err(Failure::usage(
                    "media is binary: give -o FILE, or redirect stdout",
                ));
            }
            let media = client.download_media(&MediaId::from(id.as_str())).await?;
            match path.filter(|_| !to_stdout) {
                None => out::write_bytes(&media.data)?,
                Some(path) => {
                    std::fs::write(&path, &media.data).map_err(|e| {
                        Failure::io(format!("cannot write {}: {e}", path.display()))
                    })?;
                    match output {
                        Output::Text => out::line(path.display())?,
                        Output::Json => out::json(&json!({
                            "id": id,
                            "path": path,
                            "mime_type": media.mime_type,
                            "bytes": media.data.len(),
                        }))?,
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn mark_read(
    client: &Client,
    id: String,
    output: Output,
) -> Result<ExitCode, Failure> {
    require(client, client.capabilities().mark_read, "mark-read")?;
    client.mark_read(&id.as_str().into()).await?;
    if output == Output::Json {
        out::json(&json!({ "id": id, "read": true }))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn templates(
    client: &Client,
    command: TemplatesCommand,
    output: Output,
) -> Result<ExitCode, Failure> {
    let TemplatesCommand::List = command;
    require(
        client,
        client.capabilities().list_templates,
        "templates list",
    )?;
    let templates = client
        .list_templates()
        .await
        .map_err(|e| not_supported(client, "templates list", e))?;
    match output {
        Output::Json => out::lines(
            templates
                .iter()
                .map(out::to_json)
                .collect::<Result<Vec<_>, _>>()?,
        )?,
        Output::Text => out::lines(templates.iter().map(|t| {
            format!(
                "{} {} {} {}",
                t.name,
                t.language,
                t.status,
                t.category.as_deref().unwrap_or("-")
            )
        }))?,
    }
    Ok(ExitCode::SUCCESS)
}
