//! A git pack of whole objects, for [`super::git::GitRepo::commit_series`].
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

/// The bytes of a version 2 pack holding `objects` (kind and content).
pub fn whole_objects<'a>(
    objects: impl ExactSizeIterator<Item = (ObjectType, &'a [u8])>,
) -> Vec<u8> {
    let mut pack = Vec::new();
    pack.extend_from_slice(b"PACK");
    pack.extend_from_slice(&2u32.to_be_bytes());
    let count = u32::try_from(objects.len()).expect("fewer than 4 billion objects");
    pack.extend_from_slice(&count.to_be_bytes());
    for (kind, content) in objects {
        object_header(&mut pack, kind, content.len());
        // Fast compression: the size matters less than the time here.
        let mut deflate = ZlibEncoder::new(&mut pack, Compression::fast());
        deflate
            .write_all(content)
            .and_then(|()| deflate.try_finish())
            .expect("writing to memory cannot fail");
    }
    let checksum = Sha1::digest(&pack);
    pack.extend_from_slice(&checksum);
    pack
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
