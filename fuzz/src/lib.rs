//! Helpers shared by the fuzz targets: run a loader on the bytes as given and again with their
//! checksum made valid, so that mutations reach the checks behind the CRC.
//!
//! Every target asserts one thing: no input makes a loader (or what a caller does with a
//! model it accepted) panic, overflow or read out of bounds.

use hyperbits::model::{crc32, AlignedBlob};

/// Calls `f` with `data` (4-byte aligned, as a blob in flash is) and, when it is long enough
/// to end in a checksum, again with its last four bytes replaced by the CRC-32 of the rest.
pub fn with_and_without_checksum(data: &[u8], mut f: impl FnMut(&[u8])) {
    f(AlignedBlob::new(data).as_bytes());
    if data.len() >= 20 {
        let mut sealed = data.to_vec();
        let n = sealed.len();
        let crc = crc32(&sealed[..n - 4]);
        sealed[n - 4..].copy_from_slice(&crc.to_le_bytes());
        f(AlignedBlob::new(&sealed).as_bytes());
    }
}
