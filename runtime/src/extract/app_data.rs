//! What handlers and extractors read from the app while they run: its state and its settings.
//! And what a handler needs of it, which the app checks before it serves.

use std::any::{type_name, Any, TypeId};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;
use std::time::Duration;

use crate::extract::forwarded::TrustedProxies;

/// Settings with Flask-like defaults.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// Largest request body read, in bytes (axum's default, 2 MiB).
    pub(crate) body_limit: usize,
    /// How long a client may take to send its request headers (against slow-header attacks).
    pub(crate) header_read_timeout: Duration,
    /// How long a request body may take to arrive in full once a handler reads it (against
    /// clients that trickle a body, or declare more than they send).
    pub(crate) body_read_timeout: Duration,
    /// Most connections open at once; a client past it waits for one to close.
    pub(crate) max_connections: usize,
    /// How long requests in flight may take to finish once shutdown starts.
    pub(crate) shutdown_grace: Duration,
    /// How long an app with a health route keeps serving, its health route answering 503,
    /// between the signal to stop and the closing of its listener.
    pub(crate) drain_delay: Duration,
    /// Whether the listener is bound with `SO_REUSEPORT`, so that a new instance can bind the
    /// address while an old one drains.
    pub(crate) reuse_port: bool,
    /// Whether error pages show the internal detail of an error and the request line.
    pub(crate) debug: bool,
    /// Most fields a form may have, urlencoded or multipart (Werkzeug's `max_form_parts`,
    /// 1,000): a 2 MiB form of a million empty fields would otherwise cost tens of megabytes
    /// to parse.
    pub(crate) max_form_parts: usize,
    /// Most bytes a multipart form's text fields may hold in all, in memory (Werkzeug's
    /// `max_form_memory_size`, 500 kB); files do not count.
    pub(crate) max_form_memory_size: usize,
    /// How long a plain handler may take in place before it moves to the blocking pool (see
    /// `routing::pace`).
    pub(crate) blocking_threshold: Duration,
    /// The same in the ticks of the clock that times handlers, set as the app is assembled.
    pub(crate) blocking_ticks: u64,
    /// Most threads the blocking pool of the runtime `App::run` builds may have.
    pub(crate) blocking_threads: usize,
    /// The origins whose pages may send unsafe requests, besides the app's own
    /// (`scheme://host[:port]`, lowercased).
    pub(crate) trusted_origins: Vec<Box<str>>,
    /// The proxies in front of the app, whose headers say who the client is.
    pub(crate) trusted_proxies: TrustedProxies,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            body_limit: 2 * 1024 * 1024,
            header_read_timeout: Duration::from_secs(30),
            body_read_timeout: Duration::from_secs(30),
            max_connections: default_max_connections(),
            shutdown_grace: Duration::from_secs(10),
            drain_delay: Duration::from_secs(5),
            reuse_port: false,
            max_form_parts: 1000,
            max_form_memory_size: 500_000,
            blocking_threshold: DEFAULT_BLOCKING_THRESHOLD,
            blocking_ticks: 0,
            // tokio's default.
            blocking_threads: 512,
            trusted_origins: Vec::new(),
            trusted_proxies: TrustedProxies::default(),
            // CARAFE_DEBUG, as Flask reads FLASK_DEBUG, is read with the other variables
            // (`app/environment.rs`).
            debug: false,
        }
    }
}

/// A millisecond: ten times what tokio asks of a task between two awaits, and far more than a
/// handler that does not block takes (a few microseconds; a template of fifty posts, under a
/// hundred), far less than one that does (a query that waits on a lock, a password hash).
const DEFAULT_BLOCKING_THRESHOLD: Duration = Duration::from_millis(1);

/// Three quarters of the process's limit on open files, leaving the rest for the files,
/// templates and databases the app opens: 768 under the common limit of 1,024.
fn default_max_connections() -> usize {
    let limit = open_file_limit().unwrap_or(1024);
    (limit - limit / 4).max(1)
}

/// The soft limit on open files (`ulimit -n`), up to a million: past that, memory runs out
/// before descriptors do.
#[cfg(unix)]
fn open_file_limit() -> Option<usize> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `getrlimit` writes one `rlimit` through the pointer, which points at one.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return None;
    }
    Some(usize::try_from(limit.rlim_cur).map_or(1 << 20, |soft| soft.min(1 << 20)))
}

#[cfg(not(unix))]
fn open_file_limit() -> Option<usize> {
    None
}

/// The app's state, one value per type, and its settings.
pub(crate) struct AppData {
    state: HashMap<TypeId, Arc<dyn Any + Send + Sync>, BuildHasherDefault<TypeIdHasher>>,
    pub(crate) config: Config,
    /// The key sessions are signed with, set by `App::secret_key`: without it, no session.
    pub(crate) session_key: Option<cookie::Key>,
    /// How long a session lasts after it was last saved.
    pub(crate) session_lifetime: Duration,
}

/// Flask's `PERMANENT_SESSION_LIFETIME`: 31 days.
const DEFAULT_SESSION_LIFETIME: Duration = Duration::from_secs(31 * 24 * 60 * 60);

