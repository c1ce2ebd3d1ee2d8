//! The model container: one versioned, little-endian, checksummed blob format for every model
//! the library ships (classifier, sketch, Hopfield memory, SAE), read in place.
//!
//! Firmware embeds a blob with [`include_model!`](crate::include_model!) and opens it with [`Model::new_checked`],
//! which validates it once (magic, version, kind, length, CRC-32, section table); after that
//! the accessors hand out slices that point into the blob itself, so class vectors are used
//! straight from flash: no allocation, no copy. This is smoltcp's "checked view over a byte
//! buffer" pattern; the casts are `bytemuck`'s, which check alignment and length.
//!
//! # Layout (all integers little-endian)
//!
//! | offset | size | field |
//! |---:|---:|---|
//! | 0 | 4 | magic `b"HBIT"` |
//! | 4 | 2 | format version, `1` |
//! | 6 | 2 | kind ([`Kind`]: 1 classifier, 2 sketch, 3 Hopfield, 4 SAE, 5 ensemble) |
//! | 8 | 4 | total length of the blob in bytes, checksum included |
//! | 12 | 4 | number of sections `n` |
//! | 16 | 12·n | section table: per section a 4-byte tag, its offset from the start of the blob (`u32`, a multiple of 4) and its length in bytes (`u32`) |
//! | … | … | the sections, in table order, each starting on a multiple of 4 bytes, zero padding between them |
//! | len − 4 | 4 | CRC-32 (ISO-HDLC, the zlib / PNG polynomial) of every byte before it |
//!
//! Sections may not overlap, must lie between the table and the checksum, and tags are
//! unique. What the sections of each kind contain is documented by the module of that kind
//! (for classifiers: [`crate::classify`]). Codebooks are never stored: devices regenerate them
//! from the seeds a model records.
//!
//! Every malformed input gets its own [`FormatError`] (in [`Error::Format`]): [`FormatError::BadMagic`],
//! [`FormatError::UnsupportedVersion`], [`FormatError::UnknownKind`], [`FormatError::Truncated`] (and
//! [`Error::LengthMismatch`] for trailing bytes), [`FormatError::ChecksumMismatch`] (any single
//! flipped bit), [`FormatError::SectionOutOfBounds`], [`FormatError::MissingSection`],
//! [`FormatError::Inconsistent`] (sizes that disagree), [`FormatError::Misaligned`].
#![forbid(unsafe_code)]

use crate::error::Error;
use crate::FormatError;
use crc::{Crc, Table, CRC_32_ISO_HDLC};

/// The first four bytes of every model blob.
pub const MAGIC: [u8; 4] = *b"HBIT";
/// The container format version this build reads and writes.
pub const VERSION: u16 = 1;
/// Bytes before the section table.
const HEADER_LEN: usize = 16;
/// Bytes per section-table entry.
const ENTRY_LEN: usize = 12;
/// Bytes of the trailing checksum.
const CRC_LEN: usize = 4;

/// CRC-32/ISO-HDLC with a 256-entry table (1 KiB of flash), computed at compile time.
pub(crate) const CRC32: Crc<u32, Table<1>> = Crc::<u32, Table<1>>::new(&CRC_32_ISO_HDLC);

/// The CRC-32 the container uses (ISO-HDLC: the zlib / PNG checksum).
pub fn crc32(bytes: &[u8]) -> u32 {
    CRC32.checksum(bytes)
}

/// What a blob holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[repr(u16)]
pub enum Kind {
    /// An HDC classifier ([`crate::classify`]).
    Classifier = 1,
    /// A sketch (`crate::sketch`: Bloom and blocked Bloom).
    Sketch = 2,
    /// A Hopfield memory (`crate::hopfield::HopfieldView`).
    Hopfield = 3,
    /// A sparse autoencoder (`crate::sae::Sae`).
    Sae = 4,
    /// An ensemble of classifiers ([`crate::ensemble`]).
    Ensemble = 5,
    /// A window stage and the classifier behind it ([`crate::series`]).
    Series = 6,
}

