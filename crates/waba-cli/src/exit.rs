//! Exit codes: one table, derived from what went wrong, so that a script can tell "fix the
//! configuration" from "retry later" without reading the message.
//!
//! The numbers follow BSD's `sysexits.h` where it has a fitting code (64 usage, 65 data,
//! 69 unavailable, 74 I/O, 75 temporary failure, 77 permission, 78 configuration); the
//! project's own outcomes take small numbers that `sysexits.h` leaves free. The table is
//! printed by `waba --help` ([`HELP`]) and documented in `docs/cli.md`.

use std::fmt;
use std::process::ExitCode;

use waba::ErrorKind;

/// Why the command ended, as its exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// Any failure without a more precise code.
    Failure,
    /// The provider refused the message for good: outside the customer window, template
    /// not found, invalid recipient, policy block, or another provider error code.
    Refused,
    /// A broadcast that sent to some recipients and not to others (see the report).
    Partial,
    /// The request may have reached the provider although it failed (a reset after
    /// sending, an unreadable success): check the message's status before sending again.
    MaybeSent,
    /// The command line is wrong (unknown flag, missing value, flags that do not go
    /// together).
    Usage,
    /// The input is invalid: a phone number, a message that breaks a limit, JSON or a
    /// webhook body that does not parse.
    Data,
    /// The provider does not offer the operation.
    Unsupported,
    /// A local file could not be read or written.
    Io,
    /// A temporary failure (rate limited, provider 5xx, network): retry later.
    Temporary,
    /// The provider refused the credentials.
    Auth,
    /// The configuration is missing or wrong.
    Config,
}

impl Exit {
    /// Every code, in the order [`HELP`] lists them.
    #[cfg(test)]
    pub(crate) const ALL: [Self; 11] = [
        Self::Failure,
        Self::Refused,
        Self::Partial,
        Self::MaybeSent,
        Self::Usage,
        Self::Data,
        Self::Unsupported,
        Self::Io,
        Self::Temporary,
        Self::Auth,
        Self::Config,
    ];

    /// The process exit status.
    pub(crate) fn code(self) -> u8 {
        match self {
            Self::Failure => 1,
            Self::Refused => 3,
            Self::Partial => 4,
            Self::MaybeSent => 5,
            Self::Usage => 64,
            Self::Data => 65,
            Self::Unsupported => 69,
            Self::Io => 74,
            Self::Temporary => 75,
            Self::Auth => 77,
            Self::Config => 78,
        }
    }

    /// The exit code for a waba error: its kind decides, except that an error which may
    /// have delivered the message is always [`Exit::MaybeSent`], since retrying it blindly
    /// could message the customer twice.
    pub(crate) fn of(e: &waba::Error) -> Self {
        if e.maybe_delivered() {
            return Self::MaybeSent;
        }
        match e.kind() {
            ErrorKind::Auth => Self::Auth,
            ErrorKind::Config => Self::Config,
            ErrorKind::InvalidRequest { .. } => Self::Data,
            ErrorKind::Unsupported { .. } => Self::Unsupported,
            ErrorKind::OutsideCustomerWindow
            | ErrorKind::TemplateNotFound
            | ErrorKind::InvalidRecipient
            | ErrorKind::PolicyBlocked
            | ErrorKind::Provider => Self::Refused,
            ErrorKind::Decode => Self::MaybeSent,
            _ if e.is_retryable() => Self::Temporary,
            _ => Self::Failure,
        }
    }
}

/// The exit status of a broadcast: 0 when every recipient was sent, [`Exit::Partial`] when
/// some were and others were not (failed, maybe sent or invalid: the report says which),
/// [`Exit::Failure`] when none was.
pub(crate) fn broadcast(sent: u64, not_sent: u64) -> ExitCode {
    match (sent, not_sent) {
        (_, 0) => ExitCode::SUCCESS,
        (0, _) => Exit::Failure.into(),
        _ => Exit::Partial.into(),
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e.code())
    }
}

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

/// The exit codes, for the end of `waba --help`.
pub(crate) const HELP: &str = "\
Exit codes:
   0  success (also when the reader of stdout stopped reading, as `| head` does)
   1  failure without a more precise code
   3  the provider refused the message (customer window, template, recipient, policy)
   4  a broadcast sent to some recipients but not all (see the report)
   5  the message may have been sent although the command failed: check before resending
  64  usage: wrong flags or values on the command line
  65  invalid input: a phone number, a message breaking a limit, unparsable JSON or webhook
  69  the provider does not support the operation
  74  a local file could not be read or written
  75  temporary failure (rate limit, provider 5xx, network): retry later
  77  the provider refused the credentials
  78  the configuration is missing or wrong";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_all_in_the_help() {
        let mut seen = std::collections::HashSet::new();
        for e in Exit::ALL {
            assert!(seen.insert(e.code()), "{e:?} shares its code");
            assert!(
                HELP.lines()
                    .any(|l| l.trim_start().starts_with(&format!("{} ", e.code()))),
                "{e:?} ({}) is not in the help",
                e.code()
            );
        }
        assert_eq!(HELP.lines().count(), Exit::ALL.len() + 2);
    }

    #[test]
    fn kinds_map_to_what_a_script_does_next() {
        use std::time::Duration;
        let of = |k: ErrorKind| Exit::of(&waba::Error::new(k));
        assert_eq!(of(ErrorKind::Config), Exit::Config);
        assert_eq!(of(ErrorKind::Auth), Exit::Auth);
        assert_eq!(
            of(ErrorKind::RateLimited {
                retry_after: Some(Duration::from_secs(1))
            }),
            Exit::Temporary
        );
        assert_eq!(of(ErrorKind::Server), Exit::Temporary);
        assert_eq!(of(ErrorKind::OutsideCustomerWindow), Exit::Refused);
        assert_eq!(of(ErrorKind::InvalidRequest { field: None }), Exit::Data);
        assert_eq!(
            Exit::of(&waba::Error::unsupported("mark_read")),
            Exit::Unsupported
        );
        assert_eq!(
            Exit::of(&waba::Error::new(ErrorKind::Server).with_maybe_delivered(true)),
            Exit::MaybeSent
        );
        assert_eq!(Exit::of(&waba::Error::decode("?")), Exit::MaybeSent);
    }
}
