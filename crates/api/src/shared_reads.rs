//! One database read answering several requests, without ever answering one with what was
//! read before it arrived.
//!
//! Every rollup request reads its region's versions (see [`crate::rollup_cache`]) so that a
//! write is in the very next rollup on every server. Under load most of those reads are the
//! same query at nearly the same moment. Requests for one scope take turns: a request uses
//! the result of a read that *started after it arrived* (it sees every write acknowledged
//! before the request was sent), and otherwise reads itself, while those arriving meanwhile
//! wait for that read instead of queueing reads of their own. So at most two reads per scope
//! are ever waited for, however many requests come at once.

use quick_cache::sync::Cache;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Reads keyed by what they read (a scope), shared as described above.
pub struct SharedReads<T> {
    gates: Cache<String, Arc<Gate<T>>>,
}

struct Gate<T> {
    /// Held by the one request reading.
    turn: tokio::sync::Mutex<()>,
    /// The latest read: when it started, and what it found.
    last: Mutex<Option<(Instant, T)>>,
}

impl<T: Clone> Gate<T> {
    /// The latest read's result, if it started after `arrived`.
    fn fresh(&self, arrived: Instant) -> Option<T> {
        let last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        last.as_ref()
            .filter(|(started, _)| *started > arrived)
            .map(|(_, value)| value.clone())
    }

    fn keep(&self, started: Instant, value: T) {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if last.as_ref().is_none_or(|(at, _)| *at < started) {
            *last = Some((started, value));
        }
    }
}

impl<T: Clone> SharedReads<T> {
    /// Keeps the gates of at most `scopes` scopes (a gate forgotten only shares less).
    pub fn new(scopes: usize) -> Self {
        Self {
            gates: Cache::new(scopes.max(1)),
        }
    }

    /// What `read` finds for `key`, for a request that arrived at `arrived`: the result of a
    /// read of `key` started after that, this request's own read otherwise. Failures are not
    /// shared: each request that finds no result reads itself.
    pub async fn read<F, Fut, E>(&self, key: &str, arrived: Instant, read: F) -> Result<T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let gate = self
            .gates
            .get_or_insert_with(key, || {
                Ok::<_, std::convert::Infallible>(Arc::new(Gate {
                    turn: tokio::sync::Mutex::new(()),
                    last: Mutex::new(None),
                }))
            })
            .unwrap_or_else(|never| match never {});
        if let Some(value) = gate.fresh(arrived) {
            return Ok(value);
        }
        let _turn = gate.turn.lock().await;
        if let Some(value) = gate.fresh(arrived) {
            return Ok(value);
        }
        let started = Instant::now();
        let value = read().await?;
        gate.keep(started, value.clone());
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::sync::oneshot;

    /// A read that returns `n` (its number) once `release` fires.
    async fn slow(reads: &AtomicUsize, release: oneshot::Receiver<()>) -> Result<usize, ()> {
        let n = reads.fetch_add(1, Ordering::SeqCst) + 1;
        release.await.map_err(drop)?;
        Ok(n)
    }

    #[actix_web::test]
    async fn requests_share_a_read_that_started_after_they_arrived_and_no_other() {
        let shared = Arc::new(SharedReads::<usize>::new(16));
        let reads = Arc::new(AtomicUsize::new(0));
        let (release_first, first_gate) = oneshot::channel();
        let (release_second, second_gate) = oneshot::channel();

        // A reads; B and C arrive while A's read is under way.
        let a = tokio::spawn({
            let (shared, reads) = (shared.clone(), reads.clone());
            async move {
                let arrived = Instant::now();
                shared
                    .read("16", arrived, || slow(&reads, first_gate))
                    .await
            }
        });
        while reads.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        let late = Instant::now();
        let (b, c) = {
            let second = Arc::new(Mutex::new(Some(second_gate)));
            let spawn = |shared: Arc<SharedReads<usize>>, reads: Arc<AtomicUsize>| {
                let second = second.clone();
                tokio::spawn(async move {
                    shared
                        .read("16", late, || async move {
                            let gate = second.lock().unwrap().take().expect("one read only");
                            slow(&reads, gate).await
                        })
                        .await
                })
            };
            (
                spawn(shared.clone(), reads.clone()),
                spawn(shared.clone(), reads.clone()),
            )
        };
        tokio::task::yield_now().await;
        release_first.send(()).unwrap();
        assert_eq!(a.await.unwrap(), Ok(1));
        // A's read started before B and C arrived: one of them reads again, for both.
        while reads.load(Ordering::SeqCst) < 2 {
            tokio::task::yield_now().await;
        }
        release_second.send(()).unwrap();
        assert_eq!((b.await.unwrap(), c.await.unwrap()), (Ok(2), Ok(2)));
        assert_eq!(reads.load(Ordering::SeqCst), 2, "B and C shared one read");

        // A request arriving after every read reads itself; another scope never shares.
        let (release, gate) = oneshot::channel();
        release.send(()).unwrap();
        let d = shared
            .read("16", Instant::now(), || slow(&reads, gate))
            .await;
        assert_eq!(d, Ok(3));
        let (release, gate) = oneshot::channel();
        release.send(()).unwrap();
        assert_eq!(shared.read("02", late, || slow(&reads, gate)).await, Ok(4));
    }
}