impl Kind {
    fn from_code(code: u16) -> Result<Self, Error> {
        Ok(match code {
            1 => Kind::Classifier,
            2 => Kind::Sketch,
            3 => Kind::Hopfield,
            4 => Kind::Sae,
            5 => Kind::Ensemble,
            6 => Kind::Series,
            found => return Err(Error::Format(FormatError::UnknownKind { found })),
        })
    }
}

/// A validated view over a model blob; every accessor reads the blob in place.
///
/// ```
/// use hyperbits::model::{Kind, Model, ModelWriter};
/// let mut w = ModelWriter::new(Kind::Classifier);
/// w.section(*b"DATA", &[1, 2, 3]).unwrap();
/// let blob = w.finish().unwrap();
/// let model = Model::new_checked(&blob).unwrap();
/// assert_eq!(model.section(*b"DATA").unwrap(), &[1, 2, 3]);
/// let mut bad = blob.clone();
/// bad[21] ^= 0x10; // one flipped bit
/// assert!(Model::new_checked(&bad).is_err());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Model<'a> {
    bytes: &'a [u8],
    kind: Kind,
    version: u16,
    sections: usize,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl<'a> Model<'a> {
    /// Validates `bytes` as a model blob (see the module docs for what is checked, in order).
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, Error> {
        let len = bytes.len();
        if len < HEADER_LEN + CRC_LEN {
            return Err(Error::Format(FormatError::Truncated {
                expected: HEADER_LEN + CRC_LEN,
                found: len,
            }));
        }
        if bytes[..4] != MAGIC {
            return Err(Error::Format(FormatError::BadMagic));
        }
        let version = u16_at(bytes, 4);
        if version != VERSION {
            return Err(Error::Format(FormatError::UnsupportedVersion {
                found: version,
            }));
        }
        let kind = Kind::from_code(u16_at(bytes, 6))?;
        let total = u32_at(bytes, 8) as usize;
        if total > len {
            return Err(Error::Format(FormatError::Truncated {
                expected: total,
                found: len,
            }));
        }
        if total < len {
            return Err(Error::LengthMismatch {
                expected: total,
                found: len,
            });
        }
        let stored = u32_at(bytes, len - CRC_LEN);
        let computed = crc32(&bytes[..len - CRC_LEN]);
        if stored != computed {
            return Err(Error::Format(FormatError::ChecksumMismatch {
                stored,
                computed,
            }));
        }
        let sections = u32_at(bytes, 12) as usize;
        let body_end = len - CRC_LEN;
        let table_end = sections
            .checked_mul(ENTRY_LEN)
            .and_then(|t| t.checked_add(HEADER_LEN))
            .filter(|&end| end <= body_end)
            .ok_or(Error::Format(FormatError::Inconsistent(
                "section table runs past the end",
            )))?;
        let model = Model {
            bytes,
            kind,
            version,
            sections,
        };
        // Sections: aligned, inside the body, in order without overlap, unique tags.
        let mut previous_end = table_end;
        for i in 0..sections {
            let (tag, offset, length) = model.entry(i);
            let end = offset.checked_add(length);
            let in_bounds =
                offset % 4 == 0 && offset >= previous_end && end.is_some_and(|e| e <= body_end);
            if !in_bounds {
                return Err(Error::Format(FormatError::SectionOutOfBounds { tag }));
            }
            if (0..i).any(|j| model.entry(j).0 == tag) {
                return Err(Error::Format(FormatError::Inconsistent(
                    "duplicate section tag",
                )));
            }
            previous_end = end.unwrap_or(body_end);
        }
        Ok(model)
    }

    /// Table entry `i` as `(tag, offset, length)`; `i < self.sections`, table validated.
    fn entry(&self, i: usize) -> ([u8; 4], usize, usize) {
        let at = HEADER_LEN + i * ENTRY_LEN;
        let b = self.bytes;
        (
            [b[at], b[at + 1], b[at + 2], b[at + 3]],
            u32_at(b, at + 4) as usize,
            u32_at(b, at + 8) as usize,
        )
    }

    /// The model's kind.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The format version.
    pub fn version(&self) -> u16 {
        self.version
    }

    /// The whole blob.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Checks that the model is of kind `kind`.
    pub fn expect_kind(&self, kind: Kind) -> Result<(), Error> {
        if self.kind == kind {
            Ok(())
        } else {
            Err(Error::Format(FormatError::WrongKind {
                expected: kind as u16,
                found: self.kind as u16,
            }))
        }
    }

    /// The bytes of section `tag`.
    pub fn section(&self, tag: [u8; 4]) -> Result<&'a [u8], Error> {
        let bytes = self.bytes;
        (0..self.sections)
            .map(|i| self.entry(i))
            .find(|(t, _, _)| *t == tag)
            .map(|(_, offset, length)| &bytes[offset..offset + length])
            .ok_or(Error::Format(FormatError::MissingSection { tag }))
    }

    /// Section `tag` as little-endian `u32` words, in place.
    pub fn section_u32(&self, tag: [u8; 4]) -> Result<&'a [u32], Error> {
        cast(self.section(tag)?)
    }

    /// Section `tag` as little-endian `f32` values, in place.
    pub fn section_f32(&self, tag: [u8; 4]) -> Result<&'a [f32], Error> {
        cast(self.section(tag)?)
    }
}

