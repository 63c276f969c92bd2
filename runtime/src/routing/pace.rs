//! Where a plain handler runs: in place, on the worker thread that took its request, or on
//! tokio's blocking pool, where it may block (a synchronous query, a password hash, a file
//! read) without holding up the other requests that worker serves.
//!
//! A plain `fn` handler is written as Flask's views are, and may well block; but most answer in
//! microseconds, and handing those to another thread would cost more than they do. So each one
//! is timed. A handler starts on the pool, and runs in place once [`TRIAL_CALLS`] calls in a
//! row have answered within the app's [blocking threshold](crate::App::blocking_threshold);
//! one call in place that takes longer sends it back to the pool, until it proves fast again.
//! A handler in place costs two readings of the clock and a few stores; `async fn` handlers
//! are not timed: they are the user's to keep from blocking, as in axum.
//!
//! A handler proven quick may still block one day (a query that waits on a lock). Its call
//! holds the worker it runs on, and nothing can move it; but the calls after it must not run
//! in place too. So each worker thread shows the call it runs in place, if any, and when that
//! call passes the threshold ([`InPlaceCall`]), and a watcher thread looks every
//! [`WATCH_PERIOD`]: a call past its deadline sends its handler to the pool at once, not when
//! it ends. The watcher sleeps while no call runs in place, and the first one wakes it.
//!
//! The clock is the processor's time-stamp counter where there is one (x86-64): one
//! instruction to read, where the system's monotonic clock takes about seventy, a cost every
//! request of a quick plain handler would pay. Its rate is measured once, when the first app
//! is assembled. A call that moves between cores whose counters differ reads as slow at worst,
//! and the handler proves itself quick again.

use std::any::Any;
use std::cell::Cell;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::thread::Thread;
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
    pub fn in_place(&self) -> bool {
        self.state.load(Ordering::Relaxed) == IN_PLACE
    }

    /// A call made in place took `took`: past the threshold, the next calls run on the pool.
    #[inline(always)]
    fn ran_in_place(&self, took: Ticks, threshold: Ticks) {
        if took >= threshold {
            self.blocks();
        }
    }

    /// A call has been seen to block: the next calls run on the pool.
    fn blocks(&self) {
        self.state.store(0, Ordering::Relaxed);
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
#[cfg_attr(not(feature = "static-files"), allow(dead_code))]
pub(crate) fn reading_a_file() {
    READ_A_FILE.set(true);
}

impl Stopwatch {
    /// Starts timing a call made in place (`in_place`) or on the pool.
    #[inline(always)]
    pub(crate) fn start(pace: &'static Pace, threshold: Ticks, in_place: bool) -> Stopwatch {
        READ_A_FILE.set(false);
        let started = clock::now();
        if in_place {
            InPlaceCall::show(pace, started.saturating_add(threshold));
        }
        Stopwatch {
            pace,
            threshold,
            started,
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
            InPlaceCall::ended();
            self.pace.ran_in_place(took, self.threshold);
        } else {
            self.pace.ran_on_pool(took, self.threshold);
        }
    }
}

/// What the watcher sees of a thread that runs plain handlers in place: the handler whose call
/// it runs, if any, and when that call passes the threshold. One per such thread (the workers),
/// kept for the life of the process and taken again by a later thread once its own has ended.
struct InPlaceCall {
    /// The handler's pace, null between calls.
    pace: AtomicPtr<Pace>,
    /// The clock's reading past which the call is taken to block.
    deadline: AtomicU64,
    /// The runtime whose worker the thread is, to wake (see [`look`]).
    runtime: Mutex<Option<tokio::runtime::Handle>>,
}

/// How often the watcher looks at the calls in place: a handler that turns slow holds the
/// worker it runs on, and its later calls go to the pool once this and the threshold have
/// passed. A look costs a few microseconds, a fraction of a percent of a core.
const WATCH_PERIOD: Duration = Duration::from_millis(2);

/// The looks in a row that find no call in place before the watcher sleeps until one starts.
const LOOKS_BEFORE_SLEEP: u32 = 100;

/// Every thread's [`InPlaceCall`], for the watcher, and those whose threads have ended, for
/// new threads to take.
static WATCHED: Mutex<Vec<&'static InPlaceCall>> = Mutex::new(Vec::new());
static UNUSED: Mutex<Vec<&'static InPlaceCall>> = Mutex::new(Vec::new());

/// Whether the watcher sleeps, for the first call in place to wake it.
static WATCHER_ASLEEP: AtomicBool = AtomicBool::new(false);
/// The watcher, once started; none if no thread could be had.
static WATCHER: OnceLock<Option<Thread>> = OnceLock::new();

/// A thread's hold on an [`InPlaceCall`], given back when the thread ends.
struct Held(&'static InPlaceCall);

thread_local! {
    static THIS_THREAD: Held = Held::take();
}

impl Held {
    fn take() -> Held {
        let runtime = tokio::runtime::Handle::try_current().ok();
        if let Some(unused) = UNUSED.lock().unwrap_or_else(PoisonError::into_inner).pop() {
            *unused
                .runtime
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = runtime;
            return Held(unused);
        }
        let call: &'static InPlaceCall = Box::leak(Box::new(InPlaceCall {
            pace: AtomicPtr::new(std::ptr::null_mut()),
            deadline: AtomicU64::new(0),
            runtime: Mutex::new(runtime),
        }));
        WATCHED
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(call);
        Held(call)
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.0.pace.store(std::ptr::null_mut(), Ordering::Relaxed);
        // Not kept alive by a thread that is gone.
        self.0
            .runtime
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        UNUSED
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(self.0);
    }
}

