//! `waba send`: one message of any kind, from flags for the common kinds or from the
//! message's JSON form (`--json FILE`, `-` for stdin; the form is documented in
//! `docs/message-json.md`).

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use waba::core::MediaUpload;
use waba::types::{self, MediaKind, MediaSource};
use waba::{Client, Content, OutboundMessage, Provider};

use crate::exit::Exit;
use crate::out::{self, Output, echo};
use crate::{Failure, phone};

#[derive(clap::Args)]
#[command(group = clap::ArgGroup::new("kind").required(true).multiple(false).args([
    "text", "template", "image", "video", "audio", "document", "sticker", "location", "json",
]))]
pub(crate) struct Args {
    /// The recipient, in E.164 (+16315551002).
    #[arg(long, required_unless_present = "json", conflicts_with = "json")]
    to: Option<String>,
    /// The business number to send from, where the account serves several.
    #[arg(long, conflicts_with = "json")]
    from: Option<String>,
    /// The whole message in its JSON form, from a file or `-` for stdin.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// A text message.
    #[arg(long)]
    text: Option<String>,
    /// Asks WhatsApp to preview the first URL of the text.
    #[arg(long, conflicts_with_all = [
        "template", "image", "video", "audio", "document", "sticker", "location", "json",
    ])]
    preview_url: bool,
    /// A template, by name.
    #[arg(long)]
    template: Option<String>,
    /// The template's language.
    #[arg(long, default_value = "en_US", conflicts_with_all = [
        "text", "image", "video", "audio", "document", "sticker", "location", "json",
    ])]
    lang: String,
    /// A template body parameter (repeat in order).
    #[arg(long = "param", conflicts_with_all = [
        "text", "image", "video", "audio", "document", "sticker", "location", "json",
    ])]
    params: Vec<String>,
    /// An image (JPEG, PNG): an https URL, or a local file uploaded first.
    #[arg(long, value_name = "URL|FILE")]
    image: Option<String>,
    /// A video (MP4, 3GPP): an https URL, or a local file uploaded first.
    #[arg(long, value_name = "URL|FILE")]
    video: Option<String>,
    /// An audio file (MP3, OGG, AAC, AMR, M4A): an https URL, or a local file uploaded first.
    #[arg(long, value_name = "URL|FILE")]
    audio: Option<String>,
    /// A document (PDF, Office, text): an https URL, or a local file uploaded first.
    #[arg(long, value_name = "URL|FILE")]
    document: Option<String>,
    /// A sticker (WebP): an https URL, or a local file uploaded first.
    #[arg(long, value_name = "URL|FILE")]
    sticker: Option<String>,
    /// The caption of an image, video or document.
    #[arg(long, conflicts_with_all = [
        "text", "template", "audio", "sticker", "location", "json",
    ])]
    caption: Option<String>,
    /// The file name a document is shown with (default: a local file's name).
    #[arg(long, conflicts_with_all = [
        "text", "template", "image", "video", "audio", "sticker", "location", "json",
    ])]
    filename: Option<String>,
    /// A location pin, as decimal degrees `LAT,LON` (`52.52,13.405`).
    #[arg(long, value_name = "LAT,LON", allow_hyphen_values = true)]
    location: Option<String>,
    /// The id of the message this one replies to (shown quoted).
    #[arg(long, value_name = "ID", conflicts_with = "json")]
    reply_to: Option<String>,
}

/// The checks of the flags that need neither configuration nor network, so that a wrong
/// command line is a usage error before any other.
pub(crate) fn check(args: &Args) -> Result<(), Failure> {
    if let Some(v) = &args.location {
        lat_lon(v)?;
    }
    for (flag, value) in [
        ("--image", &args.image),
        ("--video", &args.video),
        ("--audio", &args.audio),
        ("--document", &args.document),
        ("--sticker", &args.sticker),
    ] {
        if let Some(v) = value {
            local_or_url(flag, v)?;
        }
    }
    Ok(())
}