/// Reinterprets section bytes in place. Sections are 4-aligned within the blob, so this fails
/// only when the blob itself is misaligned in memory, or when its length is not a multiple of
/// the element size.
fn cast<T: bytemuck::Pod>(bytes: &[u8]) -> Result<&[T], Error> {
    if cfg!(target_endian = "big") {
        // Values are stored little-endian; reading them in place would be wrong here.
        return Err(Error::InvalidParameter(
            "zero-copy models need a little-endian target",
        ));
    }
    bytemuck::try_cast_slice(bytes).map_err(|e| match e {
        bytemuck::PodCastError::TargetAlignmentGreaterAndInputNotAligned => {
            Error::Format(FormatError::Misaligned)
        }
        _ => Error::Format(FormatError::Inconsistent(
            "section length is not a multiple of its element size",
        )),
    })
}

/// Embeds a model blob with 4-byte alignment, so [`Model::new_checked`] can read it in place.
/// Expands to a `&'static [u8]`.
///
/// ```ignore
/// static MODEL: &[u8] = hyperbits::include_model!("../model.hbm");
/// let model = hyperbits::model::Model::new_checked(MODEL)?;
/// ```
#[macro_export]
macro_rules! include_model {
    ($path:expr) => {{
        #[repr(C, align(4))]
        struct Aligned<B: ?Sized>(B);
        static ALIGNED: &Aligned<[u8]> = &Aligned(*include_bytes!($path));
        &ALIGNED.0
    }};
}

/// Runs a writer that fills a caller's buffer (`emit(out)` → length, or
/// [`Error::BufferTooSmall`] with the length needed) into a buffer of its own: the one
/// `to_blob` of the `…Repr` writers.
#[cfg(feature = "alloc")]
pub(crate) fn emit_to_vec(
    emit: impl Fn(&mut [u8]) -> Result<usize, Error>,
) -> Result<alloc::vec::Vec<u8>, Error> {
    let needed = match emit(&mut []) {
        Err(Error::BufferTooSmall { needed, .. }) => needed,
        other => other?,
    };
    let mut out = alloc::vec![0u8; needed];
    emit(&mut out)?;
    Ok(out)
}

