//! The one error type of the crate.
//!
//! Everything that can fail on user input (an empty bundle, an index past the end, a full
//! memory, a parameter out of range) returns [`Error`] instead of panicking, so firmware can
//! report the problem and carry on.
#![forbid(unsafe_code)]

use core::fmt;

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
    /// A search was asked of an empty container.
    EmptyMemory,
    /// A constructor parameter is out of its documented range; the text says which and why.
    InvalidParameter(&'static str),
    /// A model blob does not start with the container's magic bytes.
    BadMagic,
    /// A model blob of a format version this build cannot read.
    UnsupportedVersion {
        /// The version in the blob.
        found: u16,
    },
    /// A model blob of an unknown kind.
    UnknownKind {
        /// The kind code in the blob.
        found: u16,
    },
    /// A model blob of another kind than the one asked for (e.g. a sketch loaded as a classifier).
    WrongKind {
        /// The kind asked for.
        expected: u16,
        /// The kind in the blob.
        found: u16,
    },
    /// A model blob shorter than its header says (cut off in transfer or in flash).
    Truncated {
        /// The length the header gives (or the least a header needs).
        expected: usize,
        /// The length of the buffer.
        found: usize,
    },
    /// A model blob whose CRC-32 does not match its contents (a flipped bit).
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
    /// The sizes recorded in a model disagree with each other; the text says which.
    Inconsistent(&'static str),
    /// The buffer is not 4-byte aligned in memory, so it cannot be read in place (embed blobs
    /// with [`include_model!`](crate::include_model!)).
    Misaligned,
    /// A flash read, write or erase failed (see [`crate::persist`]).
    Storage,
    /// No valid model is stored (see [`crate::persist`]).
    NothingStored,
    /// A model's dimension differs from the one the code was compiled for.
    DimensionMismatch {
        /// The dimension (bits) the code expects.
        expected: usize,
        /// The dimension in the model.
        found: usize,
    },
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
            Error::EmptyMemory => f.write_str("the memory holds no items"),
            Error::InvalidParameter(why) => write!(f, "invalid parameter: {why}"),
            Error::BadMagic => f.write_str("not a hyperbits model (bad magic bytes)"),
            Error::UnsupportedVersion { found } => {
                write!(f, "unsupported model format version {found}")
            }
            Error::UnknownKind { found } => write!(f, "unknown model kind {found}"),
            Error::WrongKind { expected, found } => {
                write!(
                    f,
                    "model of kind {found} where kind {expected} was expected"
                )
            }
            Error::Truncated { expected, found } => {
                write!(f, "model truncated: {found} bytes of {expected}")
            }
            Error::ChecksumMismatch { stored, computed } => write!(
                f,
                "model checksum mismatch: stored {stored:#010x}, computed {computed:#010x}"
            ),
            Error::SectionOutOfBounds { tag } => {
                write!(f, "model section {} out of bounds", TagDisplay(tag))
            }
            Error::MissingSection { tag } => {
                write!(f, "model section {} missing", TagDisplay(tag))
            }
            Error::Inconsistent(why) => write!(f, "inconsistent model: {why}"),
            Error::Misaligned => {
                f.write_str("model buffer is not 4-byte aligned (use include_model!)")
            }
            Error::Storage => f.write_str("flash storage failed"),
            Error::NothingStored => f.write_str("no valid model is stored"),
            Error::DimensionMismatch { expected, found } => write!(
                f,
                "model dimension {found} differs from the compiled dimension {expected}"
            ),
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

impl core::error::Error for Error {}
