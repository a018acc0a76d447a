//! Printing for a command-line tool whose output may go into a pipe that closes early
//! (`erjian ofd info FILE | head`): a closed pipe ends the program quietly instead of panicking
//! as `println!` does.

use std::io::{ErrorKind, Write};

/// Set while the server logs JSON to standard output: its messages for people go to standard
/// error, so a log collector reads only JSON.
pub static TO_STDERR: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Writes one line to standard output; a reader that went away ends the program (exit 0).
pub fn line(args: std::fmt::Arguments<'_>) {
    if TO_STDERR.load(std::sync::atomic::Ordering::Relaxed) {
        eprintln!("{args}");
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.write_all(b"\n")) {
        if e.kind() == ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("cannot write to standard output: {e}");
        std::process::exit(1);
    }
}

/// `println!` that survives a closed pipe.
#[macro_export]
macro_rules! say {
    () => { $crate::out::line(format_args!("")) };
    ($($t:tt)*) => { $crate::out::line(format_args!($($t)*)) };
}
