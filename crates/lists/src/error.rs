//! Import errors: every one names the file and the record it was found in, so that a
//! compliance officer can open the file at that place.

/// Where in a file a problem was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The file as a whole (e.g. its first bytes, for format detection).
    File,
    /// A line of a text file (1-based).
    Line(u64),
    /// An XML element: its path from the root with a 1-based index among the records, and
    /// the byte offset where reading stopped.
    Element {
        /// Path such as `CONSOLIDATED_LIST/INDIVIDUALS/INDIVIDUAL`.
        path: String,
        /// 1-based index of the record of this kind.
        index: u64,
        /// Byte offset in the file.
        offset: u64,
    },
    /// A record known by its identifier.
    Record(String),
    /// A byte of the file: its offset, and the line it is on (1-based).
    Byte {
        /// 1-based line of the byte.
        line: u64,
        /// Offset of the byte from the start of the file.
        offset: u64,
    },
    /// The end of the file: where a complete file would have gone on, or closed.
    End {
        /// Lines in the file (a last line without a line end counts).
        lines: u64,
        /// Size of the file in bytes.
        bytes: u64,
    },
    /// What the file says about itself as a whole (its format, publisher, lists).
    Content,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::File => f.write_str("the start of the file"),
            Location::Line(n) => write!(f, "line {n}"),
            Location::Element {
                path,
                index,
                offset,
            } => write!(f, "element `{path}` #{index} (byte {offset})"),
            Location::Record(id) => write!(f, "record `{id}`"),
            Location::Byte { line, offset } => write!(f, "line {line} (byte {offset})"),
            Location::End { lines: 0, bytes } => write!(f, "the end of the file (byte {bytes})"),
            Location::End { lines, bytes } => {
                write!(f, "the end of the file (byte {bytes}, line {lines})")
            }
            Location::Content => f.write_str("its content"),
        }
    }
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ErrorKind {
    /// The file could not be read.
    #[error("cannot read the file: {0}")]
    Io(String),
    /// The content matches no known format.
    #[error("unknown format: {0}; name the format (one of {formats})", formats = crate::Format::NAMES)]
    UnknownFormat(String),
    /// The file is not in the encoding its format requires.
    #[error("wrong encoding: {0}; convert the file to UTF-8")]
    Encoding(String),
    /// The file ends before the structure is complete.
    #[error("the file is truncated ({0}); download it again")]
    Truncated(String),
    /// XML that does not parse.
    #[error("malformed XML: {0}")]
    Xml(String),
    /// A CSV/TSV row that does not parse or has the wrong shape.
    #[error("{0}")]
    Row(String),
    /// JSON that does not parse.
    #[error("malformed JSON: {0}")]
    Json(String),
    /// A record lacks what every record of its format must have.
    #[error("{0}")]
    Record(String),
    /// The same identifier twice in one import, where the format does not allow it.
    #[error(
        "duplicate identifier `{id}`{}: the file lists this target twice; it is corrupt or not the publisher's file",
        first_seen(.first_seen_in)
    )]
    Duplicate {
        /// The identifier listed twice.
        id: String,
        /// The file of the same import that listed it first, when it is another file.
        first_seen_in: Option<String>,
    },
    /// A record larger than any real one: the file is corrupt, or is not a list.
    #[error("record larger than {0} bytes: the file is corrupt or not a sanctions list")]
    TooLarge(usize),
    /// The file ends where no complete file of its format ends: its closing, its trailer,
    /// or a part the publisher always includes is missing.
    #[error("the file is incomplete ({0}); download it again")]
    Incomplete(String),
    /// The file states how many records it holds, and holds another number.
    #[error(
        "the file declares {declared} records ({what}) but holds {found}: it is incomplete or altered; download it again"
    )]
    CountMismatch {
        /// What the publisher wrote.
        declared: u64,
        /// What the file holds.
        found: u64,
        /// Where the file declares it (`publshInformation/Record_Count`).
        what: String,
    },
    /// Bytes no publisher's file contains (control characters, content after the end): a
    /// damaged copy, or two files joined.
    #[error("the file is damaged: {0}; download it again")]
    Corrupt(String),
    /// The content is not of the format it is read as.
    #[error("this is not a `{format}` file: {found}")]
    NotFormat {
        /// The format it was read as.
        format: crate::Format,
        /// What the content is instead.
        found: String,
    },
    /// A complete file that lists no designation. It is never read as "the list is now
    /// empty": the import must allow an empty list explicitly.
    #[error(
        "{0}; an empty list is imported only when the import allows it explicitly, since every designation of the source would be recorded as removed"
    )]
    Empty(crate::Emptiness),
    /// The file does not belong to the source it is imported under.
    #[error("{0}")]
    WrongSource(Box<crate::SourceMismatch>),
    /// Records were left unread when the import asked for the file's outcome.
    #[error("{0} records were left unread: the import stopped before the end of the file")]
    Unread(u64),
}

/// An import failed: names the file, the place in it, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{origin}`, {location}: {kind}")]
pub struct ImportError {
    /// The file (its path or URL) as given by the user.
    pub origin: String,
    /// Where in the file.
    pub location: Location,
    /// What went wrong.
    pub kind: ErrorKind,
}

impl ImportError {
    /// An error at a place in a file.
    pub fn new(origin: &str, location: Location, kind: ErrorKind) -> ImportError {
        ImportError {
            origin: origin.to_owned(),
            location,
            kind,
        }
    }
}

/// " (first seen in `FILE`)" when a duplicate was first listed by another file.
fn first_seen(file: &Option<String>) -> String {
    file.as_deref()
        .map(|f| format!(" (first seen in `{f}`)"))
        .unwrap_or_default()
}