/// `Some(path)` for a local file, `None` for an http(s) URL, a usage error otherwise.
fn local_or_url<'a>(flag: &str, value: &'a str) -> Result<Option<&'a Path>, Failure> {
    if is_url(value) {
        return Ok(None);
    }
    let path = Path::new(value);
    if path.is_file() {
        Ok(Some(path))
    } else {
        Err(Failure::usage(format!(
            "{flag} takes an https URL or a local file; {} is neither",
            echo(value)
        )))
    }
}

/// Builds the message, sends it, prints its id (text) or its receipt (JSON).
pub(crate) async fn run(client: &Client, args: Args, output: Output) -> Result<ExitCode, Failure> {
    let message = match &args.json {
        Some(path) => read_json(path)?,
        None => from_flags(client, args).await?,
    };
    let receipt = client.send(&message).await?;
    match output {
        Output::Text => out::line(&receipt.id)?,
        Output::Json => out::json(&receipt)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// An [`OutboundMessage`] in its JSON form, from a file or stdin.
pub(crate) fn read_json(path: &Path) -> Result<OutboundMessage, Failure> {
    let (name, text) = if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::io(format!("cannot read stdin: {e}")))?;
        ("stdin".to_owned(), text)
    } else {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::io(format!("cannot read {}: {e}", path.display())))?;
        (path.display().to_string(), text)
    };
    serde_json::from_str(&text).map_err(|e| {
        Failure::data(format!(
            "{name} is not a message in its JSON form (docs/message-json.md): {e}"
        ))
    })
}

async fn from_flags(client: &Client, args: Args) -> Result<OutboundMessage, Failure> {
    let to = args
        .to
        .as_deref()
        .ok_or_else(|| Failure::usage("--to is required"))?;
    let content = if let Some(body) = args.text {
        Content::Text(types::Text {
            body,
            preview_url: args.preview_url,
        })
    } else if let Some(name) = args.template {
        Content::template(name, args.lang, args.params)
    } else if let Some(v) = args.image {
        Content::Image(types::Image {
            media: media(client, MediaKind::Image, "--image", &v).await?,
            caption: args.caption,
        })
    } else if let Some(v) = args.video {
        Content::Video(types::Video {
            media: media(client, MediaKind::Video, "--video", &v).await?,
            caption: args.caption,
        })
    } else if let Some(v) = args.audio {
        Content::Audio(types::Audio {
            media: media(client, MediaKind::Audio, "--audio", &v).await?,
        })
    } else if let Some(v) = args.document {
        let filename = args.filename.or_else(|| {
            (!is_url(&v))
                .then(|| Path::new(&v).file_name()?.to_str().map(str::to_owned))
                .flatten()
        });
        Content::Document(types::Document {
            media: media(client, MediaKind::Document, "--document", &v).await?,
            caption: args.caption,
            filename,
        })
    } else if let Some(v) = args.sticker {
        Content::Sticker(types::Sticker {
            media: media(client, MediaKind::Sticker, "--sticker", &v).await?,
        })
    } else if let Some(v) = args.location {
        let (latitude, longitude) = lat_lon(&v)?;
        Content::Location(types::Location {
            latitude,
            longitude,
            name: None,
            address: None,
        })
    } else {
        return Err(Failure::usage(
            "give one of --text, --template, --image, --video, --audio, --document, --sticker, --location or --json",
        ));
    };
    let mut message = OutboundMessage::new(phone(to)?, content);
    if let Some(from) = args.from {
        message = message.with_from(phone(&from)?);
    }
    if let Some(id) = args.reply_to {
        message = message.with_reply_to(id);
    }
    Ok(message)
}

fn is_url(v: &str) -> bool {
    v.starts_with("https://") || v.starts_with("http://")
}

/// `LAT,LON` in decimal degrees. Ranges are checked with the message.
fn lat_lon(v: &str) -> Result<(f64, f64), Failure> {
    let bad = || {
        Failure::usage(format!(
            "--location takes LAT,LON in decimal degrees (52.52,13.405), not {}",
            echo(v)
        ))
    };
    let (lat, lon) = v.split_once(',').ok_or_else(bad)?;
    let lat: f64 = lat.trim().parse().map_err(|_| bad())?;
    let lon: f64 = lon.trim().parse().map_err(|_| bad())?;
    if !lat.is_finite() || !lon.is_finite() {
        return Err(bad());
    }
    Ok((lat, lon))
}

