//! A closed standard output ends the command quietly, as the shell expects of a filter:
//! `accord check *.toml | head -1` stops with the status of a process ended by `SIGPIPE`
//! (141 in the shell), without a message.
//!
//! The Rust runtime ignores `SIGPIPE`, so writing to a pipe whose reader has gone fails
//! with `EPIPE` instead of ending the process, and `print!` turns that failure into a
//! panic ("failed printing to stdout: Broken pipe", exit 101). Restoring the signal's
//! default needs `unsafe`, which the workspace forbids; instead the two ways the CLI
//! writes to standard output end the process at the first such failure: [`install`]
//! catches `print!`'s panic, and [`Stdout`] is the writer for buffered output.

use std::io::{self, Write};
use std::process;

/// The exit status of a process ended by `SIGPIPE` as shells report it: 128 + 13.
pub const CLOSED: i32 = 141;

/// `EPIPE`, the same number on Linux, the BSDs and macOS.
const EPIPE: i32 = 32;

/// Makes `print!`'s panic on a closed standard output end the process quietly with
/// [`CLOSED`]; every other panic is reported as before.
pub fn install() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let closed = info
            .payload_as_str()
            .and_then(|message| message.strip_prefix("failed printing to stdout: "))
            .is_some_and(|cause| cause == io::Error::from_raw_os_error(EPIPE).to_string());
        if closed {
            process::exit(CLOSED);
        }
        default(info);
    }));
}

/// Standard output for buffered writers: a write or flush that finds the reader gone
/// ends the process quietly with [`CLOSED`]; other failures are returned.
pub struct Stdout;

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        ended(io::stdout().lock().write(buf))
    }

    fn flush(&mut self) -> io::Result<()> {
        ended(io::stdout().lock().flush())
    }
}

fn ended<T>(result: io::Result<T>) -> io::Result<T> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => process::exit(CLOSED),
        other => other,
    }
}
