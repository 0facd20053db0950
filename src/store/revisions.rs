//! The read side of the history: the commits of the current branch
//! ([`GitRepo::log`]), the files of a revision, every version of the files
//! under a prefix, and blobs, read with a size limit.
//!
//! Every reader that lists files of a tree goes through one walk,
//! [`blobs_under`].

use std::collections::HashMap;
use std::path::Path;

use git2::{ErrorCode, ObjectType, Oid};
use serde::Serialize;

use super::git::GitRepo;
use crate::error::Error;

/// One commit, as `tariffs log` and `history` need it.
#[derive(Debug, Clone, Serialize)]
pub struct CommitInfo {
    /// The full hash.
    pub id: String,
    /// `Name <email>` of the author.
    pub author: String,
    /// Seconds since the epoch (committer time).
    pub time: i64,
    /// The subject line.
    pub summary: String,
    /// Trailers (`Effective-Date: 2024-01-01`), in order.
    pub trailers: Vec<(String, String)>,
}

/// The content of a file in one commit.
#[derive(Debug, Clone)]
pub struct FileVersion {
    /// The commit.
    pub commit: CommitInfo,
    /// The file's repository-relative path.
    pub path: String,
    /// The blob holding the file's bytes at that commit.
    pub blob: Oid,
}

/// The largest file read back from git: as large as a snapshot or a
/// source may be (256 MiB).
const MAX_BLOB_BYTES: u64 = crate::canonical::bounds::MAX_SNAPSHOT_BYTES;

impl GitRepo {
    /// The bytes of `path` in the HEAD commit, if it is there.
    pub fn head_file(&self, path: &str) -> Result<Option<Vec<u8>>, Error> {
        let Some(head) = self.head()?.1 else {
            return Ok(None);
        };
        match self.tree_of(head)?.get_path(Path::new(path)) {
            Ok(entry) => Ok(Some(self.blob(entry.id())?)),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(self.err(e)),
        }
    }

    /// The bytes named by a revision spec such as `HEAD~1:parsed/x.yaml`.
    pub fn read_spec(&self, spec: &str) -> Result<Vec<u8>, Error> {
        let object = self.revparse(spec, "names nothing")?;
        if object.kind() != Some(ObjectType::Blob) {
            return Err(Error::Usage(format!(
                "`{spec}` is not a file (expected REV:path/to/snapshot.yaml)"
            )));
        }
        self.blob(object.id())
    }

    /// The full hash of the commit a revision names (`HEAD~1`, a tag, a hash).
    pub fn resolve_commit(&self, rev: &str) -> Result<String, Error> {
        let object = self.revparse(rev, "names no commit")?;
        let commit = object
            .peel_to_commit()
            .map_err(|_| Error::Usage(format!("`{rev}` is not a commit")))?;
        Ok(commit.id().to_string())
    }

    /// The object a revision names; if none, a usage error that says the
    /// revision `names_not` (what the caller looked for) in the repository.
    fn revparse(&self, rev: &str, names_not: &str) -> Result<git2::Object<'_>, Error> {
        self.repo.revparse_single(rev).map_err(|e| {
            Error::Usage(format!(
                "`{rev}` {names_not} in {}: {}",
                self.root.display(),
                e.message()
            ))
        })
    }

    /// The files under `prefix` in the tree of a revision, with their bytes.
    pub fn files_at(&self, rev: &str, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, Error> {
        let id = Oid::from_str(&self.resolve_commit(rev)?).map_err(|e| self.err(e))?;
        let tree = self.tree_of(id)?;
        blobs_under(&tree, prefix)
            .map_err(|e| self.err(e))?
            .into_iter()
            .map(|(path, id)| Ok((path, self.blob(id)?)))
            .collect()
    }

    /// The commit that last changed each file under `prefix` on the current branch.
    pub fn last_commits(&self, prefix: &str) -> Result<HashMap<String, String>, Error> {
        Ok(self
            .file_versions(prefix)?
            .into_iter()
            .map(|v| (v.path, v.commit.id))
            .collect())
    }

    /// The bytes of a blob. Its size is read from the object header first:
    /// a blob larger than any snapshot may be is refused before it is
    /// loaded (what is committed is data, and data can be hostile).
    pub fn blob(&self, id: Oid) -> Result<Vec<u8>, Error> {
        let odb = self.repo.odb().map_err(|e| self.err(e))?;
        let (size, _) = odb.read_header(id).map_err(|e| self.err(e))?;
        if size as u64 > MAX_BLOB_BYTES {
            return Err(Error::repository(
                &self.root,
                format!(
                    "git object {id} holds {} MiB, more than the {} MiB a snapshot or source may have",
                    size >> 20,
                    MAX_BLOB_BYTES >> 20
                ),
            ));
        }
        let blob = self.repo.find_blob(id).map_err(|e| self.err(e))?;
        Ok(blob.content().to_vec())
    }

    /// Commits of the current branch, newest first.
    pub fn log(&self) -> Result<Vec<CommitInfo>, Error> {
        let Some(head) = self.head()?.1 else {
            return Ok(Vec::new());
        };
        let mut walk = self.repo.revwalk().map_err(|e| self.err(e))?;
        walk.push(head).map_err(|e| self.err(e))?;
        walk.map(|id| {
            let commit = self
                .repo
                .find_commit(id.map_err(|e| self.err(e))?)
                .map_err(|e| self.err(e))?;
            Ok(commit_info(&commit))
        })
        .collect()
    }

    /// Every version of every file under `prefix` that a commit of the
    /// current branch introduced, oldest first.
    pub fn file_versions(&self, prefix: &str) -> Result<Vec<FileVersion>, Error> {
        let mut versions = Vec::new();
        let mut commits = self.log()?;
        commits.reverse();
        let mut previous: HashMap<String, Oid> = HashMap::new();
        for info in commits {
            let id = Oid::from_str(&info.id).map_err(|e| self.err(e))?;
            let present = blobs_under(&self.tree_of(id)?, prefix).map_err(|e| self.err(e))?;
            for (path, blob) in present {
                if previous.get(&path) != Some(&blob) {
                    previous.insert(path.clone(), blob);
                    versions.push(FileVersion {
                        commit: info.clone(),
                        path,
                        blob,
                    });
                }
            }
        }
        Ok(versions)
    }
}

