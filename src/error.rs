//! The one error type of the library, with a short machine-readable kind per variant so a batch
//! record can say *what sort* of failure hit a page (`"error_kind": "decode"`).

use std::path::PathBuf;

/// Everything that can go wrong in gleaner. Messages say what happened and, where there is
/// something to do about it, what to do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the input is empty (0 bytes of HTML)")]
    Empty,
    #[error("{0}")]
    Decode(String),
    #[error(
        "the input is {size} bytes, over the limit of {limit} bytes (raise it with --max-bytes)"
    )]
    TooLarge { size: u64, limit: u64 },
    #[error("{0}")]
    Model(String),
    #[error("{0}")]
    Data(String),
    #[error("{0}")]
    Training(String),
}

impl Error {
    /// A stable one-word class of the error, used in batch records and summaries.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Io { .. } => "io",
            Error::Empty => "empty",
            Error::Decode(_) => "decode",
            Error::TooLarge { .. } => "too_large",
            Error::Model(_) => "model",
            Error::Data(_) => "data",
            Error::Training(_) => "training",
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
