//! Helpers for the store's unit tests: a git repository in a temporary
//! folder, commits made directly with `git2` (without an import) and
//! checked out, and what the index holds.

use git2::Oid;

use super::files::FileWrite;
use super::git::{GitRepo, Signature};
use super::revisions::blobs_under;
use super::stage::index_entry;

/// A new git repository in a temporary folder (dropped with the folder).
pub fn repo() -> (tempfile::TempDir, GitRepo) {
    let dir = tempfile::tempdir().unwrap();
    let git = GitRepo::init(dir.path()).unwrap();
    (dir, git)
}

/// A commit whose tree is exactly `files` (path, content), on top of
/// `parent`, made directly with `git2`; no reference moves.
pub fn commit(git: &GitRepo, parent: Option<Oid>, files: &[(&str, &str)]) -> Oid {
    let mut index = git2::Index::new().unwrap();
    for (path, content) in files {
        let id = git.repo.blob(content.as_bytes()).unwrap();
        index.add(&index_entry(path, id, content.len())).unwrap();
    }
    let tree = index.write_tree_to(&git.repo).unwrap();
    let tree = git.repo.find_tree(tree).unwrap();
    let author = Signature::now("t", "t@localhost").unwrap();
    let parents: Vec<git2::Commit<'_>> = parent
        .iter()
        .map(|p| git.repo.find_commit(*p).unwrap())
        .collect();
    let parents: Vec<&git2::Commit<'_>> = parents.iter().collect();
    git.repo
        .commit(None, &author, &author, "test", &tree, &parents)
        .unwrap()
}

/// Points the current branch at `commit`.
pub fn set_branch(git: &GitRepo, commit: Oid) {
    let (branch, _) = git.head().unwrap();
    git.repo.reference(&branch, commit, true, "test").unwrap();
}

/// Points the current branch at `commit`, and makes the work tree and the
/// index hold its files.
pub fn check_out(git: &GitRepo, commit: Oid) {
    set_branch(git, commit);
    let tree = git.tree_of(commit).unwrap();
    let paths: Vec<String> = blobs_under(&tree, "")
        .unwrap()
        .into_iter()
        .map(|(path, _)| path)
        .collect();
    git.restore(commit, &paths, git.git_dir()).unwrap();
    git.update_index(commit, &paths, &[]).unwrap();
}

/// A file to write.
pub fn file(path: &str, bytes: &str) -> FileWrite {
    FileWrite {
        path: path.to_string(),
        bytes: bytes.as_bytes().to_vec(),
    }
}

/// The paths the index holds, and each one's blob.
pub fn index(git: &GitRepo) -> Vec<(String, Oid)> {
    let mut index = git.repo.index().unwrap();
    index.read(true).unwrap();
    index
        .iter()
        .map(|e| (String::from_utf8(e.path).unwrap(), e.id))
        .collect()
}