/// A media flag's value: an http(s) URL is sent as a link; a local file is uploaded first,
/// where the provider can upload.
async fn media(
    client: &Client,
    kind: MediaKind,
    flag: &str,
    value: &str,
) -> Result<MediaSource, Failure> {
    let Some(path) = local_or_url(flag, value)? else {
        return Ok(MediaSource::Link(value.to_owned()));
    };
    if !client.capabilities().upload_media {
        return Err(Failure::new(
            Exit::Unsupported,
            format!(
                "unsupported: uploading a local file is not supported by {}; give {flag} an https URL",
                client.id()
            ),
        ));
    }
    let id = upload(client, kind, path).await?;
    Ok(MediaSource::Id(id))
}

/// Uploads a local file as `kind`, its MIME type told by its extension.
pub(crate) async fn upload(
    client: &Client,
    kind: MediaKind,
    path: &Path,
) -> Result<types::MediaId, Failure> {
    let mime = mime_type(path).ok_or_else(|| {
        Failure::data(format!(
            "cannot tell the type of {} from its extension; {kind} files are {}",
            path.display(),
            kind.mime_types().join(", ")
        ))
    })?;
    let data = std::fs::read(path)
        .map_err(|e| Failure::io(format!("cannot read {}: {e}", path.display())))?;
    let mut upload = MediaUpload::new(kind, mime, data);
    upload.filename = path.file_name().and_then(|n| n.to_str()).map(str::to_owned);
    Ok(client.upload_media(upload).await?)
}

/// The MIME type of a file by its extension, for the types WhatsApp accepts
/// (`MediaKind::mime_types`).
pub(crate) fn mime_type(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "webp" => "image/webp",
        "mp4" => "video/mp4",
        "3gp" | "3gpp" => "video/3gpp",
        "mp3" => "audio/mpeg",
        "ogg" | "opus" => "audio/ogg",
        "aac" => "audio/aac",
        "amr" => "audio/amr",
        "m4a" => "audio/mp4",
        "pdf" => "application/pdf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "txt" => "text/plain",
        _ => return None,
    })
}

/// The media kind a file is uploaded as when the user does not say (`waba media upload`).
pub(crate) fn kind_of(mime: &str) -> Option<MediaKind> {
    [
        MediaKind::Image,
        MediaKind::Video,
        MediaKind::Audio,
        MediaKind::Document,
        MediaKind::Sticker,
    ]
    .into_iter()
    .find(|k| k.mime_types().contains(&mime))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_parse_and_bad_ones_are_named_shortly() {
        assert_eq!(lat_lon("52.52,13.405").ok(), Some((52.52, 13.405)));
        assert_eq!(lat_lon("-33.9, 18.4").ok(), Some((-33.9, 18.4)));
        for bad in ["52.52", "a,b", "1,2,3", "NaN,1", "inf,2"] {
            assert!(lat_lon(bad).is_err(), "{bad}");
        }
        let Err(Failure::Error { exit, message }) = lat_lon(&"1".repeat(50_000)) else {
            panic!("accepted");
        };
        assert_eq!(exit, Exit::Usage);
        assert!(message.len() < 200, "{message}");
    }

    #[test]
    fn every_extension_maps_to_a_type_whatsapp_accepts() {
        for ext in [
            "jpg", "png", "webp", "mp4", "3gp", "mp3", "ogg", "aac", "amr", "m4a", "pdf", "doc",
            "docx", "xls", "xlsx", "ppt", "pptx", "txt",
        ] {
            let mime = mime_type(Path::new(&format!("f.{ext}"))).unwrap();
            assert!(kind_of(mime).is_some(), "{ext} → {mime}");
        }
        assert_eq!(mime_type(Path::new("f.exe")), None);
    }
}
