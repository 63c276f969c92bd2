//! What handlers and extractors read from the app while they run: its state and its settings.
//! And what a handler needs of it, which the app checks before it serves.

use std::any::{type_name, Any, TypeId};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;
use std::time::Duration;

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
    /// Whether error pages show the internal detail of an error and the request line.
    pub(crate) debug: bool,
    /// Most fields a urlencoded form may have (Werkzeug's default, 1,000): a 2 MiB form of a
    /// million empty fields would otherwise cost tens of megabytes to parse.
    pub(crate) max_form_fields: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            body_limit: 2 * 1024 * 1024,
            header_read_timeout: Duration::from_secs(30),
            body_read_timeout: Duration::from_secs(30),
            max_connections: default_max_connections(),
            shutdown_grace: Duration::from_secs(10),
            max_form_fields: 1000,
            // As Flask reads FLASK_DEBUG.
            debug: std::env::var("CARAFE_DEBUG").is_ok_and(|value| value == "1"),
        }
    }
}

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

    /// Why the app cannot give what `need` asks for, if it cannot.
    pub(crate) fn lacks(&self, need: Need) -> Option<String> {
        match need {
            Need::SecretKey => self.session_key.is_none().then(|| {
                "takes `Session`, but the app has no secret key to sign it with: set one with \
                 `App::new().secret_key(..)`"
                    .to_owned()
            }),
            Need::State { type_id, type_name } => {
                (!self.state.contains_key(&type_id())).then(|| {
                    format!(
                        "takes `State<{0}>`, but the app holds no `{0}`: give it one with \
                         `App::new().state::<{0}>(..)`",
                        type_name()
                    )
                })
            }
        }
    }
}

/// What a handler's argument needs from the app before it can serve, as Rocket's sentinels
/// say: checked when the app starts, so a missing piece is a refusal to start that names the
/// handler, not a 500 at the first request.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub enum Need {
    /// The key sessions are signed with, given with `App::secret_key`.
    SecretKey,
    /// A value of this type, given with `App::state`.
    State {
        /// `TypeId::of::<T>`.
        type_id: fn() -> TypeId,
        /// `type_name::<T>`.
        type_name: fn() -> &'static str,
    },
}

impl Need {
    /// The need for state of type `T`.
    pub const fn state<T: 'static>() -> Need {
        Need::State {
            type_id: TypeId::of::<T>,
            type_name: type_name::<T>,
        }
    }
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