/// Every file of `tree` whose path starts with `prefix`, with its blob, in
/// the order of a walk from the root (a folder's files before its subfolders').
pub(super) fn blobs_under(
    tree: &git2::Tree<'_>,
    prefix: &str,
) -> Result<Vec<(String, Oid)>, git2::Error> {
    let mut found = Vec::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        if entry.kind() == Some(ObjectType::Blob) {
            let path = format!("{dir}{}", entry.name().unwrap_or_default());
            if path.starts_with(prefix) {
                found.push((path, entry.id()));
            }
        }
        git2::TreeWalkResult::Ok
    })?;
    Ok(found)
}

fn commit_info(commit: &git2::Commit<'_>) -> CommitInfo {
    let message = commit.message().unwrap_or_default();
    let trailers = git2::message_trailers_strs(message)
        .map(|t| {
            t.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .unwrap_or_default();
    let author = commit.author();
    CommitInfo {
        id: commit.id().to_string(),
        author: format!(
            "{} <{}>",
            String::from_utf8_lossy(author.name_bytes()),
            String::from_utf8_lossy(author.email_bytes())
        ),
        time: commit.time().seconds(),
        summary: commit
            .summary()
            .ok()
            .flatten()
            .unwrap_or_default()
            .to_string(),
        trailers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing;

    #[test]
    fn the_walk_finds_every_file_under_a_prefix_and_nothing_else() {
        let (_dir, git) = testing::repo();
        let commit = testing::commit(
            &git,
            None,
            &[
                ("parsed/physiotherapy/2024-01-01-tariff.yaml", "a"),
                ("parsed/physiotherapy/deep/2025-01-01-tariff.yaml", "b"),
                ("parsed/README.md", "c"),
                ("parsedx/other.yaml", "d"),
                ("sources/physiotherapy/x.txt", "e"),
            ],
        );
        let tree = git.tree_of(commit).unwrap();
        let paths: Vec<String> = blobs_under(&tree, "parsed/")
            .unwrap()
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert_eq!(
            paths,
            [
                "parsed/README.md",
                "parsed/physiotherapy/2024-01-01-tariff.yaml",
                "parsed/physiotherapy/deep/2025-01-01-tariff.yaml",
            ]
        );
        let (_, blob) = &blobs_under(&tree, "sources/").unwrap()[0];
        assert_eq!(git.blob(*blob).unwrap(), b"e");
    }

    #[test]
    fn a_version_is_a_commit_that_changed_the_file() {
        let (_dir, git) = testing::repo();
        let one = testing::commit(
            &git,
            None,
            &[("parsed/a.yaml", "1"), ("parsed/b.yaml", "1")],
        );
        let two = testing::commit(
            &git,
            Some(one),
            &[("parsed/a.yaml", "2"), ("parsed/b.yaml", "1")],
        );
        let three = testing::commit(
            &git,
            Some(two),
            &[("parsed/a.yaml", "2"), ("other/b.yaml", "9")],
        );
        testing::set_branch(&git, three);
        let seen: Vec<(String, String, Vec<u8>)> = git
            .file_versions("parsed/")
            .unwrap()
            .into_iter()
            .map(|v| (v.path, v.commit.id, git.blob(v.blob).unwrap()))
            .collect();
        let (one, two) = (one.to_string(), two.to_string());
        assert_eq!(
            seen,
            [
                ("parsed/a.yaml".into(), one.clone(), b"1".to_vec()),
                ("parsed/b.yaml".into(), one.clone(), b"1".to_vec()),
                ("parsed/a.yaml".into(), two.clone(), b"2".to_vec()),
            ]
        );
        let last = git.last_commits("parsed/").unwrap();
        assert_eq!(last["parsed/a.yaml"], two);
        assert_eq!(last["parsed/b.yaml"], one);
        assert_eq!(git.log().unwrap().len(), 3);
    }

    #[test]
    fn a_revision_reads_as_files_a_blob_or_a_commit() {
        let (_dir, git) = testing::repo();
        let one = testing::commit(&git, None, &[("parsed/a.yaml", "1")]);
        let two = testing::commit(
            &git,
            Some(one),
            &[("parsed/a.yaml", "2"), ("parsed/b.yaml", "3")],
        );
        testing::set_branch(&git, two);
        assert_eq!(git.resolve_commit("HEAD~1").unwrap(), one.to_string());
        assert_eq!(git.read_spec("HEAD~1:parsed/a.yaml").unwrap(), b"1");
        assert_eq!(git.head_file("parsed/b.yaml").unwrap().unwrap(), b"3");
        assert_eq!(git.head_file("parsed/c.yaml").unwrap(), None);
        let files = git.files_at("HEAD", "parsed/").unwrap();
        assert_eq!(
            files,
            [
                ("parsed/a.yaml".to_string(), b"2".to_vec()),
                ("parsed/b.yaml".to_string(), b"3".to_vec()),
            ]
        );
        let said = git.read_spec("HEAD:parsed").unwrap_err().to_string();
        assert!(said.contains("is not a file"), "{said}");
        let said = git.resolve_commit("nowhere").unwrap_err().to_string();
        assert!(said.contains("names no commit"), "{said}");
    }
}
