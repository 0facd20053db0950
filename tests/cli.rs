//! The command line as scripts and shells meet it: exit codes on write
//! errors (an import's report after its commit included) and closed pipes, global flags before or after the subcommand,
//! completions, the manual, and `--help` examples that run as written.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};

use predicates::str::contains;

fn binary() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("tariffs")
}

#[test]
fn a_write_error_is_exit_2_with_a_message() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("SKIPPED: no /dev/full");
        return;
    };
    let out = Command::new(binary())
        .args(["show", "560011"])
        .current_dir(common::root())
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write to standard output"));
}

/// `tariffs import … > /dev/full`: once the commits have landed, a report
/// that cannot be written is no "could not run" (exit 2). The import says
/// what happened, committed and then the report lost, and exits 4; with
/// nothing committed (a dry run, a refused re-issue) it stays exit 2.
#[test]
fn an_import_whose_report_cannot_be_written_says_it_committed_and_exits_4() {
    let full = || std::fs::OpenOptions::new().write(true).open("/dev/full");
    if full().is_err() {
        eprintln!("SKIPPED: no /dev/full");
        return;
    }
    for format in ["text", "json"] {
        let repo = common::imported_repo();
        let before = common::git(repo.path(), &["rev-parse", "HEAD"]);
        let out = Command::new(binary())
            .args(["import", "--replace", "--format", format])
            .arg(common::reissue())
            .current_dir(repo.path())
            .stdout(full().unwrap())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let after = common::git(repo.path(), &["rev-parse", "HEAD"]);
        assert_ne!(before, after, "{format}: the commit landed");
        assert_eq!(out.status.code(), Some(4), "{format}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "committed {}, then the report could not be written: No space left on device",
                after.trim()
            )),
            "{format}: {stderr}"
        );
        assert!(
            !stderr.contains("cannot write to standard output"),
            "{stderr}"
        );
        assert_eq!(common::git(repo.path(), &["status", "--porcelain"]), "");
        // Nothing committed: a failed write is "could not run", as for every command.
        let out = Command::new(binary())
            .args(["import", "--format", format])
            .arg(common::reissue())
            .current_dir(repo.path())
            .stdout(full().unwrap())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{format}: already imported");
        assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write to standard output"));
    }
}

#[test]
fn a_closed_pipe_ends_quietly_with_the_commands_own_exit_code() {
    let mut child = Command::new(binary())
        .args(["diff", "2021-01-01", "2024-01-01"])
        .current_dir(common::root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one line, then close the pipe, like `| head -1`.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    let _ = stdout.read(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "diff found differences");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn repo_and_color_go_before_or_after_the_subcommand() {
    let elsewhere = tempfile::tempdir().unwrap();
    let root = common::root();
    for args in [
        vec![
            "--repo",
            root.to_str().unwrap(),
            "--color",
            "never",
            "diff",
            "2021-01-01",
            "2024-01-01",
        ],
        vec![
            "diff",
            "2021-01-01",
            "2024-01-01",
            "--repo",
            root.to_str().unwrap(),
            "--color",
            "never",
        ],
    ] {
        let out = common::tariffs(elsewhere.path())
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(!out.stdout.contains(&0x1b), "no color codes");
    }
    let out = common::tariffs(elsewhere.path())
        .args([
            "--color",
            "always",
            "--repo",
            root.to_str().unwrap(),
            "diff",
            "2021-01-01",
            "2024-01-01",
        ])
        .output()
        .unwrap();
    assert!(
        out.stdout.contains(&0x1b),
        "--color always colors even into a pipe"
    );
    let out = common::tariffs(elsewhere.path())
        .env("CLICOLOR_FORCE", "1")
        .args([
            "--repo",
            root.to_str().unwrap(),
            "diff",
            "2021-01-01",
            "2024-01-01",
        ])
        .output()
        .unwrap();
    assert!(out.stdout.contains(&0x1b), "CLICOLOR_FORCE is honored");
}

#[test]
fn completions_for_every_shell_and_a_manual() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef tariffs"),
        ("fish", "complete -c tariffs"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        common::tariffs(&common::root())
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(contains(marker))
            .stdout(contains("import"));
    }
    common::tariffs(&common::root())
        .arg("man")
        .assert()
        .success()
        .stdout(contains(".TH tariffs 1"))
        .stdout(contains("export"));
}

/// Every `Example:` line of every `--help` runs as written from the
/// repository root (in a clone of it): exit 0 or 1, never 2.
#[test]
fn every_help_example_runs_from_the_repository_root() {
    let clone = tempfile::tempdir().unwrap();
    let status = Command::new("git")
        .args(["clone", "--quiet"])
        .arg(common::root())
        .arg(clone.path().join("repo"))
        .status()
        .unwrap();
    assert!(status.success());
    let root = clone.path().join("repo");
    let help = |args: &[&str]| {
        let out = Command::new(binary())
            .args(args)
            .arg("--help")
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let top = help(&[]);
    let commands: Vec<String> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(String::from))
        .filter(|c| c != "help")
        .collect();
    assert!(commands.len() >= 10, "{commands:?}");
    let bin_dir = binary().parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut ran = 0;
    for command in &commands {
        for line in help(&[command]).lines() {
            let Some(example) = line.trim().strip_prefix("Example: ") else {
                continue;
            };
            let out = Command::new("sh")
                .arg("-c")
                .arg(example)
                .current_dir(&root)
                .env("PATH", &path)
                .output()
                .unwrap();
            let code = out.status.code();
            assert!(
                matches!(code, Some(0 | 1)),
                "`{example}` exited {code:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            ran += 1;
        }
    }
    assert!(ran >= 12, "{ran} examples");
}
