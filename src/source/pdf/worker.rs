//! The extraction worker: this executable run as a child process
//! (`tariffs __extract-pdf --serve`), handed PDFs one after another.
//!
//! Each thread that extracts keeps one worker between documents: starting a
//! process costs about as much as extracting a small table, and a batch
//! import extracts dozens. A worker is replaced after anything but a clean
//! extraction (a crash, a time-out, a panic caught in it), so a document
//! never runs in a worker that a hostile one has been through.
//!
//! The protocol on the pipes is frames: an 8-byte little-endian length, then
//! that many bytes (a PDF one way, an [`Extraction`] as JSON the other).
//! The worker stops at the end of its input, when its parent closes it or
//! dies.

use std::cell::RefCell;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::{extract_unisolated, panic_message, timed_out, Extraction, WORKER_COMMAND};
use crate::error::Error;

/// The worker option that makes it serve frames until its input ends.
pub const SERVE_FLAG: &str = "--serve";

/// At most this much of a worker's standard error is kept (for the
/// message of a worker that ran out of memory).
const COMPLAINT_BYTES: usize = 64 << 10;

thread_local! {
    /// This thread's worker, kept between documents.
    static WORKER: RefCell<Option<Worker>> = const { RefCell::new(None) };
}

/// A running worker.
struct Worker {
    child: Child,
    stdin: Option<ChildStdin>,
    /// Its answers, read on a thread (`Err` once its output ends).
    replies: Receiver<std::io::Result<Vec<u8>>>,
    /// What it wrote to standard error.
    complaint: Arc<Mutex<Vec<u8>>>,
    stderr_reader: Option<JoinHandle<()>>,
    exe: PathBuf,
    max_memory: u64,
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing its input ends a worker that waits for the next document;
        // one that is still busy (a time-out) is killed.
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Extracts `bytes` in this thread's worker, started if there is none (see
/// the module doc). The worker is handed the bytes (never the path, which
/// could name another file by now), dies with its parent, and may not use
/// more than `max_memory` bytes of address space.
pub fn extract(
    path: &Path,
    bytes: &[u8],
    exe: &Path,
    timeout: Duration,
    max_memory: u64,
) -> Result<Extraction, Error> {
    WORKER.with(|slot| {
        let mut slot = slot.borrow_mut();
        let reusable = slot
            .as_ref()
            .is_some_and(|w| w.exe == exe && w.max_memory == max_memory);
        let (mut worker, reused) = match slot.take() {
            Some(worker) if reusable => (worker, true),
            _ => (Worker::start(exe, max_memory)?, false),
        };
        let mut extraction = worker.ask(path, bytes, timeout)?;
        // A worker that has served other documents may have run out of
        // memory (or crashed) because of what they left: the document gets
        // a fresh worker before it is blamed.
        if reused
            && matches!(
                extraction,
                Extraction::OutOfMemory | Extraction::Panicked(_)
            )
        {
            drop(worker);
            worker = Worker::start(exe, max_memory)?;
            extraction = worker.ask(path, bytes, timeout)?;
        }
        if matches!(extraction, Extraction::Pages(_)) {
            *slot = Some(worker);
        }
        Ok(extraction)
    })
}

impl Worker {
    fn start(exe: &Path, max_memory: u64) -> Result<Worker, Error> {
        let mut command = Command::new(exe);
        command
            .args([WORKER_COMMAND, SERVE_FLAG])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        limits::confine(&mut command, max_memory);
        let mut child = command.spawn().map_err(|e| Error::io(exe, e))?;
        let stdin = child.stdin.take();
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let (send, replies) = channel();
        std::thread::spawn(move || loop {
            let frame = read_frame(&mut stdout);
            let ended = frame.as_ref().map_or(true, Option::is_none);
            let reply =
                frame.and_then(|f| f.ok_or_else(|| std::io::ErrorKind::UnexpectedEof.into()));
            if send.send(reply).is_err() || ended {
                break;
            }
        });
        let complaint = Arc::new(Mutex::new(Vec::new()));
        let mut stderr = child.stderr.take().expect("stderr is piped");
        let kept = Arc::clone(&complaint);
        let stderr_reader = std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = (&mut stderr)
                .take(COMPLAINT_BYTES as u64)
                .read_to_end(&mut text);
            *kept.lock().expect("one writer") = text;
            // Whatever comes past the limit is drained, never blocking the worker.
            let _ = std::io::copy(&mut stderr, &mut std::io::sink());
        });
        Ok(Worker {
            child,
            stdin,
            replies,
            complaint,
            stderr_reader: Some(stderr_reader),
            exe: exe.to_path_buf(),
            max_memory,
        })
    }

    /// Hands the worker one document and waits at most `timeout` for its answer.
    fn ask(&mut self, path: &Path, bytes: &[u8], timeout: Duration) -> Result<Extraction, Error> {
        let mut stdin = self
            .stdin
            .take()
            .expect("a worker between documents has its input");
        let request = bytes.to_vec();
        // Written on a thread: a worker that stops reading must not block us.
        let writer = std::thread::spawn(move || {
            let written = write_frame(&mut stdin, &request);
            (stdin, written)
        });
        let reply = match self.replies.recv_timeout(timeout) {
            Ok(reply) => reply,
            Err(_) => {
                // Dropping the worker kills it, which ends the writer too.
                let _ = self.child.kill();
                return Err(timed_out(path, timeout));
            }
        };
        if let Ok((stdin, Ok(()))) = writer.join() {
            self.stdin = Some(stdin);
        }
        match reply.map(|json| serde_json::from_slice(&json)) {
            Ok(Ok(extraction)) if self.stdin.is_some() => Ok(extraction),
            _ => Ok(self.died()),
        }
    }

    /// Why a worker gave no answer: it ran out of memory, or crashed.
    fn died(&mut self) -> Extraction {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let status = self.child.wait();
        if let Some(reader) = self.stderr_reader.take() {
            let _ = reader.join();
        }
        let complaint = self.complaint.lock().expect("the reader is done").clone();
        // Rust's allocator aborts with this message when the limit is hit.
        if String::from_utf8_lossy(&complaint).contains("memory allocation of") {
            return Extraction::OutOfMemory;
        }
        Extraction::Panicked(match status.ok().and_then(|s| s.code()) {
            Some(code) => format!("the worker exited with code {code}"),
            None => "the worker was killed by a signal".into(),
        })
    }
}