impl InPlaceCall {
    /// Shows the watcher a call of `pace`'s handler, in place on this thread until `deadline`.
    #[inline(always)]
    fn show(pace: &'static Pace, deadline: Ticks) {
        // A thread being torn down has no call to show.
        let _ = THIS_THREAD.try_with(|held| {
            held.0.deadline.store(deadline, Ordering::Relaxed);
            held.0
                .pace
                .store(std::ptr::from_ref(pace).cast_mut(), Ordering::Release);
        });
        if WATCHER_ASLEEP.load(Ordering::Relaxed) {
            wake_the_watcher();
        }
    }

    /// The call this thread showed has ended.
    #[inline(always)]
    fn ended() {
        let _ = THIS_THREAD.try_with(|held| {
            held.0.pace.store(std::ptr::null_mut(), Ordering::Relaxed);
        });
    }
}

#[cold]
fn wake_the_watcher() {
    if WATCHER_ASLEEP.swap(false, Ordering::Relaxed) {
        if let Some(Some(watcher)) = WATCHER.get() {
            watcher.unpark();
        }
    }
}

/// Starts the watcher, once for the process, when the first app is assembled. A watcher that
/// cannot start (no thread to be had) leaves each call to be judged when it ends.
pub(crate) fn watch() {
    WATCHER.get_or_init(|| {
        let spawned = std::thread::Builder::new()
            .name("carafe-pace".to_owned())
            .spawn(watcher);
        match spawned {
            Ok(handle) => Some(handle.thread().clone()),
            Err(error) => {
                tracing::warn!("no thread to watch plain handlers that turn slow: {error}");
                None
            }
        }
    });
}

/// The watcher's loop: a look every [`WATCH_PERIOD`], asleep while no call runs in place.
fn watcher() {
    let mut idle_looks = 0;
    loop {
        if look() {
            idle_looks = 0;
        } else {
            idle_looks += 1;
        }
        if idle_looks < LOOKS_BEFORE_SLEEP {
            std::thread::sleep(WATCH_PERIOD);
            continue;
        }
        WATCHER_ASLEEP.store(true, Ordering::Relaxed);
        // A call shown while the flag was being set finds it clear, and is seen here.
        if !look() {
            std::thread::park();
        }
        WATCHER_ASLEEP.store(false, Ordering::Relaxed);
        idle_looks = 0;
    }
}

/// Sends to the pool every handler whose call in place has passed its deadline, and wakes its
/// runtime; whether any call runs in place.
///
/// The wake matters: a worker held by a call may be the one that last polled the runtime's
/// I/O driver, while the others sleep until a task is scheduled, so that no new connection or
/// request would be seen until the call ends. An empty task spawned on the runtime wakes a
/// sleeping worker, which then takes the driver.
fn look() -> bool {
    let now = clock::now();
    let mut any = false;
    for call in WATCHED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
    {
        let pace = call.pace.load(Ordering::Acquire);
        if pace.is_null() {
            continue;
        }
        any = true;
        if now <= call.deadline.load(Ordering::Relaxed) {
            continue;
        }
        // SAFETY: a non-null pointer here was made from a `&'static Pace` in `show`.
        let pace = unsafe { &*pace };
        if pace.in_place() {
            pace.blocks();
            let runtime = call.runtime.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(runtime) = runtime.as_ref() {
                drop(runtime.spawn(async {}));
            }
        }
    }
    any
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

/// Calls in place, timed, a plain handler whose arguments had to be awaited (it reads the
/// request's body), when its [`Pace`] says it runs in place. What `#[route]` generates for such
/// a handler calls this or [`answer_plain_on_pool`] once its arguments are extracted; `call`
/// converts the handler's value into the response.
#[doc(hidden)]
#[inline(always)]
pub fn answer_plain_in_place(
    pace: &'static Pace,
    ctx: &RequestContext,
    call: impl FnOnce(&RequestContext) -> Response,
) -> Response {
    let _stopwatch = Stopwatch::start(pace, ctx.app().config.blocking_ticks, true);
    call(ctx)
}

/// The same on the blocking pool, timed there, taking the request with it. Boxed (a
/// `PendingResponse`): the future of the generated handler then holds a pointer for it, not
/// the request a second time, and stays as small as a handler that runs in place needs.
#[doc(hidden)]
pub fn answer_plain_on_pool(
    pace: &'static Pace,
    ctx: RequestContext,
    call: impl FnOnce(&RequestContext) -> Response + Send + 'static,
) -> Pin<Box<dyn Future<Output = Response> + Send>> {
    let threshold = ctx.app().config.blocking_ticks;
    Box::pin(on_pool(move || {
        let _stopwatch = Stopwatch::start(pace, threshold, false);
        call(&ctx)
    }))
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

    static TURNS_SLOW: Pace = Pace::new();

    #[test]
    fn a_call_in_place_past_its_deadline_sends_its_handler_to_the_pool_before_it_ends() {
        watch();
        for _ in 0..TRIAL_CALLS {
            TURNS_SLOW.ran_on_pool(QUICK, THRESHOLD);
        }
        assert!(TURNS_SLOW.in_place());
        let threshold = ticks(Duration::from_millis(1));
        let stopwatch = Stopwatch::start(&TURNS_SLOW, threshold, true);
        // Still in the call: the watcher sees it pass its deadline.
        let waited = std::time::Instant::now();
        while TURNS_SLOW.in_place() && waited.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(
            !TURNS_SLOW.in_place(),
            "the watcher did not see the call block"
        );
        drop(stopwatch);
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
