//! CPU-heavy work for anonymous callers (the public OFD file check) runs off the async workers:
//! on the blocking pool, at most `permits` at once, and answered "too complex" past a time
//! budget, so one hostile upload cannot stall `/healthz` or other visitors. The permit is held
//! by the blocking task until it really ends, so abandoned work still counts against the limit.

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Why heavy work was not done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Every slot was busy for longer than the wait.
    Busy,
    /// The work ran past its budget.
    TooLong,
}

#[derive(Clone)]
pub struct Heavy {
    permits: Arc<Semaphore>,
    wait: Duration,
    budget: Duration,
}

impl Heavy {
    /// One slot per core (at least one), waiting up to 5 s for a slot, 10 s of work at most.
    pub fn for_this_machine() -> Heavy {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        Heavy::new(cores, Duration::from_secs(5), Duration::from_secs(10))
    }

    pub fn new(slots: usize, wait: Duration, budget: Duration) -> Heavy {
        Heavy { permits: Arc::new(Semaphore::new(slots.max(1))), wait, budget }
    }

    /// Runs `work` on the blocking pool under the limits.
    pub async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, Refused> {
        let permit = tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| Refused::Busy)?
            .map_err(|_| Refused::Busy)?;
        let task = tokio::task::spawn_blocking(move || {
            let out = work();
            drop(permit);
            out
        });
        match tokio::time::timeout(self.budget, task).await {
            Ok(Ok(out)) => Ok(out),
            Ok(Err(_)) | Err(_) => Err(Refused::TooLong),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn slots_and_budget_hold() {
        let h = Heavy::new(1, Duration::from_millis(50), Duration::from_millis(100));
        assert_eq!(h.run(|| 7).await, Ok(7));
        let slow = h.clone();
        let first = tokio::spawn(async move { slow.run(|| std::thread::sleep(Duration::from_millis(400))).await });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(h.run(|| 1).await, Err(Refused::Busy), "the only slot is taken");
        assert_eq!(first.await.unwrap(), Err(Refused::TooLong));
    }
}
