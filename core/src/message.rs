//! Messages both `routes![..]` (at compile time, in a `const fn`) and the app (at start-up)
//! give, written once.

use crate::method::MethodSet;

/// Where a handler is: its name, file and line.
#[derive(Clone, Copy, Debug)]
pub struct Site<'a> {
    /// The handler's name.
    pub handler: &'a str,
    /// Its file.
    pub file: &'a str,
    /// The line of its name.
    pub line: u32,
}

/// Two routes that answer `methods` on the same path (parameter names aside), which one app
/// cannot hold: both handlers with where each is, the methods, the path, and the fix, `fix`
/// saying where to remove one from (`" from routes![..]"`, or nothing).
///
/// ```
/// use carafe_core::message::{clash_message, Site};
/// use carafe_core::MethodSet;
///
/// let a = Site { handler: "list_items", file: "src/main.rs", line: 5 };
/// let b = Site { handler: "items", file: "src/main.rs", line: 10 };
/// assert_eq!(
///     clash_message(a, b, MethodSet::GET, "/items", "").as_str(),
///     "routes `list_items` (src/main.rs:5) and `items` (src/main.rs:10) both answer GET on \
///      /items: remove one, or change its path or methods"
/// );
/// ```
pub const fn clash_message(
    first: Site<'_>,
    second: Site<'_>,
    methods: MethodSet,
    path: &str,
    fix: &str,
) -> Message {
    let mut message = Message::new();
    message.push("routes ");
    message.push_site(first);
    message.push(" and ");
    message.push_site(second);
    message.push(" both answer ");
    message.push_methods(methods);
    message.push(" on ");
    message.push(path);
    message.push(": remove one");
    message.push(fix);
    message.push(", or change its path or methods");
    message
}

/// A fixed buffer to build a compile-time error message in a `const fn`.
pub struct Message {
    bytes: [u8; 1024],
    len: usize,
}

impl Message {
    /// An empty message.
    const fn new() -> Message {
        Message {
            bytes: [0; 1024],
            len: 0,
        }
    }

    /// Appends `text`, cutting it at the buffer's end.
    const fn push(&mut self, text: &str) {
        let text = text.as_bytes();
        let mut i = 0;
        while i < text.len() && self.len < self.bytes.len() {
            self.bytes[self.len] = text[i];
            self.len += 1;
            i += 1;
        }
    }

    /// Appends `number` in decimal.
    const fn push_number(&mut self, mut number: u32) {
        let mut digits = [0u8; 10];
        let mut count = 0;
        loop {
            digits[count] = b'0' + (number % 10) as u8;
            count += 1;
            number /= 10;
            if number == 0 {
                break;
            }
        }
        while count > 0 && self.len < self.bytes.len() {
            count -= 1;
            self.bytes[self.len] = digits[count];
            self.len += 1;
        }
    }

    /// The names of `methods`, separated by commas.
    const fn push_methods(&mut self, methods: MethodSet) {
        let mut first = true;
        let mut i = 0;
        while i < MethodSet::ALL.len() {
            let (name, method) = MethodSet::ALL[i];
            if methods.intersects(method) {
                if !first {
                    self.push(", ");
                }
                self.push(name);
                first = false;
            }
            i += 1;
        }
    }

    /// `` `handler` (file:line) ``.
    const fn push_site(&mut self, site: Site<'_>) {
        self.push("`");
        self.push(site.handler);
        self.push("` (");
        self.push(site.file);
        self.push(":");
        self.push_number(site.line);
        self.push(")");
    }

    /// The message.
    pub const fn as_str(&self) -> &str {
        // Cutting at the buffer's end may split a UTF-8 character; drop the partial one.
        let mut len = self.len;
        loop {
            match core::str::from_utf8(self.bytes.split_at(len).0) {
                Ok(text) => return text,
                Err(_) => len -= 1,
            }
        }
    }
}
