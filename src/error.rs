//! The errors of the crate, layered by concern (as rustls and smoltcp layer theirs).
//!
//! Everything that can fail on user input returns [`Error`] instead of panicking, so firmware
//! can report the problem and carry on. Its variants are the argument and algebra errors (an
//! empty bundle, an index past the end, a full container, a parameter out of range); a model
//! blob that cannot be read is [`Error::Format`] with a [`FormatError`] naming what is wrong
//! with it; a flash that fails is [`Error::Storage`] with a [`StorageError`] that keeps the
//! driver's [`NorFlashErrorKind`]. All three are `#[non_exhaustive]`, `Copy`, and implement
//! `core::error::Error`.

#![forbid(unsafe_code)]

use core::fmt;
pub use embedded_storage::nor_flash::NorFlashErrorKind;

/// What went wrong. Every variant names the input at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Error {
    /// A bundle (majority) of zero vectors was asked for: it has no defined value.
    EmptyBundle,
    /// More inputs (or more total weight) than the bit-sliced counters can hold.
    TooManyInputs {
        /// The number (or total weight) of inputs given.
        given: u64,
        /// The largest number the operation supports.
        max: u64,
    },
    /// An index (level, symbol, item) at or past the end of its range.
    IndexOutOfRange {
        /// The index given.
        index: usize,
        /// The length of the range it should fall in.
        len: usize,
    },
    /// Two inputs that must have the same length do not.
    LengthMismatch {
        /// The length that was expected.
        expected: usize,
        /// The length that was given.
        found: usize,
    },
    /// A fixed-capacity container is full.
    CapacityExceeded {
        /// Its capacity.
        capacity: usize,
    },
    /// An output buffer is too short for what is to be written into it.
    BufferTooSmall {
        /// The bytes (or elements) needed.
        needed: usize,
        /// The length of the buffer given.
        found: usize,
    },
    /// A search was asked of an empty container.
    EmptyMemory,
    /// A constructor parameter is out of its documented range; the text says which and why.
    InvalidParameter(&'static str),
    /// A model blob that cannot be read: what is wrong with it.
    Format(FormatError),
    /// Flash storage failed, or holds no model.
    Storage(StorageError),
}

/// What is wrong with a model blob (see [`crate::model`] for the container and each model
/// module for its kind's sections).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum FormatError {
    /// The blob does not start with the container's (or the format's) magic bytes.
    BadMagic,
    /// A format version this build cannot read.
    UnsupportedVersion {
        /// The version in the blob.
        found: u16,
    },
    /// A model of an unknown kind.
    UnknownKind {
        /// The kind code in the blob.
        found: u16,
    },
    /// A model of another kind than the one asked for (e.g. a sketch loaded as a classifier).
    WrongKind {
        /// The kind asked for.
        expected: u16,
        /// The kind in the blob.
        found: u16,
    },
    /// The blob is shorter (or longer) than its header says (cut off in transfer or in flash).
    Truncated {
        /// The length the header gives (or the least a header needs).
        expected: usize,
        /// The length of the buffer.
        found: usize,
    },
    /// The blob's CRC-32 does not match its contents (a flipped bit).
    ChecksumMismatch {
        /// The checksum stored in the blob.
        stored: u32,
        /// The checksum of the contents.
        computed: u32,
    },
    /// A section whose offset or length points outside the blob, overlaps another section or
    /// is not 4-byte aligned.
    SectionOutOfBounds {
        /// The section's tag.
        tag: [u8; 4],
    },
    /// A section the model kind needs is absent.
    MissingSection {
        /// The missing section's tag.
        tag: [u8; 4],
    },
    /// The sizes or values recorded in a model disagree with each other or with the format's
    /// rules; the text says which. (Nothing a caller could do differs between these cases: the
    /// blob is corrupt or was written by a broken tool.)
    Inconsistent(&'static str),
    /// The buffer is not 4-byte aligned in memory, so it cannot be read in place (embed blobs
    /// with [`include_model!`](crate::include_model!)).
    Misaligned,
    /// The model's dimension differs from the one the code was compiled for.
    DimensionMismatch {
        /// The dimension (bits) the code expects.
        expected: usize,
        /// The dimension in the model.
        found: usize,
    },
}

/// A flash store that failed (see [`crate::persist`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StorageError {
    /// The flash driver failed a read, write or erase; its kind, as the driver reported it.
    Flash(NorFlashErrorKind),
    /// No valid model is stored.
    NothingStored,
}

