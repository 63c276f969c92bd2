//! The prelude's `RwLock`: the standard one, minus poisoning.

use std::fmt;
use std::sync::{LockResult, PoisonError, RwLockReadGuard, RwLockWriteGuard};

/// A reader-writer lock for state shared by handlers, like [`std::sync::RwLock`] but never
/// poisoned: a handler that stops while it holds the lock, by [`abort`](crate::response::abort) or a
/// panic, leaves the next request the data as it was left, as a failed request in Flask
/// leaves the next one its globals. With the standard lock, every later request to a route
/// that takes it would answer 500.
///
/// It keeps the standard lock's signatures, so `items.read().unwrap()` reads as it does with
/// `std::sync::RwLock`; the `unwrap` never fails. A handler that must not leave half-done
/// changes behind makes them where nothing can stop it, or on a copy it then swaps in.
///
/// ```
/// use std::collections::HashMap;
/// use carafe_runtime::RwLock;
///
/// let items: RwLock<HashMap<String, String>> = RwLock::default();
/// let outcome = std::panic::catch_unwind(|| {
///     let mut items = items.write().unwrap();
///     items.insert("1".into(), "apple".into());
///     panic!("a handler stopped here");
/// });
/// assert!(outcome.is_err());
/// assert_eq!(items.read().unwrap()["1"], "apple");
/// ```
#[derive(Default)]
pub struct RwLock<T: ?Sized>(std::sync::RwLock<T>);

impl<T> RwLock<T> {
    /// A lock holding `value`.
    pub const fn new(value: T) -> RwLock<T> {
        RwLock(std::sync::RwLock::new(value))
    }

    /// The value, the lock gone.
    pub fn into_inner(self) -> LockResult<T> {
        Ok(self.0.into_inner().unwrap_or_else(PoisonError::into_inner))
    }
}

impl<T: ?Sized> RwLock<T> {
    /// Shared access, waiting while a writer holds the lock. Never an error.
    pub fn read(&self) -> LockResult<RwLockReadGuard<'_, T>> {
        Ok(self.0.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Exclusive access, waiting while anyone holds the lock. Never an error.
    pub fn write(&self) -> LockResult<RwLockWriteGuard<'_, T>> {
        Ok(self.0.write().unwrap_or_else(PoisonError::into_inner))
    }

    /// The value, through a unique borrow of the lock. Never an error.
    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        Ok(self.0.get_mut().unwrap_or_else(PoisonError::into_inner))
    }
}

impl<T> From<T> for RwLock<T> {
    fn from(value: T) -> RwLock<T> {
        RwLock::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.try_read() {
            Ok(value) => f.debug_tuple("RwLock").field(&&*value).finish(),
            Err(std::sync::TryLockError::Poisoned(poisoned)) => f
                .debug_tuple("RwLock")
                .field(&&*poisoned.into_inner())
                .finish(),
            Err(std::sync::TryLockError::WouldBlock) => f.write_str("RwLock(<locked>)"),
        }
    }
}
