//! A git pack of whole objects, for the commits of an import
//! ([`super::commits::CommitSeries`]).
//!
//! libgit2 can dump objects held in memory as a pack, but its pack builder
//! always searches for deltas, and for a batch of similar snapshots that
//! search costs more than everything else an import does. A pack without
//! deltas is simple (gitformat-pack(5)): a header, each object as a type and
//! size header followed by its zlib-deflated bytes, and a SHA-1 of it all.
//! What is written here is never trusted as is: libgit2's indexer reads the
//! pack back, recomputes every object id and the checksum, and writes the
//! index (`git gc` later finds the deltas).

use std::io::Write;

use flate2::write::ZlibEncoder;
use flate2::Compression;
use git2::ObjectType;
use sha1::{Digest, Sha1};

/// Writes a version 2 pack holding `objects` (kind and content) to `out`.
/// The objects are compressed on every core, then written in order.
pub fn write_whole_objects(
    out: &mut impl Write,
    objects: &[(ObjectType, &[u8])],
) -> std::io::Result<()> {
    let deflated = deflate_all(objects)?;
    let mut out = Hashing {
        out,
        sha1: Sha1::new(),
    };
    out.write_all(b"PACK")?;
    out.write_all(&2u32.to_be_bytes())?;
    let count = u32::try_from(objects.len()).expect("fewer than 4 billion objects");
    out.write_all(&count.to_be_bytes())?;
    let mut header = Vec::with_capacity(16);
    for ((kind, content), deflated) in objects.iter().zip(&deflated) {
        header.clear();
        object_header(&mut header, *kind, content.len());
        out.write_all(&header)?;
        out.write_all(deflated)?;
    }
    let checksum = out.sha1.finalize();
    out.out.write_all(&checksum)
}

/// Each object's content as a zlib stream, in order, made on every core.
fn deflate_all(objects: &[(ObjectType, &[u8])]) -> std::io::Result<Vec<Vec<u8>>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let share = objects.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let parts: Vec<_> = objects
            .chunks(share)
            .map(|part| scope.spawn(move || part.iter().map(|(_, c)| deflate(c)).collect()))
            .collect();
        let mut all = Vec::with_capacity(objects.len());
        for part in parts {
            let part: std::io::Result<Vec<Vec<u8>>> =
                part.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            all.extend(part?);
        }
        Ok(all)
    })
}

/// Fast compression: the time matters more than the size here.
fn deflate(content: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut deflate = ZlibEncoder::new(Vec::with_capacity(content.len() / 4), Compression::fast());
    deflate.write_all(content)?;
    deflate.finish()
}

/// A writer that hashes what goes through it (the pack's trailer).
struct Hashing<'w, W: Write> {
    out: &'w mut W,
    sha1: Sha1,
}

impl<W: Write> Write for Hashing<'_, W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(bytes)?;
        self.sha1.update(&bytes[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// The type and inflated size of an object: 3 bits of type and 4 of size in
/// the first byte, 7 more bits of size in each next one, high bit set on
/// every byte but the last.
fn object_header(pack: &mut Vec<u8>, kind: ObjectType, size: usize) {
    let code: u8 = match kind {
        ObjectType::Commit => 1,
        ObjectType::Tree => 2,
        ObjectType::Blob => 3,
        ObjectType::Tag => 4,
        other => unreachable!("a {other:?} is never written to a pack"),
    };
    let mut byte = (code << 4) | (size & 0x0f) as u8;
    let mut rest = size >> 4;
    while rest > 0 {
        pack.push(byte | 0x80);
        byte = (rest & 0x7f) as u8;
        rest >>= 7;
    }
    pack.push(byte);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_four_bits_then_seven_per_byte() {
        let header = |size| {
            let mut out = Vec::new();
            object_header(&mut out, ObjectType::Blob, size);
            out
        };
        assert_eq!(header(15), [0x3f]);
        assert_eq!(header(16), [0xb0, 0x01]);
        // 96,083 = 0x3 + (0x75 << 4) + (0x2e << 11)
        assert_eq!(header(96_083), [0xb3, 0xf5, 0x2e]);
    }
}
