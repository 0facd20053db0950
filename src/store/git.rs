//! The handle on a data repository's git repository ([`GitRepo`]): open or
//! create it, the branch HEAD names, the author of a commit.
//!
//! What is done through the handle is in the sibling modules, one idea
//! each: reading the history (`revisions`), making an import's commits
//! (`commits`, whose objects `pack` writes), landing them crash-safely
//! (`journal`), and the index and work tree (`stage`). Together they are
//! the only user of `git2`; nothing outside the store names it.

use std::path::{Path, PathBuf};

use git2::{ErrorCode, Oid, Repository};

/// A commit author (re-exported so no other module names `git2`).
pub use git2::Signature;

use crate::error::Error;

/// The author used when neither `--author` nor the git config names one.
pub const FALLBACK_AUTHOR: &str = "inami-tariffs <inami-tariffs@localhost>";

/// A data repository under git.
pub struct GitRepo {
    pub(super) repo: Repository,
    pub(super) root: PathBuf,
}

/// A `git2` failure, said of the repository at `root`.
pub(super) fn git_error(root: &Path, e: git2::Error) -> Error {
    Error::repository(root, format!("git: {}", e.message()))
}

impl GitRepo {
    /// Opens the git repository whose work tree is `root`, if there is one.
    pub fn open(root: &Path) -> Result<Option<GitRepo>, Error> {
        match Repository::open(root) {
            Ok(repo) => Ok(Some(GitRepo {
                repo,
                root: root.to_path_buf(),
            })),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(git_error(root, e)),
        }
    }

    /// Creates a git repository with its work tree at `root`.
    pub fn init(root: &Path) -> Result<GitRepo, Error> {
        let repo = Repository::init(root).map_err(|e| git_error(root, e))?;
        Ok(GitRepo {
            repo,
            root: root.to_path_buf(),
        })
    }

    pub(super) fn err(&self, e: git2::Error) -> Error {
        git_error(&self.root, e)
    }

    /// The `.git` folder.
    pub fn git_dir(&self) -> &Path {
        self.repo.path()
    }

    /// The signature for a commit: `--author`, else the git config, else the fallback.
    pub fn signature(&self, author: Option<&str>) -> Result<Signature<'static>, Error> {
        if let Some(author) = author {
            return parse_author(author).ok_or_else(|| {
                Error::Usage(format!(
                    "--author `{}`: expected `Name <email>`, without control characters or other angle brackets",
                    author.escape_debug()
                ))
            });
        }
        match self.repo.signature() {
            Ok(sig) => Ok(sig.to_owned()),
            Err(_) => Ok(parse_author(FALLBACK_AUTHOR).expect("the fallback parses")),
        }
    }

    /// The branch HEAD points at, and the commit it names (none when unborn).
    pub(super) fn head(&self) -> Result<(String, Option<Oid>), Error> {
        let head = self.repo.find_reference("HEAD").map_err(|e| self.err(e))?;
        let branch = match head.symbolic_target().ok().flatten() {
            Some(name) => name.to_string(),
            None => {
                return Err(Error::repository(
                    &self.root,
                    "HEAD is detached: check out a branch before importing",
                ))
            }
        };
        let target = match self.repo.refname_to_id(&branch) {
            Ok(id) => Some(id),
            Err(e) if e.code() == ErrorCode::NotFound => None,
            Err(e) => return Err(self.err(e)),
        };
        Ok((branch, target))
    }

    /// The tree of a commit.
    pub(super) fn tree_of(&self, commit: Oid) -> Result<git2::Tree<'_>, Error> {
        self.repo
            .find_commit(commit)
            .and_then(|c| c.tree())
            .map_err(|e| self.err(e))
    }
}

/// Parses `Name <email>`: one pair of angle brackets, a name and an email
/// without control characters (a newline would forge commit headers that
/// `git fsck` rejects) or angle brackets.
pub fn parse_author(text: &str) -> Option<Signature<'static>> {
    let (name, rest) = text.split_once('<')?;
    let email = rest.strip_suffix('>')?;
    let (name, email) = (name.trim(), email.trim());
    let clean =
        |s: &str| !s.is_empty() && !s.chars().any(|c| c.is_control() || c == '<' || c == '>');
    if !clean(name) || !clean(email) {
        return None;
    }
    Signature::now(name, email).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_author_is_one_name_and_one_email_in_angle_brackets() {
        let sig = parse_author(" Ann Peeters < ann@example.be >").unwrap();
        assert_eq!(sig.name().unwrap(), "Ann Peeters");
        assert_eq!(sig.email().unwrap(), "ann@example.be");
        for bad in [
            "Ann",
            "<ann@example.be>",
            "Ann <>",
            "Ann <ann@example.be",
            "Ann <a<b@example.be>",
            "An\nn <ann@example.be>",
            "Ann <ann@example.be>\ncommitter x",
        ] {
            assert!(parse_author(bad).is_none(), "{bad:?}");
        }
        assert!(parse_author(FALLBACK_AUTHOR).is_some());
    }

    #[test]
    fn a_folder_without_git_opens_as_none() {
        let dir = tempfile::tempdir().unwrap();
        assert!(GitRepo::open(dir.path()).unwrap().is_none());
    }

    #[test]
    fn head_names_the_branch_and_its_commit_and_refuses_a_detached_head() {
        let (_dir, git) = crate::store::testing::repo();
        let (branch, target) = git.head().unwrap();
        assert!(branch.starts_with("refs/heads/"), "{branch}");
        assert_eq!(target, None, "an unborn branch names no commit");
        let first = crate::store::testing::commit(&git, None, &[("parsed/a.yaml", "a")]);
        crate::store::testing::set_branch(&git, first);
        assert_eq!(git.head().unwrap(), (branch, Some(first)));
        git.repo.set_head_detached(first).unwrap();
        let said = git.head().unwrap_err().to_string();
        assert!(said.contains("HEAD is detached"), "{said}");
    }
}