impl Default for AppData {
    fn default() -> Self {
        AppData {
            state: HashMap::default(),
            config: Config::default(),
            session_key: None,
            session_lifetime: DEFAULT_SESSION_LIFETIME,
        }
    }
}

impl AppData {
    pub(crate) fn insert_state<T: Send + Sync + 'static>(&mut self, value: T) {
        self.state.insert(TypeId::of::<T>(), Arc::new(value));
    }

    pub(crate) fn state<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        let value = self.state.get(&TypeId::of::<T>())?;
        Arc::clone(value).downcast::<T>().ok()
    }

    /// The value of type `T`, borrowed.
    pub(crate) fn state_ref<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.state.get(&TypeId::of::<T>())?.downcast_ref::<T>()
    }

    /// Whether the app holds a value of type `T`.
    fn holds<T: 'static>(&self) -> bool {
        self.state.contains_key(&TypeId::of::<T>())
    }
}

/// What a handler's extractors need from the app before it can serve, as Rocket's sentinels
/// say: each extractor declares it in [`FromRequestParts::needs`](crate::FromRequestParts::needs)
/// or [`FromRequest::needs`](crate::FromRequest::needs), and the app checks it when it starts,
/// so a missing piece is a refusal to start that names the handler, not a 500 at the first
/// request.
///
/// ```
/// use carafe_runtime::{FromRequestParts, Needs, RequestContext, Response, State};
///
/// struct Pool;
///
/// /// The signed-in user, read with the app's `Pool`.
/// struct CurrentUser(String);
///
/// impl FromRequestParts for CurrentUser {
///     fn from_request_parts(ctx: &RequestContext) -> Result<Self, Response> {
///         let _pool = ctx.state::<Pool>();
///         Ok(CurrentUser("sam".to_owned()))
///     }
///
///     fn needs(needs: &mut Needs<'_>) {
///         needs.state::<Pool>();
///     }
/// }
/// ```
pub struct Needs<'a> {
    data: &'a AppData,
    /// The extractor whose needs are being declared, as its type is named in messages.
    extractor: String,
    lacking: Vec<String>,
}

impl<'a> Needs<'a> {
    /// The needs of the extractors to be checked against `data`.
    pub(crate) fn new(data: &'a AppData) -> Needs<'a> {
        Needs {
            data,
            extractor: String::new(),
            lacking: Vec::new(),
        }
    }

    /// Declares the needs of the extractor of type `T`: those of its own and those of the
    /// extractors it is made of.
    pub(crate) fn of_extractor<T>(&mut self, declare: impl FnOnce(&mut Needs<'a>)) {
        self.extractor = short_type_name(type_name::<T>());
        declare(self);
    }

    /// What the app lacks of what was declared, one sentence each, naming the extractor.
    pub(crate) fn into_lacking(self) -> Vec<String> {
        self.lacking
    }

    /// The app must hold a `T`, given with `App::state`, as `State<T>` reads it.
    pub fn state<T: Send + Sync + 'static>(&mut self) {
        if !self.data.holds::<T>() {
            let name = type_name::<T>();
            self.lack(
                format!("State<{name}>"),
                format!(
                    "the app holds no `{name}`: give it one with `App::new().state::<{name}>(..)`"
                ),
            );
        }
    }

    /// The app must have a key to sign sessions with, given with `App::secret_key`, as
    /// `Session` does.
    pub fn secret_key(&mut self) {
        if self.data.session_key.is_none() {
            self.lack(
                "Session".to_owned(),
                "the app has no secret key to sign it with: set CARAFE_SECRET_KEY in the \
                 environment to a long random value, or call `App::new().secret_key(..)`"
                    .to_owned(),
            );
        }
    }

    /// Records that the app lacks what `needed` needs: said of the extractor itself when it is
    /// `needed`, else of the extractor that needs it.
    fn lack(&mut self, needed: String, why: String) {
        let taken = &self.extractor;
        self.lacking.push(if short_type_name(&needed) == *taken {
            format!("takes `{needed}`, but {why}")
        } else {
            format!("takes `{taken}`, which needs `{needed}`, but {why}")
        });
    }
}

/// A type's name without the paths of its modules: `State<u32>` for
/// `carafe_runtime::extract::State<u32>`, as the user wrote it in the handler.
fn short_type_name(name: &str) -> String {
    let mut short = String::with_capacity(name.len());
    let mut word = String::new();
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            word.clear();
        } else if c.is_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            short.push_str(&word);
            word.clear();
            short.push(c);
        }
    }
    short + &word
}

/// Hashes a [`TypeId`], which is a hash already, by taking its bits as they are: looking up
/// the state for each `State<T>` then costs a few instructions instead of a SipHash round.
#[derive(Default)]
struct TypeIdHasher(u64);

impl Hasher for TypeIdHasher {
    fn write_u64(&mut self, bits: u64) {
        self.0 = bits;
    }

    /// `TypeId` hashes through `write_u64`; anything else still gets a sound, if plain, mix.
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
