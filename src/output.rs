//! Files written at a path the user names (`-o PATH`): whole or not at all,
//! and only where a regular file, or nothing, was.
//!
//! Every such file goes through [`OutputFile`] (or [`write()`], its short
//! form): the bytes go to a temporary file beside the target
//! (`.NAME.XXXXXX.tmp`, in the same folder so on the same file system),
//! are flushed to the disk, and the temporary file is renamed over the
//! target. So:
//!
//! - a reader of the target sees the old file or the new one, never half of one;
//! - a failed write (a full disk, an error) leaves the target as it was and
//!   removes the temporary file, and the command exits 2;
//! - a program that holds the old file open keeps reading the old file: the
//!   rename gives the name to the new file and leaves the old one to whoever
//!   has it open;
//! - a replaced file keeps its permissions; a new one gets the usual
//!   `0666` less the umask.
//!
//! Only a regular file is replaced. A symbolic link, a named pipe (FIFO), a
//! device, a socket or a folder at the target is refused before anything is
//! written, and left as it was: writing through it would reach whatever it
//! leads to (`/dev/full`, a reader blocked on a pipe, the file a link points
//! to), and renaming over it would destroy it. The check is made when the
//! file is created and again just before the rename.
//!
//! A process killed between the two leaves its `.NAME.XXXXXX.tmp` beside
//! the target; nothing else.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// A file being written for a target path; see the [module docs](self).
/// Dropped without [`OutputFile::commit`], it is removed and the target
/// stays as it was.
#[derive(Debug)]
pub struct OutputFile {
    target: PathBuf,
    temp: tempfile::NamedTempFile,
}

impl OutputFile {
    /// Starts a file for `target`: checks that `target` is a regular file
    /// or nothing, and creates the temporary file beside it.
    pub fn create(target: &Path) -> Result<OutputFile, Error> {
        check_target(target)?;
        let name = target
            .file_name()
            .ok_or_else(|| Error::Usage(format!("{}: not a file name", target.display())))?;
        let prefix = format!(".{}.", name.to_string_lossy());
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // What `File::create` gives (less the umask), not tempfile's 0600.
            builder.permissions(fs::Permissions::from_mode(0o666));
        }
        let folder = folder_of(target);
        fs::metadata(folder).map_err(|e| Error::io(folder, e))?;
        let temp = builder.tempfile_in(folder).map_err(|e| {
            Error::Usage(format!(
                "{}: cannot create a file in {}: {e}",
                target.display(),
                folder.display()
            ))
        })?;
        Ok(OutputFile {
            target: target.to_path_buf(),
            temp,
        })
    }

    /// The temporary file's path, for writers that open a file by its name
    /// (SQLite). They must have closed it before [`OutputFile::commit`].
    pub fn path(&self) -> &Path {
        self.temp.path()
    }

    /// The path the file is for.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Flushes the file to the disk and renames it over the target (which
    /// is checked again), then flushes the folder so the rename lasts.
    pub fn commit(self) -> Result<(), Error> {
        let target = self.target.clone();
        let io = |e| Error::io(&target, e);
        self.temp.as_file().sync_all().map_err(io)?;
        check_target(&target)?;
        if let Ok(old) = fs::metadata(&target) {
            fs::set_permissions(self.temp.path(), old.permissions()).map_err(io)?;
        }
        self.temp.persist(&target).map_err(|e| io(e.error))?;
        sync_folder(&target).map_err(io)
    }
}

// Through the file itself: tempfile's own `Write` adds the temporary name
// to every error, which says nothing to the user.
impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.temp.as_file_mut().write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.temp.as_file_mut().flush()
    }
}

/// Writes `bytes` to `target` through an [`OutputFile`].
pub fn write(target: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut file = OutputFile::create(target)?;
    file.write_all(bytes).map_err(|e| Error::io(target, e))?;
    file.commit()
}

/// Checks that `target` is a regular file (not a link to one) or nothing,
/// so that a command can refuse it before doing its work.
pub fn check_target(target: &Path) -> Result<(), Error> {
    let kind = match fs::symlink_metadata(target) {
        Ok(meta) => meta.file_type(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(target, e)),
    };
    if kind.is_file() {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "{}: not a regular file but {}: -o writes a new file or replaces a regular one, \
         and leaves anything else as it is{}",
        target.display(),
        describe(&kind),
        if kind.is_symlink() {
            " (name the file the link points to)"
        } else {
            ""
        }
    )))
}

/// `a symbolic link`, `a named pipe (FIFO)`, ...
fn describe(kind: &fs::FileType) -> &'static str {
    if kind.is_symlink() {
        return "a symbolic link";
    }
    if kind.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    "something else"
}

/// The folder `target` is in (`.` for a bare file name).
fn folder_of(target: &Path) -> &Path {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Flushes the folder of `target`, where the rename is recorded (a folder
/// can be opened and flushed on Unix only).
fn sync_folder(target: &Path) -> std::io::Result<()> {
    if cfg!(unix) {
        File::open(folder_of(target))?.sync_all()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_abandoned_file_leaves_nothing_and_the_target_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        fs::write(&target, "old").unwrap();
        let mut file = OutputFile::create(&target).unwrap();
        file.write_all(b"new").unwrap();
        drop(file);
        assert_eq!(fs::read_to_string(&target).unwrap(), "old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
