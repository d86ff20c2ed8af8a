//! The broadcast input: a CSV file whose first column holds phone numbers, read into rows that
//! are each exactly one of valid, invalid or duplicate.
//!
//! Read with the `csv` crate: quoting, any line ending, a UTF-8 byte-order mark. The first
//! column holds the number, in any form [`PhoneNumber::parse`] takes (`+16315550001`,
//! `+1 631 555 0001`, `0016315550001`). The first row is a header when its first field has no
//! digit; otherwise it is a recipient like any other. Empty lines are not rows.
//!
//! `waba broadcast` reads its input only through [`Recipients`]; the fuzz target
//! `csv_recipients` drives the same reader.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader, Read};

use waba::PhoneNumber;

/// The most characters of the input echoed back in a report line or an error.
pub const ECHO_CHARS: usize = 64;

/// `s` cut to `max` characters, with control characters made visible, so that a huge or
/// binary input field cannot blow up a report line or a terminal.
pub fn echo(s: &str, max: usize) -> String {
    let mut out: String = s
        .chars()
        .take(max)
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    if s.chars().nth(max).is_some() {
        let _ = write!(out, "… ({} bytes)", s.len());
    }
    out
}

/// Field `n` of a record as text (invalid UTF-8 replaced), empty when the row is shorter.
pub fn field(record: &csv::ByteRecord, n: usize) -> String {
    String::from_utf8_lossy(record.get(n).unwrap_or_default()).into_owned()
}

/// Whether a first row is a header: its first field has no digit.
pub fn is_header(first: &csv::ByteRecord) -> bool {
    !field(first, 0).chars().any(|c| c.is_ascii_digit())
}

/// A CSV reader over `input`, past a UTF-8 byte-order mark: no header handling (see
/// [`is_header`]), rows of any length.
pub fn csv_reader<R: Read>(input: R) -> std::io::Result<csv::Reader<BufReader<R>>> {
    let mut input = BufReader::new(input);
    if input.fill_buf()?.starts_with(b"\xef\xbb\xbf") {
        input.consume(3);
    }
    Ok(csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input))
}

/// What one data row is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// The first row with this number: a recipient.
    Valid(PhoneNumber),
    /// Not a phone number.
    Invalid {
        /// The first field, trimmed, as [`echo`] shows it ([`ECHO_CHARS`]).
        number: String,
        /// Why it is not a number (the parser's error).
        error: String,
    },
    /// The same number, in E.164, as an earlier row: each recipient gets the message once.
    Duplicate {
        /// The number.
        number: PhoneNumber,
        /// The row of its first occurrence.
        first_row: u64,
    },
}

/// One data row.
#[derive(Debug, Clone)]
pub struct Row {
    /// The row's number as a spreadsheet shows it: a header is row 1; empty lines are not
    /// rows.
    pub row: u64,
    /// What it is.
    pub kind: Kind,
    /// Its fields, for template parameters from columns.
    pub record: csv::ByteRecord,
}

/// The data rows of a broadcast input, in order, each once; the header, when the first row is
/// one, is [`Recipients::header`]. Numbers are de-duplicated by E.164 form.
pub struct Recipients<R: Read> {
    records: csv::ByteRecordsIntoIter<BufReader<R>>,
    header: Option<csv::ByteRecord>,
    /// The first row read, when it is a recipient: yielded first.
    first: Option<csv::ByteRecord>,
    /// The first row of each E.164 number.
    seen: HashMap<String, u64>,
}

impl<R: Read> std::fmt::Debug for Recipients<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recipients")
            .field("header", &self.header)
            .field("numbers", &self.seen.len())
            .finish_non_exhaustive()
    }
}

impl<R: Read> Recipients<R> {
    /// Reads the first row to tell a header from a recipient. An error is the input's (it
    /// cannot be read, or its first row is not CSV).
    pub fn new(input: R) -> Result<Self, csv::Error> {
        let mut records = csv_reader(input)?.into_byte_records();
        let first = records.next().transpose()?;
        let (header, first) = match first {
            Some(r) if is_header(&r) => (Some(r), None),
            other => (None, other),
        };
        Ok(Self {
            records,
            header,
            first,
            seen: HashMap::new(),
        })
    }

    /// The header row, when the first row is one.
    pub fn header(&self) -> Option<&csv::ByteRecord> {
        self.header.as_ref()
    }

    /// The header's column names, trimmed (empty without a header).
    pub fn column_names(&self) -> Vec<String> {
        self.header.as_ref().map_or_else(Vec::new, |h| {
            (0..h.len())
                .map(|n| field(h, n).trim().to_owned())
                .collect()
        })
    }

    /// The number of data rows left, without classifying them (for a progress bar): as many
    /// as iterating yields.
    pub fn count_rows(mut self) -> Result<u64, csv::Error> {
        let mut rows = u64::from(self.first.take().is_some());
        for record in self.records {
            record?;
            rows += 1;
        }
        Ok(rows)
    }

    fn classify(&mut self, record: csv::ByteRecord) -> Row {
        // The record's index, not its line: csv's line count is that of where parsing
        // resumed, before any empty lines and a CRLF's line feed.
        let row = record.position().map_or(0, |p| p.record() + 1);
        let raw = field(&record, 0);
        let kind = match PhoneNumber::parse(raw.trim()) {
            Err(e) => Kind::Invalid {
                number: echo(raw.trim(), ECHO_CHARS),
                error: e.to_string(),
            },
            Ok(number) => {
                if let Some(&first_row) = self.seen.get(number.as_str()) {
                    Kind::Duplicate { number, first_row }
                } else {
                    self.seen.insert(number.as_str().to_owned(), row);
                    Kind::Valid(number)
                }
            }
        };
        Row { row, kind, record }
    }
}

impl<R: Read> Iterator for Recipients<R> {
    /// A row, or the input's error where it stops being CSV (the rows before it stand).
    type Item = Result<Row, csv::Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let record = match self.first.take() {
            Some(r) => r,
            None => match self.records.next()? {
                Ok(r) => r,
                Err(e) => return Some(Err(e)),
            },
        };
        Some(Ok(self.classify(record)))
    }
}
