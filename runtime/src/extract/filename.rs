//! `secure_filename`: Werkzeug's cleaning of a file name a client sent, so that an upload can be
//! saved under it without escaping its folder.

use unicode_normalization::UnicodeNormalization;

/// The names Windows opens as a device in every folder, whatever the extension. Werkzeug's list
/// also has `CONIN$`, `CONOUT$` and `COM`/`LPT` with a superscript digit, but no cleaned name
/// can hold them: `$` is stripped and NFKD turns `¹` into `1`.
const WINDOWS_DEVICE_NAMES: [&str; 22] = [
    "AUX", "CON", "NUL", "PRN", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// A file name that is safe to join to a folder and save to: what Werkzeug's (and so Flask's)
/// `secure_filename` returns on a POSIX system, but for two differences made for files that
/// may end up on Windows.
///
/// Letters are decomposed (NFKD) and what is left outside ASCII dropped, so `ü` becomes `u`
/// and `日本` nothing; `/`, `\` and runs of whitespace become one `_`; only ASCII letters,
/// digits and `_.-` are kept; leading and trailing `.` and `_` are removed.
///
/// The two differences from Werkzeug on POSIX, which match what it does on Windows:
/// - `\` is a separator everywhere, as Internet Explorer sends the whole path:
///   `C:\..\photo.png` gives `C_.._photo.png`, where Werkzeug on POSIX strips the backslashes
///   and gives `C..photo.png`.
/// - A Windows device name, in any case and with any extension, gets a leading `_`:
///   `con.txt` gives `_con.txt`, where Werkzeug on POSIX leaves it as it is.
///
/// The result may be empty (`...`, `日本語`): choose a name yourself then. Nor is it unique:
/// two clients may send the same name.
///
/// ```
/// use carafe_runtime::secure_filename;
///
/// assert_eq!(secure_filename("../../etc/passwd"), "etc_passwd");
/// assert_eq!(secure_filename("naïve résumé.pdf"), "naive_resume.pdf");
/// assert_eq!(secure_filename("C:\\Users\\me\\photo.png"), "C_Users_me_photo.png");
/// ```
pub fn secure_filename(filename: &str) -> String {
    let mut cleaned = String::with_capacity(filename.len());
    // Werkzeug joins the words between whitespace with `_` before it strips characters, so a
    // word stripped to nothing still leaves its `_` (`a $ b` gives `a__b`), and whitespace
    // before the first word or after the last leaves none.
    let mut seen_word = false;
    let mut underscore_due = false;
    for c in filename.nfkd().filter(char::is_ascii) {
        if is_path_separator(c) || is_python_whitespace(c) {
            underscore_due = seen_word;
            continue;
        }
        if underscore_due {
            cleaned.push('_');
            underscore_due = false;
        }
        seen_word = true;
        if is_allowed(c) {
            cleaned.push(c);
        }
    }

    let trimmed = cleaned.trim_matches(['.', '_']);
    if is_windows_device_name(trimmed) {
        format!("_{trimmed}")
    } else {
        trimmed.to_owned()
    }
}

/// `/` on every system, and `\` too: see [`secure_filename`] on why.
fn is_path_separator(c: char) -> bool {
    matches!(c, '/' | '\\')
}

/// The ASCII characters Python's `str.split()` splits on, which are more than Rust's
/// `is_ascii_whitespace`: the vertical tab and the four separators `\x1c` to `\x1f` too.
/// Whitespace outside ASCII needs no case, as NFKD has made it a space or it was dropped.
fn is_python_whitespace(c: char) -> bool {
    matches!(c, '\t'..='\r' | '\x1c'..='\x1f' | ' ')
}

fn is_allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// Windows ignores the extension, so `NUL.tar.gz` is the device `NUL` as much as `NUL` is.
fn is_windows_device_name(filename: &str) -> bool {
    let stem = filename.split('.').next().unwrap_or(filename);
    WINDOWS_DEVICE_NAMES
        .iter()
        .any(|device| stem.eq_ignore_ascii_case(device))
}

#[cfg(test)]
mod tests {
    use super::secure_filename;

    /// Werkzeug's own `test_secure_filename` table.
    #[test]
    fn werkzeug_table() {
        assert_eq!(secure_filename("My cool movie.mov"), "My_cool_movie.mov");
        assert_eq!(secure_filename("../../../etc/passwd"), "etc_passwd");
        assert_eq!(
            secure_filename("i contain cool \u{fc}ml\u{e4}uts.txt"),
            "i_contain_cool_umlauts.txt"
        );
        assert_eq!(secure_filename("__filename__"), "filename");
        assert_eq!(secure_filename("foo$&^*)bar"), "foobar");
    }

    #[test]
    fn path_traversal_keeps_only_the_names() {
        assert_eq!(secure_filename("../../../etc/passwd"), "etc_passwd");
        assert_eq!(secure_filename("/etc/passwd"), "etc_passwd");
        assert_eq!(secure_filename("../secret.log"), "secret.log");
    }

    #[test]
    fn nul_byte_is_stripped() {
        assert_eq!(secure_filename("photo\0.png"), "photo.png");
    }

    #[test]
    fn backslash_is_a_separator() {
        assert_eq!(
            secure_filename("C:\\Users\\me\\photo.png"),
            "C_Users_me_photo.png"
        );
        assert_eq!(secure_filename("C:\\..\\photo.png"), "C_.._photo.png");
        assert_eq!(secure_filename("..\\..\\etc\\passwd"), "etc_passwd");
    }

    #[test]
    fn nothing_safe_left_gives_an_empty_name() {
        assert_eq!(secure_filename(""), "");
        assert_eq!(secure_filename("."), "");
        assert_eq!(secure_filename(".."), "");
        assert_eq!(secure_filename("..."), "");
        assert_eq!(secure_filename("日本語"), "");
        assert_eq!(secure_filename("\u{1F4F7}"), "");
        assert_eq!(secure_filename(" / \\ "), "");
    }

    #[test]
    fn windows_device_names_get_an_underscore() {
        assert_eq!(secure_filename("CON"), "_CON");
        assert_eq!(secure_filename("con.txt"), "_con.txt");
        assert_eq!(secure_filename("NUL.tar.gz"), "_NUL.tar.gz");
        assert_eq!(secure_filename("lpt9.log"), "_lpt9.log");
        assert_eq!(secure_filename("Com1"), "_Com1");
        // Cleaning happens first, so what it makes a device name is one.
        assert_eq!(secure_filename("COM\u{b9}.txt"), "_COM1.txt");
        assert_eq!(secure_filename("../aux"), "_aux");
    }

    #[test]
    fn names_that_only_start_like_a_device_are_left_alone() {
        assert_eq!(secure_filename("console.log"), "console.log");
        assert_eq!(secure_filename("COM0"), "COM0");
        assert_eq!(secure_filename("CON_.txt"), "CON_.txt");
        assert_eq!(secure_filename("my.con"), "my.con");
    }

    /// A name from RFC 2231's `filename*=UTF-8''...`, once percent-decoded.
    #[test]
    fn accented_letters_lose_their_accents() {
        assert_eq!(secure_filename("naïve résumé.pdf"), "naive_resume.pdf");
        assert_eq!(secure_filename("Ærøskøbing.jpg"), "rskbing.jpg");
        assert_eq!(secure_filename("\u{fb01}le.txt"), "file.txt");
    }

    #[test]
    fn leading_dots_are_removed() {
        assert_eq!(secure_filename(".htaccess"), "htaccess");
        assert_eq!(secure_filename("..bashrc"), "bashrc");
        assert_eq!(secure_filename("archive.tar.gz."), "archive.tar.gz");
    }

    #[test]
    fn whitespace_runs_become_one_underscore() {
        assert_eq!(secure_filename("  a \t\n b  "), "a_b");
        // Python splits on these; Rust's `is_ascii_whitespace` would not.
        assert_eq!(secure_filename("a\x0bb\x1cc\x1fd"), "a_b_c_d");
        // NFKD turns the no-break and ideographic spaces into plain ones.
        assert_eq!(secure_filename("a\u{a0}b\u{3000}c"), "a_b_c");
        // A word stripped to nothing still leaves its underscore.
        assert_eq!(secure_filename("a $ b"), "a__b");
        assert_eq!(secure_filename("a - b.txt"), "a_-_b.txt");
    }
}