/// Writes a blob of kind `kind` into `out` without allocating; returns its length. Each
/// section is a tag and the byte slices that, concatenated, form its content (so a firmware
/// can write a section from pieces held in different places). Values must already be
/// little-endian. Errors: `out` too short ([`Error::BufferTooSmall`] with the length
/// needed), duplicate tags, a blob of 4 GiB or more.
pub fn write_into(
    kind: Kind,
    sections: &[([u8; 4], &[&[u8]])],
    out: &mut [u8],
) -> Result<usize, Error> {
    for (i, (tag, _)) in sections.iter().enumerate() {
        if sections[..i].iter().any(|(t, _)| t == tag) {
            return Err(Error::Format(FormatError::Inconsistent(
                "duplicate section tag",
            )));
        }
    }
    let section_len = |parts: &[&[u8]]| parts.iter().map(|p| p.len()).sum::<usize>();
    let table_end = HEADER_LEN + ENTRY_LEN * sections.len();
    let mut at = table_end.next_multiple_of(4);
    for (_, parts) in sections {
        at = (at + section_len(parts)).next_multiple_of(4);
    }
    let total = at + CRC_LEN;
    let total32 = u32::try_from(total)
        .map_err(|_| Error::InvalidParameter("a model blob must stay below 4 GiB"))?;
    let found = out.len();
    let out = out.get_mut(..total).ok_or(Error::BufferTooSmall {
        needed: total,
        found,
    })?;
    out.fill(0);
    out[..4].copy_from_slice(&MAGIC);
    out[4..6].copy_from_slice(&VERSION.to_le_bytes());
    out[6..8].copy_from_slice(&(kind as u16).to_le_bytes());
    out[8..12].copy_from_slice(&total32.to_le_bytes());
    out[12..16].copy_from_slice(&(sections.len() as u32).to_le_bytes());
    let mut offset = table_end.next_multiple_of(4);
    for (i, (tag, parts)) in sections.iter().enumerate() {
        let entry = HEADER_LEN + ENTRY_LEN * i;
        let len = section_len(parts);
        out[entry..entry + 4].copy_from_slice(tag);
        out[entry + 4..entry + 8].copy_from_slice(&(offset as u32).to_le_bytes());
        out[entry + 8..entry + 12].copy_from_slice(&(len as u32).to_le_bytes());
        let mut at = offset;
        for part in *parts {
            out[at..at + part.len()].copy_from_slice(part);
            at += part.len();
        }
        offset = (offset + len).next_multiple_of(4);
    }
    let crc = crc32(&out[..total - CRC_LEN]);
    out[total - CRC_LEN..].copy_from_slice(&crc.to_le_bytes());
    Ok(total)
}

/// A model blob held in memory with the 4-byte alignment [`Model`] needs to read sections in
/// place (host side: a `Vec<u8>` read from a file has no alignment guarantee).
#[cfg(feature = "alloc")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlignedBlob {
    words: alloc::vec::Vec<u32>,
    len: usize,
}

#[cfg(feature = "alloc")]
impl AlignedBlob {
    /// Copies `bytes` into aligned storage.
    pub fn new(bytes: &[u8]) -> Self {
        let mut words = alloc::vec![0u32; bytes.len().div_ceil(4)];
        bytemuck::cast_slice_mut::<u32, u8>(&mut words)[..bytes.len()].copy_from_slice(bytes);
        AlignedBlob {
            words,
            len: bytes.len(),
        }
    }

    /// Reads a blob file.
    #[cfg(feature = "std")]
    pub fn read(path: &std::path::Path) -> std::io::Result<Self> {
        Ok(Self::new(&std::fs::read(path)?))
    }

    /// The blob's bytes, 4-byte aligned.
    pub fn as_bytes(&self) -> &[u8] {
        &bytemuck::cast_slice::<u32, u8>(&self.words)[..self.len]
    }
}

/// Builds a model blob (host side).
#[cfg(feature = "alloc")]
#[derive(Debug, Clone)]
pub struct ModelWriter {
    kind: Kind,
    sections: alloc::vec::Vec<([u8; 4], alloc::vec::Vec<u8>)>,
}

#[cfg(feature = "alloc")]
impl ModelWriter {
    /// An empty blob of kind `kind`.
    pub fn new(kind: Kind) -> Self {
        ModelWriter {
            kind,
            sections: alloc::vec::Vec::new(),
        }
    }

    /// Appends section `tag` with `bytes`. Error: the tag is already used.
    pub fn section(&mut self, tag: [u8; 4], bytes: &[u8]) -> Result<&mut Self, Error> {
        if self.sections.iter().any(|(t, _)| *t == tag) {
            return Err(Error::Format(FormatError::Inconsistent(
                "duplicate section tag",
            )));
        }
        self.sections.push((tag, bytes.to_vec()));
        Ok(self)
    }

    /// Appends section `tag` holding `words` as little-endian `u32`.
    pub fn section_u32(&mut self, tag: [u8; 4], words: &[u32]) -> Result<&mut Self, Error> {
        let bytes: alloc::vec::Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        self.section(tag, &bytes)
    }