#[cfg(feature = "defmt")]
impl defmt::Format for StorageError {
    fn format(&self, f: defmt::Formatter<'_>) {
        match self {
            StorageError::Flash(NorFlashErrorKind::NotAligned) => {
                defmt::write!(f, "Flash(NotAligned)")
            }
            StorageError::Flash(NorFlashErrorKind::OutOfBounds) => {
                defmt::write!(f, "Flash(OutOfBounds)")
            }
            StorageError::Flash(_) => defmt::write!(f, "Flash(Other)"),
            StorageError::NothingStored => defmt::write!(f, "NothingStored"),
        }
    }
}

/// A fixed-capacity container was full: the item it could not take, handed back (as
/// heapless's `push` does), so the caller keeps it. Converts into
/// [`Error::CapacityExceeded`] for `?`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Full<T> {
    /// The item that was not stored.
    pub item: T,
    /// The container's capacity.
    pub capacity: usize,
}

impl<T> From<Full<T>> for Error {
    fn from(e: Full<T>) -> Self {
        Error::CapacityExceeded {
            capacity: e.capacity,
        }
    }
}

impl<T> fmt::Display for Full<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "capacity of {} exceeded", self.capacity)
    }
}

impl<T: fmt::Debug> core::error::Error for Full<T> {}

impl From<FormatError> for Error {
    fn from(e: FormatError) -> Self {
        Error::Format(e)
    }
}

impl From<StorageError> for Error {
    fn from(e: StorageError) -> Self {
        Error::Storage(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::EmptyBundle => f.write_str("cannot bundle zero vectors"),
            Error::TooManyInputs { given, max } => {
                write!(f, "too many inputs: {given} given, at most {max} supported")
            }
            Error::IndexOutOfRange { index, len } => {
                write!(f, "index {index} out of range (length {len})")
            }
            Error::LengthMismatch { expected, found } => {
                write!(f, "length mismatch: expected {expected}, found {found}")
            }
            Error::CapacityExceeded { capacity } => {
                write!(f, "capacity of {capacity} exceeded")
            }
            Error::BufferTooSmall { needed, found } => {
                write!(f, "buffer too small: {needed} needed, {found} given")
            }
            Error::EmptyMemory => f.write_str("the memory holds no items"),
            Error::InvalidParameter(why) => write!(f, "invalid parameter: {why}"),
            Error::Format(e) => fmt::Display::fmt(e, f),
            Error::Storage(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::BadMagic => f.write_str("not a hyperbits model (bad magic bytes)"),
            FormatError::UnsupportedVersion { found } => {
                write!(f, "unsupported model format version {found}")
            }
            FormatError::UnknownKind { found } => write!(f, "unknown model kind {found}"),
            FormatError::WrongKind { expected, found } => {
                write!(
                    f,
                    "model of kind {found} where kind {expected} was expected"
                )
            }
            FormatError::Truncated { expected, found } => {
                write!(f, "model truncated: {found} bytes of {expected}")
            }
            FormatError::ChecksumMismatch { stored, computed } => write!(
                f,
                "model checksum mismatch: stored {stored:#010x}, computed {computed:#010x}"
            ),
            FormatError::SectionOutOfBounds { tag } => {
                write!(f, "model section {} out of bounds", TagDisplay(tag))
            }
            FormatError::MissingSection { tag } => {
                write!(f, "model section {} missing", TagDisplay(tag))
            }
            FormatError::Inconsistent(why) => write!(f, "inconsistent model: {why}"),
            FormatError::Misaligned => {
                f.write_str("model buffer is not 4-byte aligned (use include_model!)")
            }
            FormatError::DimensionMismatch { expected, found } => write!(
                f,
                "model dimension {found} differs from the compiled dimension {expected}"
            ),
        }
    }
}

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageError::Flash(kind) => write!(f, "flash storage failed ({kind:?})"),
            StorageError::NothingStored => f.write_str("no valid model is stored"),
        }
    }
}

/// Shows a section tag as text when it is printable ASCII.
struct TagDisplay<'a>(&'a [u8; 4]);

impl fmt::Display for TagDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &b in self.0 {
            if b.is_ascii_graphic() {
                write!(f, "{}", b as char)?;
            } else {
                write!(f, "\\x{b:02x}")?;
            }
        }
        Ok(())
    }
}

impl core::error::Error for Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Error::Format(e) => Some(e),
            Error::Storage(e) => Some(e),
            _ => None,
        }
    }
}

impl core::error::Error for FormatError {}

impl core::error::Error for StorageError {}
