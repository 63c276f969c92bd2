//! Status codes as handlers write them: integers, as in Flask, or `http::StatusCode`.

use http::StatusCode;

/// A status code: an integer, as in Flask, or an [`http::StatusCode`].
///
/// A string is refused at compile time: `("Error", "404")` does not build.
///
/// ```
/// use carafe_runtime::IntoStatus;
/// use http::StatusCode;
///
/// assert_eq!(404.into_status_code(), 404);
/// assert_eq!(StatusCode::CREATED.into_status_code(), 201);
/// ```
#[diagnostic::on_unimplemented(
    message = "status code must be an integer, not `{Self}`: write the status as an integer, such as 404",
    label = "expected an integer status such as 404, or an http::StatusCode",
    note = "Flask would quietly accept a string here; carafe asks for the number"
)]
pub trait IntoStatus {
    /// The status as a number; a value that does not fit is 0, which is never sent.
    fn into_status_code(self) -> u16;
}

impl IntoStatus for StatusCode {
    fn into_status_code(self) -> u16 {
        self.as_u16()
    }
}

macro_rules! integer_status {
    ($($int:ty),*) => {$(
        impl IntoStatus for $int {
            fn into_status_code(self) -> u16 {
                u16::try_from(self).unwrap_or(0)
            }
        }
    )*};
}
integer_status!(i16, i32, i64, isize, u16, u32, u64, usize);
