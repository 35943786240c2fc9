//! What a heavy computation may cost, and how it is stopped early.
//!
//! **Caps.** Every computation whose cost grows with a request parameter states its cost in
//! basic steps before it starts (cells × kernel footprint for a density, permutations ×
//! neighbour draws for Gi*, candidates × points for camera placement) and is refused above
//! a cap with a message that names the limit and what to change. The caps keep the worst
//! accepted request near a second of one core on a small server (about 10⁹ multiply-adds).
//!
//! **Stopping.** Inside a [`Budget::run`] scope a computation calls [`checkpoint`] in its
//! outer loops. When the request was dropped (the client went away), its deadline passed or
//! the server is shutting down, the checkpoint unwinds the computation with
//! [`std::panic::resume_unwind`] carrying [`Stopped`], which [`Budget::run`] catches and
//! returns as an error. Unwinding instead of a `Result` in every loop keeps the analysis
//! functions' signatures pure; `resume_unwind` does not run the panic hook, so nothing is
//! logged as a panic. Outside a scope (the CLI, tests) a checkpoint does nothing.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use wijkveilig::analysis::budget::{Budget, Stopped, checkpoint};
//! let budget = Budget::new(Some(Instant::now() + Duration::from_millis(20)));
//! let out = budget.run(|| loop { checkpoint() });
//! assert_eq!(out, Err(Stopped::Deadline));
//! assert_eq!(Budget::new(None).run(|| { checkpoint(); 7 }), Ok(7));
//! ```

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// The most basic steps one request may ask for (about a second of one core).
pub const MAX_STEPS: u64 = 1_000_000_000;

/// The most cells a density grid may have: its values travel to the browser as JSON
/// (about 8 bytes a cell), so this also bounds the answer (≈ 8 MB).
pub const MAX_CELLS: usize = 1_000_000;

/// Why a computation stopped before it finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Stopped {
    #[error("the request was cancelled")]
    Cancelled,
    #[error("the computation took longer than its deadline")]
    Deadline,
    #[error("the server is shutting down")]
    ShuttingDown,
}

/// The stop conditions of one computation. Clones share the cancel flag.
#[derive(Debug, Clone, Default)]
pub struct Budget {
    cancelled: Arc<AtomicBool>,
    shutdown: Option<Arc<AtomicBool>>,
    deadline: Option<Instant>,
}

thread_local! {
    static CURRENT: RefCell<Option<Budget>> = const { RefCell::new(None) };
}

impl Budget {
    pub fn new(deadline: Option<Instant>) -> Budget {
        Budget {
            deadline,
            ..Budget::default()
        }
    }

    /// Also stop when `flag` is set (the server's shutdown flag).
    pub fn with_shutdown(mut self, flag: Arc<AtomicBool>) -> Budget {
        self.shutdown = Some(flag);
        self
    }

    /// Stops the computation at its next checkpoint.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    fn stopped(&self) -> Option<Stopped> {
        if self.cancelled.load(Ordering::Relaxed) {
            Some(Stopped::Cancelled)
        } else if self
            .shutdown
            .as_ref()
            .is_some_and(|f| f.load(Ordering::Relaxed))
        {
            Some(Stopped::ShuttingDown)
        } else if self.deadline.is_some_and(|d| Instant::now() >= d) {
            Some(Stopped::Deadline)
        } else {
            None
        }
    }

    /// Runs `f` on this thread with this budget: [`checkpoint`]s inside it stop it.
    pub fn run<T>(&self, f: impl FnOnce() -> T) -> Result<T, Stopped> {
        if let Some(why) = self.stopped() {
            return Err(why);
        }
        let previous = CURRENT.with(|c| c.replace(Some(self.clone())));
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        CURRENT.with(|c| *c.borrow_mut() = previous);
        match out {
            Ok(v) => Ok(v),
            Err(payload) => match payload.downcast::<Stopped>() {
                Ok(why) => Err(*why),
                Err(other) => std::panic::resume_unwind(other),
            },
        }
    }
}

/// Stops the current computation when its budget says so; see the module docs. Cheap
/// enough for an outer loop (one clock read).
pub fn checkpoint() {
    let why = CURRENT.with(|c| c.borrow().as_ref().and_then(Budget::stopped));
    if let Some(why) = why {
        std::panic::resume_unwind(Box::new(why));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancelling_stops_at_the_next_checkpoint_and_the_scope_ends() {
        let b = Budget::new(None);
        let other = b.clone();
        let mut n = 0u64;
        let out = b.run(|| {
            loop {
                n += 1;
                if n == 1_000 {
                    other.cancel();
                }
                checkpoint();
            }
        });
        assert_eq!(out, Err::<(), _>(Stopped::Cancelled));
        assert_eq!(n, 1_000);
        // Outside the scope a checkpoint does nothing.
        checkpoint();
    }

    #[test]
    fn shutdown_stops_and_other_panics_pass_through() {
        let flag = Arc::new(AtomicBool::new(true));
        let b = Budget::new(None).with_shutdown(flag);
        assert_eq!(b.run(|| 1), Err(Stopped::ShuttingDown));
        let caught = std::panic::catch_unwind(|| Budget::new(None).run(|| panic!("real bug")));
        assert!(caught.is_err());
    }
}
