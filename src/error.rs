//! The one error type of the crate.
//!
//! Everything that can fail on user input (an empty bundle, an index past the end, a full
//! memory, a parameter out of range) returns [`Error`] instead of panicking, so firmware can
//! report the problem and carry on.

use core::fmt;

/// What went wrong. Every variant names the input at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
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
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}
