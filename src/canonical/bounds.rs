//! What a snapshot may be before it is parsed: its size and its nesting.
//!
//! Snapshots are data a repository hands us, so a hostile one must cost no
//! more than an honest one. The YAML parser (libyaml, through `serde_yaml`)
//! does work proportional to the flow nesting (`[`, `{`) for every token: a
//! 200 KB file of 100,000 nested brackets took 71 s to refuse. `serde_yaml`
//! gives up at 128 levels anyway, but only after that quadratic scan. So the
//! text is measured first, in one linear pass, and refused when it is larger
//! than [`MAX_SNAPSHOT_BYTES`] or nests deeper than [`MAX_NESTING`].
//!
//! Canonical snapshots nest one flow level at most (`rows: []`), and even a
//! snapshot rewritten as JSON nests six; the limits are far above both.

use std::io::Read;
use std::path::Path;

use crate::error::Error;

/// The largest snapshot read: 256 MiB, about 500,000 rows.
pub const MAX_SNAPSHOT_BYTES: u64 = 256 << 20;

/// The deepest flow nesting (`[` and `{`) a snapshot may have; `serde_yaml`
/// reads no deeper than 128 levels of any kind.
pub const MAX_NESTING: u32 = 128;

/// Reads a snapshot file, refusing one larger than [`MAX_SNAPSHOT_BYTES`]
/// before reading it into memory.
pub fn read_file(path: &Path) -> Result<String, Error> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let length = file.metadata().map_err(|e| Error::io(path, e))?.len();
    check_size(path, length)?;
    // A file that grows while it is read (or claims no length) stops at the limit.
    let mut bytes = Vec::with_capacity(usize::try_from(length).unwrap_or(0));
    file.take(MAX_SNAPSHOT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    check_size(path, bytes.len() as u64)?;
    String::from_utf8(bytes).map_err(|e| Error::BadSnapshot {
        path: path.to_path_buf(),
        reason: format!(
            "not UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ),
    })
}

/// Refuses a snapshot of `length` bytes when it is over the limit.
pub fn check_size(path: &Path, length: u64) -> Result<(), Error> {
    if length <= MAX_SNAPSHOT_BYTES {
        return Ok(());
    }
    Err(Error::BadSnapshot {
        path: path.to_path_buf(),
        reason: format!(
            "{length} bytes, more than the {MAX_SNAPSHOT_BYTES} a snapshot may have: not read"
        ),
    })
}

/// Refuses snapshot text that is too large or nests too deeply to parse.
pub fn check(path: &Path, text: &str) -> Result<(), Error> {
    check_size(path, text.len() as u64)?;
    match deepest(text.as_bytes(), MAX_NESTING) {
        None => Ok(()),
        Some(line) => Err(Error::BadSnapshot {
            path: path.to_path_buf(),
            reason: format!(
                "nested more than {MAX_NESTING} levels deep (`[` or `{{`) by line {line}: \
                 refused before parsing"
            ),
        }),
    }
}

/// Where a scanner may stand: the YAML it is in, as far as brackets go.
#[derive(Clone, Copy)]
enum At {
    /// Outside quotes, comments and tags: brackets count.
    Plain,
    Single,
    Double,
    /// After a `\` in a double-quoted scalar.
    Escape,
    Tag,
    Comment,
}

const EVERY: [At; 6] = [
    At::Plain,
    At::Single,
    At::Double,
    At::Escape,
    At::Tag,
    At::Comment,
];

/// The 1-based line where the flow nesting of `bytes` may pass `limit`, or
/// `None` when it stays within it.
///
/// Never underestimates what libyaml will see, without being a YAML parser:
/// whether a `'`, `"`, `#` or `!` opens a quoted scalar, a comment or a tag
/// depends on context this pass does not track, so it follows both readings
/// at once and keeps, for each state, the deepest nesting any reading
/// reaches there (deeper is never better for a later bracket to close, so
/// the deepest suffices). The real reading is one of those followed, so the
/// real nesting is never above the bound. An honest snapshot's extra
/// readings only add a level where a bracket is closed inside what might
/// be a quote; the limit leaves room for many.
fn deepest(bytes: &[u8], limit: u32) -> Option<usize> {
    // The deepest nesting some reading reaches in each state (`At as usize`).
    let mut depth: [Option<u32>; EVERY.len()] = [None; EVERY.len()];
    depth[At::Plain as usize] = Some(0);
    let mut line = 1;
    let mut previous: Option<u8> = None;
    for &b in bytes {
        let mut next: [Option<u32>; EVERY.len()] = [None; EVERY.len()];
        let mut reach = |at: At, d: u32| {
            let slot = &mut next[at as usize];
            *slot = Some(slot.map_or(d, |s| s.max(d)));
        };
        // Where a quoted scalar or a tag may start: at the start of a token.
        let token_start = previous.is_none_or(|p| {
            matches!(
                p,
                b' ' | b'\t' | b'\n' | b'\r' | b'[' | b'{' | b',' | b':'
                    // The last byte of a BOM, NEL, LS or PS.
                    | 0xBF | 0x85 | 0xA8 | 0xA9
            )
        });
        let comment_start =
            token_start || previous.is_some_and(|p| matches!(p, b']' | b'}' | b'\'' | b'"'));
        // A line break as libyaml knows them (NEL, LS, PS end with these bytes).
        let maybe_break = matches!(b, 0x85 | 0xA8 | 0xA9);
        for at in EVERY {
            let Some(d) = depth[at as usize] else {
                continue;
            };
            match at {
                At::Plain => match b {
                    b'[' | b'{' => reach(At::Plain, d + 1),
                    b']' | b'}' => reach(At::Plain, d.saturating_sub(1)),
                    b'\'' if token_start => {
                        reach(At::Single, d);
                        reach(At::Plain, d);
                    }
                    b'"' if token_start => {
                        reach(At::Double, d);
                        reach(At::Plain, d);
                    }
                    b'!' if token_start => {
                        reach(At::Tag, d);
                        reach(At::Plain, d);
                    }
                    b'#' if comment_start => {
                        reach(At::Comment, d);
                        reach(At::Plain, d);
                    }
                    _ => reach(At::Plain, d),
                },
                At::Single => match b {
                    b'\'' => reach(At::Plain, d),
                    _ => reach(At::Single, d),
                },
                At::Double => match b {
                    b'"' => reach(At::Plain, d),
                    b'\\' => reach(At::Escape, d),
                    _ => reach(At::Double, d),
                },
                At::Escape => reach(At::Double, d),
                At::Tag => match b {
                    b' ' | b'\t' | b'\n' | b'\r' => reach(At::Plain, d),
                    b',' => {
                        reach(At::Plain, d);
                        reach(At::Tag, d);
                    }
                    _ if maybe_break => {
                        reach(At::Plain, d);
                        reach(At::Tag, d);
                    }
                    _ => reach(At::Tag, d),
                },
                At::Comment => match b {
                    b'\n' | b'\r' => reach(At::Plain, d),
                    _ if maybe_break => {
                        reach(At::Plain, d);
                        reach(At::Comment, d);
                    }
                    _ => reach(At::Comment, d),
                },
            }
        }
        if b == b'\n' {
            line += 1;
        }
        if next.iter().flatten().any(|d| *d > limit) {
            return Some(line);
        }
        depth = next;
        previous = Some(b);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth_passes(text: &str, limit: u32) -> bool {
        deepest(text.as_bytes(), limit).is_none()
    }

    #[test]
    fn brackets_nesting_past_the_limit_are_refused_at_their_line() {
        let deep = format!("schema: x\nrows: {}{}\n", "[".repeat(200), "]".repeat(200));
        assert_eq!(deepest(deep.as_bytes(), MAX_NESTING), Some(2));
        let mixed = format!("a: {}\n", "{b: [".repeat(70));
        assert_eq!(deepest(mixed.as_bytes(), MAX_NESTING), Some(1));
        assert!(depth_passes(
            &format!("rows: {}{}", "[".repeat(128), "]".repeat(128)),
            128
        ));
    }

    #[test]
    fn brackets_inside_quotes_and_comments_may_close_nothing() {
        // Each `]` is inside a quoted scalar: libyaml nests 40 deep here.
        let quoted = "[ 'x]]]', ".repeat(40);
        assert!(!depth_passes(&quoted, 39));
        let double = "[ \"x\\\"]]]\", ".repeat(40);
        assert!(!depth_passes(&double, 39));
        let commented = "[ # ]]]\n".repeat(40);
        assert!(!depth_passes(&commented, 39));
        let tagged = "[ !<]]]> x, ".repeat(40);
        assert!(!depth_passes(&tagged, 39));
    }

    #[test]
    fn plain_text_with_brackets_and_apostrophes_passes() {
        let honest = "title: Tarifs [2024] d'un hôpital\n\
                      setting: 'l''article [1] (voir [2])'\n\
                      note: \"a [b] \\\" c\"\n\
                      rows: []\n"
            .repeat(10_000);
        assert!(depth_passes(&honest, 2));
    }

    #[test]
    fn a_canonical_snapshot_nests_at_most_once() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/parsed/physiotherapy/2024-01-01-tariff.yaml"
        ))
        .unwrap();
        assert!(depth_passes(&text, 1));
    }

    #[test]
    fn a_snapshot_over_the_size_limit_is_refused_by_its_length() {
        let e = check_size(Path::new("x.yaml"), MAX_SNAPSHOT_BYTES + 1).unwrap_err();
        assert!(e.to_string().contains("more than the"), "{e}");
        assert!(check_size(Path::new("x.yaml"), MAX_SNAPSHOT_BYTES).is_ok());
    }
}
