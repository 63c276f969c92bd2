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
//!
//! The clock is the processor's time-stamp counter where there is one (x86-64): one
//! instruction to read, where the system's monotonic clock takes about seventy, a cost every
//! request of a quick plain handler would pay. Its rate is measured once, when the first app
//! is served. A call that moves between cores whose counters differ reads as slow at worst,
//! and the handler proves itself quick again.

use std::any::Any;
use std::cell::Cell;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

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
    fn ran_in_place(&self, took: Ticks, threshold: Ticks) {
        if took >= threshold {
            self.state.store(0, Ordering::Relaxed);
        }
    }

    /// A call made on the pool took `took`: one more answered in time, or the count starts
    /// over.
    fn ran_on_pool(&self, took: Ticks, threshold: Ticks) {
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

/// Times one call of a plain handler, from its start until it is dropped, and tells its
/// [`Pace`] how long the call took. A guard rather than a function that returns the handler's
/// response with its time: the response is written where it goes, not copied out of a pair.
pub(crate) struct Stopwatch {
    pace: &'static Pace,
    threshold: Ticks,
    started: Ticks,
    in_place: bool,
}

thread_local! {
    /// Whether the call being timed on this thread has read a file, which counts as blocking
    /// whatever it took: a disk that answered quickly now may not next time.
    static READ_A_FILE: Cell<bool> = const { Cell::new(false) };
}

/// Tells the call being timed on this thread, if any, that it read a file (`send_file`), so
/// that its handler stays on the pool.
pub(crate) fn reading_a_file() {
    READ_A_FILE.set(true);
}

impl Stopwatch {
    /// Starts timing a call made in place (`in_place`) or on the pool.
    #[inline(always)]
    pub(crate) fn start(pace: &'static Pace, threshold: Ticks, in_place: bool) -> Stopwatch {
        READ_A_FILE.set(false);
        Stopwatch {
            pace,
            threshold,
            started: clock::now(),
            in_place,
        }
    }
}

impl Drop for Stopwatch {
    #[inline(always)]
    fn drop(&mut self) {
        let took = if READ_A_FILE.get() {
            Ticks::MAX
        } else {
            clock::now().wrapping_sub(self.started)
        };
        if self.in_place {
            self.pace.ran_in_place(took, self.threshold);
        } else {
            self.pace.ran_on_pool(took, self.threshold);
        }
    }
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
    let threshold = ctx.app().config.blocking_ticks;
    if pace.in_place() {
        let _stopwatch = Stopwatch::start(pace, threshold, true);
        return call(&ctx);
    }
    on_pool(move || {
        let _stopwatch = Stopwatch::start(pace, threshold, false);
        call(&ctx)
    })
    .await
}

/// A span of time on the clock the calls are timed with.
pub(crate) type Ticks = u64;

/// The threshold in the clock's ticks.
pub(crate) fn ticks(threshold: Duration) -> Ticks {
    clock::ticks(threshold)
}

/// The time-stamp counter, and its rate.
#[cfg(target_arch = "x86_64")]
mod clock {
    use std::sync::OnceLock;
    use std::time::{Duration, Instant};

    use super::Ticks;

    #[inline(always)]
    pub(super) fn now() -> Ticks {
        // SAFETY: every x86-64 processor has the instruction; it reads a counter and
        // touches no memory.
        unsafe { core::arch::x86_64::_rdtsc() }
    }

    /// `span` in ticks of the counter, whose rate is measured once: against the monotonic
    /// clock over a millisecond, close enough for a threshold a user picks by the millisecond.
    pub(super) fn ticks(span: Duration) -> Ticks {
        static PER_SECOND: OnceLock<f64> = OnceLock::new();
        let per_second = *PER_SECOND.get_or_init(|| {
            let (started, counted) = (Instant::now(), now());
            while started.elapsed() < Duration::from_millis(1) {
                std::hint::spin_loop();
            }
            let (elapsed, counted) = (started.elapsed(), now().wrapping_sub(counted));
            counted as f64 / elapsed.as_secs_f64()
        });
        // Saturating: a threshold of `Duration::MAX` never reads as reached.
        (span.as_secs_f64() * per_second) as Ticks
    }
}

/// Elsewhere, the monotonic clock in nanoseconds since the first reading.
#[cfg(not(target_arch = "x86_64"))]
mod clock {
    use std::sync::OnceLock;
    use std::time::{Duration, Instant};

    use super::Ticks;

    #[inline(always)]
    pub(super) fn now() -> Ticks {
        static EPOCH: OnceLock<Instant> = OnceLock::new();
        let epoch = *EPOCH.get_or_init(Instant::now);
        Ticks::try_from(epoch.elapsed().as_nanos()).unwrap_or(Ticks::MAX)
    }

    pub(super) fn ticks(span: Duration) -> Ticks {
        Ticks::try_from(span.as_nanos()).unwrap_or(Ticks::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const THRESHOLD: Ticks = 1_000_000;
    const QUICK: Ticks = 5_000;
    const SLOW: Ticks = 50_000_000;

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
            pace.ran_on_pool(0, 0);
        }
        assert!(!pace.in_place());
    }

    static FILE_PACE: Pace = Pace::new();

    #[test]
    fn a_call_that_reads_a_file_keeps_its_handler_on_the_pool() {
        for _ in 0..TRIAL_CALLS - 1 {
            drop(Stopwatch::start(&FILE_PACE, Ticks::MAX - 1, false));
        }
        let stopwatch = Stopwatch::start(&FILE_PACE, Ticks::MAX - 1, false);
        reading_a_file();
        drop(stopwatch);
        for _ in 0..TRIAL_CALLS - 1 {
            drop(Stopwatch::start(&FILE_PACE, Ticks::MAX - 1, false));
        }
        assert!(!FILE_PACE.in_place());
    }

    #[test]
    fn the_clock_counts_about_as_the_monotonic_clock_does() {
        let threshold = ticks(Duration::from_millis(20));
        let started = clock::now();
        std::thread::sleep(Duration::from_millis(40));
        let slept = clock::now().wrapping_sub(started);
        assert!(
            slept >= threshold,
            "{slept} ticks in 40 ms, {threshold} in 20"
        );
        assert!(ticks(Duration::MAX) > slept);
        assert_eq!(ticks(Duration::ZERO), 0);
    }
}
