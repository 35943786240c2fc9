//! Where heavy computations run: densities, Gi* with permutations, emerging hotspots and
//! camera placement. They would otherwise hold an async worker thread for as long as they
//! take, and two of them could stall every other request, `/api/health` included.
//!
//! Each runs on tokio's blocking threads, at most [`WorkLimits::parallel`] at once (others
//! wait in line for at most [`WorkLimits::queue_wait`], then get a retryable 503), under a
//! deadline, and inside an [`analysis::budget`](crate::analysis::budget) scope: it stops at
//! its next checkpoint when the request is dropped (the client went away), when the deadline
//! passes, or when the server shuts down ([`Work::shut_down`]).

use super::{ServiceError, ServiceResult};
use crate::analysis::budget::{Budget, Stopped};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// How much heavy work a server takes on.
#[derive(Debug, Clone, Copy)]
pub struct WorkLimits {
    /// Heavy computations at once (default: the number of cores).
    pub parallel: usize,
    /// How long one may run before it is stopped.
    pub deadline: Duration,
    /// How long a request waits for its turn before it is told to try again.
    pub queue_wait: Duration,
}

impl Default for WorkLimits {
    fn default() -> Self {
        WorkLimits {
            parallel: std::thread::available_parallelism().map_or(2, |n| n.get()),
            deadline: Duration::from_secs(20),
            queue_wait: Duration::from_secs(10),
        }
    }
}

/// The heavy-work pool of one server; clones share it.
#[derive(Clone)]
pub struct Work {
    limits: WorkLimits,
    permits: Arc<Semaphore>,
    shutdown: Arc<AtomicBool>,
}

impl Default for Work {
    fn default() -> Self {
        Work::new(WorkLimits::default())
    }
}

/// Cancels a computation when the request that waits for it is dropped.
struct CancelOnDrop(Option<Budget>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(b) = self.0.take() {
            b.cancel();
        }
    }
}

impl Work {
    pub fn new(limits: WorkLimits) -> Work {
        Work {
            permits: Arc::new(Semaphore::new(limits.parallel.max(1))),
            limits,
            shutdown: Arc::default(),
        }
    }

    pub fn limits(&self) -> WorkLimits {
        self.limits
    }

    /// Stops every computation in flight at its next checkpoint and refuses new ones.
    pub fn shut_down(&self) {
        self.shutdown.store(true, Ordering::Relaxed);
    }

    /// Runs `f` (`what` names it in messages) in the pool; see the module docs.
    pub async fn run<T: Send + 'static>(
        &self,
        what: &str,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> ServiceResult<T> {
        let busy = || {
            ServiceError::Busy(format!(
                "the server is busy with other heavy calculations; try {what} again in a moment"
            ))
        };
        let permit =
            tokio::time::timeout(self.limits.queue_wait, self.permits.clone().acquire_owned())
                .await
                .map_err(|_| busy())?
                .map_err(|_| busy())?;
        let budget = Budget::new(Some(Instant::now() + self.limits.deadline))
            .with_shutdown(self.shutdown.clone());
        let mut guard = CancelOnDrop(Some(budget.clone()));
        let task = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            budget.run(f)
        });
        let out = task.await;
        guard.0 = None;
        match out {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(Stopped::Deadline)) => Err(ServiceError::Busy(format!(
                "{what} took longer than {} seconds and was stopped; choose a shorter period, \
                 fewer areas or a coarser grid",
                self.limits.deadline.as_secs()
            ))),
            Ok(Err(Stopped::ShuttingDown)) => Err(ServiceError::Busy(
                "the server is restarting; try again in a moment".into(),
            )),
            Ok(Err(Stopped::Cancelled)) => Err(ServiceError::Busy(format!("{what} was cancelled"))),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => Err(ServiceError::Internal(format!(
                "{what} did not finish: {e}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::budget::checkpoint;

    fn spin() {
        loop {
            checkpoint();
            std::hint::spin_loop();
        }
    }

    #[tokio::test]
    async fn a_dropped_request_stops_its_computation_and_frees_its_turn() {
        let work = Work::new(WorkLimits {
            parallel: 1,
            deadline: Duration::from_secs(600),
            queue_wait: Duration::from_secs(5),
        });
        let w = work.clone();
        let first = tokio::spawn(async move { w.run("a spin", spin).await });
        tokio::time::sleep(Duration::from_millis(50)).await;
        first.abort();
        // Only one may run at once: this gets its turn only if the first one stopped.
        assert_eq!(work.run("a sum", || 2 + 2).await.unwrap(), 4);
    }

    #[tokio::test]
    async fn the_deadline_and_shutdown_stop_a_computation_with_a_retryable_error() {
        let work = Work::new(WorkLimits {
            parallel: 2,
            deadline: Duration::from_millis(50),
            queue_wait: Duration::from_secs(5),
        });
        let e = work.run("the density", spin).await.unwrap_err();
        assert!(
            matches!(&e, ServiceError::Busy(m) if m.contains("the density took longer than")),
            "{e}"
        );
        let work = Work::new(WorkLimits {
            deadline: Duration::from_secs(600),
            ..work.limits()
        });
        let w = work.clone();
        let running = tokio::spawn(async move { w.run("a spin", spin).await });
        tokio::time::sleep(Duration::from_millis(50)).await;
        work.shut_down();
        let e = running.await.unwrap().unwrap_err();
        assert!(
            matches!(&e, ServiceError::Busy(m) if m.contains("restarting")),
            "{e}"
        );
    }
}
