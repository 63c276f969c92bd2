//! Where a plain handler runs: in place, on the worker thread that took its request, or on
//! tokio's blocking pool, where it may block (a synchronous query, a password hash, a file
//! read) without holding up the other requests that worker serves.
//!
//! A plain `fn` handler is written as Flask's views are, and may well block; but most answer in
//! microseconds, and handing those to another thread would cost more than they do. So each one
//! is timed. A handler starts on the pool, and runs in place once [`TRIAL_CALLS`] calls in a
//! row have answered within the app's [blocking threshold](crate::App::blocking_threshold);
//! one call in place that takes longer sends it back to the pool for good, until it proves
//! fast again. A handler in place costs two readings of the clock; `async fn` handlers are
//! not timed: they are the user's to keep from blocking, as in axum.

use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use crate::extract::current;
use crate::extract::request::RequestContext;
use crate::response::Response;

/// How a plain handler has been seen to answer, which decides where its next call runs. One
/// per handler, a `static` beside it, shared by every app that mounts it: how long a
/// function takes is its own.
#[doc(hidden)]
pub struct Pace {
    /// [`IN_PLACE`], or the calls in a row that have answered within the threshold on the
    /// pool. Relaxed: two requests that race to update it lose at most a count.
    state: AtomicU32,
}

/// The state of a handler proven fast, which runs in place.
const IN_PLACE: u32 = u32::MAX;

/// The calls in a row on the pool that must each answer within the threshold before a handler
/// runs in place: enough that a slow handler whose first calls were quick (a cache still
/// warm, a table still empty) is seldom taken for a fast one, few enough that a fast one
/// pays the pool's hand-off only at first.
pub(crate) const TRIAL_CALLS: u32 = 16;

impl Pace {
    /// A handler not yet seen: its first calls run on the pool.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Pace {
        Pace {
            state: AtomicU32::new(0),
        }
    }

    /// Whether the handler's next call runs in place.
    #[inline(always)]
    pub(crate) fn in_place(&self) -> bool {
        self.state.load(Ordering::Relaxed) == IN_PLACE
    }

    /// A call made in place took `took`: past the threshold, the next calls run on the pool.
    #[inline(always)]
    pub(crate) fn ran_in_place(&self, took: Duration, threshold: Duration) {
        if took >= threshold {
            self.state.store(0, Ordering::Relaxed);
        }
    }

    /// A call made on the pool took `took`: one more answered in time, or the count starts
    /// over.
    pub(crate) fn ran_on_pool(&self, took: Duration, threshold: Duration) {
        let next = if took >= threshold {
            0
        } else {
            match self.state.load(Ordering::Relaxed) {
                IN_PLACE => IN_PLACE,
                quick if quick + 1 >= TRIAL_CALLS => IN_PLACE,
                quick => quick + 1,
            }
        };
        self.state.store(next, Ordering::Relaxed);
    }
}

/// Runs `call` and returns its value and how long it took.
#[inline(always)]
pub(crate) fn timed<R>(call: impl FnOnce() -> R) -> (R, Duration) {
    let started = Instant::now();
    let value = call();
    (value, started.elapsed())
}

/// Runs `work` on the blocking pool, in the request's scope, and waits for its value; in place
/// outside a tokio runtime, where there is no worker to hold up. A panic in `work` unwinds
/// here, where the handler's own would have.
pub(crate) async fn on_pool<R: Send + 'static>(work: impl FnOnce() -> R + Send + 'static) -> R {
    if tokio::runtime::Handle::try_current().is_err() {
        return work();
    }
    let scope = current::snapshot();
    let run = move || {
        std::panic::catch_unwind(AssertUnwindSafe(|| match scope {
            Some(scope) => current::enter(scope, work),
            None => work(),
        }))
    };
    match tokio::task::spawn_blocking(run).await {
        Ok(Ok(value)) => value,
        Ok(Err(payload)) => std::panic::resume_unwind(payload),
        // The runtime is shutting down and dropped the work before it began.
        Err(error) => std::panic::resume_unwind(cancelled(error)),
    }
}

/// The panic of work the pool never ran.
fn cancelled(error: tokio::task::JoinError) -> Box<dyn Any + Send> {
    Box::new(format!(
        "the server shut down before the handler ran: {error}"
    ))
}

/// Calls a plain handler whose arguments had to be awaited (it reads the request's body), in
/// place or on the pool as its [`Pace`] says, and times the call. What `#[route]` generates
/// for such a handler calls this once its arguments are extracted; `call` converts the
/// handler's value into the response.
#[doc(hidden)]
pub async fn answer_plain(
    pace: &'static Pace,
    ctx: RequestContext,
    call: impl FnOnce(&RequestContext) -> Response + Send + 'static,
) -> Response {
    let threshold = ctx.app().config.blocking_threshold;
    if pace.in_place() {
        let (response, took) = timed(|| call(&ctx));
        pace.ran_in_place(took, threshold);
        return response;
    }
    on_pool(move || {
        let (response, took) = timed(|| call(&ctx));
        pace.ran_on_pool(took, threshold);
        response
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    const THRESHOLD: Duration = Duration::from_millis(1);
    const QUICK: Duration = Duration::from_micros(5);
    const SLOW: Duration = Duration::from_millis(50);

    #[test]
    fn a_handler_runs_in_place_once_its_trial_calls_are_all_quick() {
        let pace = Pace::new();
        for _ in 0..TRIAL_CALLS - 1 {
            assert!(!pace.in_place());
            pace.ran_on_pool(QUICK, THRESHOLD);
        }
        assert!(!pace.in_place());
        pace.ran_on_pool(QUICK, THRESHOLD);
        assert!(pace.in_place());
    }

    #[test]
    fn one_slow_call_starts_the_trial_over() {
        let pace = Pace::new();
        for _ in 0..TRIAL_CALLS - 1 {
            pace.ran_on_pool(QUICK, THRESHOLD);
        }
        pace.ran_on_pool(SLOW, THRESHOLD);
        pace.ran_on_pool(QUICK, THRESHOLD);
        assert!(!pace.in_place());
    }

    #[test]
    fn a_slow_call_in_place_sends_the_handler_back_to_the_pool() {
        let pace = Pace::new();
        for _ in 0..TRIAL_CALLS {
            pace.ran_on_pool(QUICK, THRESHOLD);
        }
        pace.ran_in_place(QUICK, THRESHOLD);
        assert!(pace.in_place());
        pace.ran_in_place(SLOW, THRESHOLD);
        assert!(!pace.in_place());
    }

    #[test]
    fn a_zero_threshold_keeps_every_call_on_the_pool() {
        let pace = Pace::new();
        for _ in 0..4 * TRIAL_CALLS {
            pace.ran_on_pool(Duration::ZERO, Duration::ZERO);
        }
        assert!(!pace.in_place());
    }
}