/// Writes one frame: its length, then its bytes.
fn write_frame(out: &mut impl Write, bytes: &[u8]) -> std::io::Result<()> {
    out.write_all(&(bytes.len() as u64).to_le_bytes())?;
    out.write_all(bytes)?;
    out.flush()
}

/// Reads one frame; `None` at the end of the input, before a frame starts.
fn read_frame(input: &mut impl Read) -> std::io::Result<Option<Vec<u8>>> {
    let mut length = [0u8; 8];
    loop {
        match input.read(&mut length[..1]) {
            Ok(0) => return Ok(None),
            Ok(_) => break,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    input.read_exact(&mut length[1..])?;
    let length = u64::from_le_bytes(length);
    let mut bytes = Vec::new();
    input.take(length).read_to_end(&mut bytes)?;
    if (bytes.len() as u64) < length {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    Ok(Some(bytes))
}

/// The worker side: with `--serve`, extract every PDF that comes in a frame
/// on standard input and answer each with a frame of JSON; else extract the
/// one PDF `path` names (or whose bytes are the whole standard input) and
/// print its JSON, for debugging.
///
/// Panics are caught and reported; the default panic message is silenced so
/// the parent's output stays clean.
pub fn run(path: Option<&Path>, serve: bool) -> i32 {
    std::panic::set_hook(Box::new(|_| {}));
    if serve {
        return match serve_frames() {
            Ok(()) => 0,
            Err(_) => 1,
        };
    }
    let bytes = match path {
        Some(path) => std::fs::read(path),
        None => {
            let mut bytes = Vec::new();
            std::io::stdin().read_to_end(&mut bytes).map(|_| bytes)
        }
    };
    let extraction = match bytes {
        Ok(bytes) => extract_caught(&bytes),
        Err(e) => Extraction::Damaged(e.to_string()),
    };
    let json = serde_json::to_string(&extraction).expect("extraction serializes");
    println!("{json}");
    0
}

fn serve_frames() -> std::io::Result<()> {
    let mut input = std::io::stdin().lock();
    let mut output = std::io::stdout().lock();
    while let Some(bytes) = read_frame(&mut input)? {
        let extraction = extract_caught(&bytes);
        let json = serde_json::to_vec(&extraction).expect("extraction serializes");
        write_frame(&mut output, &json)?;
    }
    Ok(())
}

fn extract_caught(bytes: &[u8]) -> Extraction {
    #[cfg(debug_assertions)]
    if let Some(seconds) = std::env::var("TARIFFS_TEST_WORKER_SLEEP")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        // A slow worker, for the test that kills its parent (debug builds only).
        std::thread::sleep(Duration::from_secs(seconds));
    }
    std::panic::catch_unwind(|| extract_unisolated(bytes))
        .unwrap_or_else(|payload| Extraction::Panicked(panic_message(&*payload)))
}

/// Limits set on the worker between `fork` and `exec`.
#[cfg(target_os = "linux")]
mod limits {
    use std::os::unix::process::CommandExt;
    use std::process::Command;

    /// Sets the worker to die with its parent (a killed `tariffs` leaves no
    /// worker behind) and caps its address space, so the cap holds inside
    /// the PDF library too.
    pub fn confine(command: &mut Command, max_memory: u64) {
        let parent = std::process::id() as libc::pid_t;
        // SAFETY: only async-signal-safe calls (prctl, getppid, setrlimit,
        // kill) run between fork and exec.
        unsafe {
            command.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // The parent may have died before the line above.
                if libc::getppid() != parent {
                    libc::kill(libc::getpid(), libc::SIGKILL);
                }
                let limit = libc::rlimit {
                    rlim_cur: max_memory as libc::rlim_t,
                    rlim_max: max_memory as libc::rlim_t,
                };
                if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
}

/// Other systems: the time limit only.
#[cfg(not(target_os = "linux"))]
mod limits {
    pub fn confine(_command: &mut std::process::Command, _max_memory: u64) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_end_cleanly() {
        let mut pipe = Vec::new();
        write_frame(&mut pipe, b"%PDF-1.4").unwrap();
        write_frame(&mut pipe, b"").unwrap();
        let mut input = &pipe[..];
        assert_eq!(read_frame(&mut input).unwrap().unwrap(), b"%PDF-1.4");
        assert_eq!(read_frame(&mut input).unwrap().unwrap(), b"");
        assert!(read_frame(&mut input).unwrap().is_none());
    }

    #[test]
    fn a_frame_cut_short_is_an_error() {
        let mut pipe = Vec::new();
        write_frame(&mut pipe, b"%PDF-1.4").unwrap();
        pipe.truncate(pipe.len() - 2);
        assert!(read_frame(&mut &pipe[..]).is_err());
        // A length cut short, too.
        assert!(read_frame(&mut &pipe[..3]).is_err());
    }
}
