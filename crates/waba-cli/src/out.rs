//! Writing results: through a locked stdout, flushed line by line, with a closed pipe turned
//! into [`Failure::StdoutClosed`] (a quiet exit 0) instead of a panic; warnings to stderr
//! that never panic either; and user input shortened before it is echoed in a message.

use std::fmt::Display;
use std::io::{self, Write as _};

use serde::Serialize;

use crate::Failure;

/// How results are printed (`--output`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(crate) enum Output {
    /// Short lines for people (an id, a table row).
    #[default]
    Text,
    /// One JSON value per line, for scripts.
    Json,
}

/// Maps a stdout write error: a closed pipe means the reader stopped reading, which is its
/// right and not our failure; anything else is an I/O failure.
fn stdout_error(e: &io::Error) -> Failure {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Failure::StdoutClosed
    } else {
        Failure::io(format!("cannot write to stdout: {e}"))
    }
}

/// Writes `bytes` to stdout under one lock and flushes, so that the bytes are either out
/// or reported as not written (a webhook listener acknowledges nothing it did not print).
pub(crate) fn write_bytes(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| stdout_error(&e))
}

/// Prints one line.
pub(crate) fn line(text: impl Display) -> Result<(), Failure> {
    write_bytes(format!("{text}\n").as_bytes())
}

/// Prints lines under one lock, flushing once at the end.
pub(crate) fn lines<I>(lines: I) -> Result<(), Failure>
where
    I: IntoIterator,
    I::Item: Display,
{
    let mut out = io::stdout().lock();
    for l in lines {
        writeln!(out, "{l}").map_err(|e| stdout_error(&e))?;
    }
    out.flush().map_err(|e| stdout_error(&e))
}

/// One value as a JSON line.
pub(crate) fn json(value: &impl Serialize) -> Result<(), Failure> {
    line(to_json(value)?)
}

/// A value as compact JSON; a value that cannot be written as JSON is a bug worth naming
/// rather than an empty line.
pub(crate) fn to_json(value: &impl Serialize) -> Result<String, Failure> {
    serde_json::to_string(value).map_err(|e| {
        Failure::new(
            crate::exit::Exit::Failure,
            format!("cannot write JSON: {e}"),
        )
    })
}

/// A warning or log line on stderr. A closed stderr loses the line rather than ending the
/// command (`eprintln!` would panic).
pub(crate) fn warn(text: impl Display) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{text}");
}

/// The longest piece of user input echoed in a message, in characters.
pub(crate) const ECHO_LIMIT: usize = 64;

/// The longest error line printed, in characters: the message of an error from deeper
/// down (a provider's words, a parser's) may quote input the CLI never saw whole.
pub(crate) const MESSAGE_LIMIT: usize = 1000;

/// `input` as it may be quoted in a message: whole when short, else its start and its
/// length (`"+1631555…" (102400 characters)`).
pub(crate) fn echo(input: &str) -> String {
    shorten(&format!("{input:?}"), ECHO_LIMIT)
}

/// `text` cut to `limit` characters, saying how long it was.
pub(crate) fn shorten(text: &str, limit: usize) -> String {
    let count = text.chars().count();
    if count <= limit {
        return text.to_owned();
    }
    let head: String = text.chars().take(limit).collect();
    format!("{head}… ({count} characters)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_keeps_short_input_and_cuts_long_input_to_its_start_and_length() {
        assert_eq!(echo("+16315551002"), "\"+16315551002\"");
        let long = "9".repeat(100_000);
        let e = echo(&long);
        assert!(e.chars().count() < ECHO_LIMIT + 30, "{e}");
        assert!(e.ends_with("(100002 characters)"), "{e}");
        // Multi-byte characters are cut on character boundaries.
        let e = shorten(&"é".repeat(200), 10);
        assert_eq!(e, format!("{} (200 characters)", "é".repeat(10) + "…"));
    }
}