    /// Appends section `tag` holding `values` as little-endian `f32`.
    pub fn section_f32(&mut self, tag: [u8; 4], values: &[f32]) -> Result<&mut Self, Error> {
        let bytes: alloc::vec::Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.section(tag, &bytes)
    }

    /// The finished blob. Error: it would exceed 4 GiB.
    pub fn finish(&self) -> Result<alloc::vec::Vec<u8>, Error> {
        let parts: alloc::vec::Vec<[&[u8]; 1]> =
            self.sections.iter().map(|(_, b)| [&b[..]]).collect();
        let sections: alloc::vec::Vec<([u8; 4], &[&[u8]])> = self
            .sections
            .iter()
            .zip(&parts)
            .map(|((t, _), p)| (*t, &p[..]))
            .collect();
        let size = HEADER_LEN
            + ENTRY_LEN * sections.len()
            + self
                .sections
                .iter()
                .map(|(_, b)| b.len() + 3)
                .sum::<usize>()
            + CRC_LEN
            + 3;
        let mut out = alloc::vec![0u8; size];
        let len = write_into(self.kind, &sections, &mut out)?;
        out.truncate(len);
        Ok(out)
    }
}

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use super::*;

    fn sample() -> alloc::vec::Vec<u8> {
        let mut w = ModelWriter::new(Kind::Classifier);
        w.section(*b"ABCD", &[9, 8, 7]).unwrap();
        w.section_u32(*b"WRDS", &[1, 0xDEAD_BEEF]).unwrap();
        w.section_f32(*b"FLTS", &[1.5, -2.0]).unwrap();
        w.finish().unwrap()
    }

    /// Rewrites the checksum after a deliberate edit, to reach the checks behind it.
    fn reseal(b: &mut [u8]) {
        let n = b.len();
        let crc = crc32(&b[..n - 4]);
        b[n - 4..].copy_from_slice(&crc.to_le_bytes());
    }

    #[test]
    fn crc_is_the_standard_crc32() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn roundtrip_reads_in_place() {
        let blob = sample();
        let m = Model::new_checked(&blob).unwrap();
        assert_eq!(m.kind(), Kind::Classifier);
        assert_eq!(m.section(*b"ABCD").unwrap(), &[9, 8, 7]);
        let words = m.section_u32(*b"WRDS").unwrap();
        assert_eq!(words, &[1, 0xDEAD_BEEF]);
        // In place: the slice points into the blob.
        let range = blob.as_ptr_range();
        assert!(range.contains(&(words.as_ptr() as *const u8)));
        assert_eq!(m.section_f32(*b"FLTS").unwrap(), &[1.5, -2.0]);
        assert_eq!(
            m.section(*b"NONE"),
            Err(Error::Format(FormatError::MissingSection { tag: *b"NONE" }))
        );
        assert_eq!(
            m.section_u32(*b"ABCD"),
            Err(Error::Format(FormatError::Inconsistent(
                "section length is not a multiple of its element size"
            )))
        );
        assert_eq!(
            m.expect_kind(Kind::Sketch),
            Err(Error::Format(FormatError::WrongKind {
                expected: 2,
                found: 1
            }))
        );
    }

    #[test]
    fn each_malformation_has_its_own_error() {
        let blob = sample();
        let mut b = blob.clone();
        b[0] = b'X';
        assert_eq!(
            Model::new_checked(&b).unwrap_err(),
            Error::Format(FormatError::BadMagic)
        );
        let mut b = blob.clone();
        b[4] = 2;
        assert_eq!(
            Model::new_checked(&b).unwrap_err(),
            Error::Format(FormatError::UnsupportedVersion { found: 2 })
        );
        let mut b = blob.clone();
        b[6] = 9;
        assert_eq!(
            Model::new_checked(&b).unwrap_err(),
            Error::Format(FormatError::UnknownKind { found: 9 })
        );
        assert_eq!(
            Model::new_checked(&blob[..blob.len() - 1]).unwrap_err(),
            Error::Format(FormatError::Truncated {
                expected: blob.len(),
                found: blob.len() - 1
            })
        );
        assert!(matches!(
            Model::new_checked(&blob[..10]).unwrap_err(),
            Error::Format(FormatError::Truncated { .. })
        ));
        let mut longer = blob.clone();
        longer.push(0);
        assert!(matches!(
            Model::new_checked(&longer).unwrap_err(),
            Error::LengthMismatch { .. }
        ));
        let mut b = blob.clone();
        b[30] ^= 1;
        assert!(matches!(
            Model::new_checked(&b).unwrap_err(),
            Error::Format(FormatError::ChecksumMismatch { .. })
        ));
        // An offset past the end (checksum recomputed so the structure check is reached).
        let mut b = blob.clone();
        b[16 + 4..16 + 8].copy_from_slice(&10_000u32.to_le_bytes());
        reseal(&mut b);
        assert_eq!(
            Model::new_checked(&b).unwrap_err(),
            Error::Format(FormatError::SectionOutOfBounds { tag: *b"ABCD" })
        );
        // A length past the end.
        let mut b = blob.clone();
        b[16 + 12 + 8..16 + 12 + 12].copy_from_slice(&u32::MAX.to_le_bytes());
        reseal(&mut b);
        assert_eq!(
            Model::new_checked(&b).unwrap_err(),
            Error::Format(FormatError::SectionOutOfBounds { tag: *b"WRDS" })
        );
        // A section count that does not fit.
        let mut b = blob.clone();
        b[12..16].copy_from_slice(&1000u32.to_le_bytes());
        reseal(&mut b);
        assert!(matches!(
            Model::new_checked(&b).unwrap_err(),
            Error::Format(FormatError::Inconsistent(_))
        ));
        // A misaligned buffer.
        let mut shifted = alloc::vec![0u8; blob.len() + 1];
        let start = if (shifted.as_ptr() as usize).is_multiple_of(4) {
            1
        } else {
            0
        };
        shifted[start..start + blob.len()].copy_from_slice(&blob);
        let m = Model::new_checked(&shifted[start..start + blob.len()]).unwrap();
        assert_eq!(
            m.section_u32(*b"WRDS"),
            Err(Error::Format(FormatError::Misaligned))
        );
    }

    #[test]
    fn every_single_bit_flip_is_rejected_without_panic() {
        let blob = sample();
        for bit in 0..blob.len() * 8 {
            let mut b = blob.clone();
            b[bit / 8] ^= 1 << (bit % 8);
            assert!(Model::new_checked(&b).is_err(), "bit {bit}");
        }
    }

    #[test]
    fn random_corruption_with_valid_checksums_never_panics() {
        // A seeded corpus: overwrite 1-4 bytes (checksum recomputed, so every structural
        // check is exercised) and truncate at every length; the loader must return, not panic.
        let blob = sample();
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..20_000 {
            let mut b = blob.clone();
            for _ in 0..1 + next() % 4 {
                let at = (next() % (b.len() as u64 - 4)) as usize;
                b[at] = next() as u8;
            }
            reseal(&mut b);
            if let Ok(m) = Model::new_checked(&b) {
                let _ = (
                    m.section(*b"ABCD"),
                    m.section_u32(*b"WRDS"),
                    m.section_f32(*b"FLTS"),
                );
            }
        }
        for n in 0..blob.len() {
            assert!(Model::new_checked(&blob[..n]).is_err());
        }
    }

    #[test]
    fn aligned_blob_is_aligned_and_equal() {
        let blob = sample();
        let a = AlignedBlob::new(&blob);
        assert_eq!(a.as_bytes(), &blob[..]);
        assert_eq!(a.as_bytes().as_ptr() as usize % 4, 0);
        assert!(Model::new_checked(a.as_bytes())
            .unwrap()
            .section_u32(*b"WRDS")
            .is_ok());
    }

    #[test]
    fn include_model_aligns() {
        let bytes: &[u8] = crate::include_model!("../tests/data/empty.hbm");
        assert_eq!(bytes.as_ptr() as usize % 4, 0);
        let m = Model::new_checked(bytes).unwrap();
        assert_eq!(m.kind(), Kind::Classifier);
    }
}
