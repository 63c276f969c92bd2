//! Sizes written for people, `"64 MiB"`: the route attribute's `body_limit` is checked with
//! this at compile time, and the runtime shows limits back in the same units.

use std::fmt;

/// The units a size may be written in, with their bytes: decimal (kB, MB, GB) and binary
/// (KiB, MiB, GiB), as `1 kB` is 1,000 bytes and `1 KiB` 1,024.
pub const UNITS: [(&str, u64); 7] = [
    ("B", 1),
    ("kB", 1_000),
    ("MB", 1_000_000),
    ("GB", 1_000_000_000),
    ("KiB", 1 << 10),
    ("MiB", 1 << 20),
    ("GiB", 1 << 30),
];

/// Why a text is no size, in words that name the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SizeError(String);

impl fmt::Display for SizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SizeError {}

/// The bytes `text` stands for: a whole number, a space if you like, and one of [`UNITS`].
///
/// ```
/// use carafe_core::size::parse;
///
/// assert_eq!(parse("64 MiB"), Ok(64 * 1024 * 1024));
/// assert_eq!(parse("500kB"), Ok(500_000));
/// assert!(parse("64 mb").unwrap_err().to_string().contains("did you mean `MB`"));
/// ```
pub fn parse(text: &str) -> Result<u64, SizeError> {
    let units = || {
        UNITS
            .iter()
            .map(|(unit, _)| *unit)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = text.split_at(digits);
    let unit = unit.strip_prefix(' ').unwrap_or(unit);
    if number.is_empty() {
        return Err(SizeError(format!(
            "`{text}` is no size: write a whole number and a unit, as in \"64 MiB\" (units: {})",
            units()
        )));
    }
    let Some(&(_, bytes)) = UNITS.iter().find(|(known, _)| *known == unit) else {
        let message = if unit.is_empty() {
            format!(
                "`{text}` has no unit: write `{number} B` for bytes, or one of {}",
                units()
            )
        } else if unit.starts_with(['.', ',']) {
            format!(
                "`{text}` is no whole number: write it in a smaller unit, as 1.5 MiB is \
                 \"1536 KiB\""
            )
        } else if unit == "KB" {
            format!(
                "`KB` is ambiguous: write `{number} kB` for {number},000 bytes or `{number} KiB` \
                 for {number} × 1,024"
            )
        } else if let Some((close, _)) = UNITS
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(unit))
        {
            let binary = format!("{}i{}", &close[..1].to_ascii_uppercase(), &close[1..]);
            let binary = UNITS
                .iter()
                .any(|(known, _)| *known == binary)
                .then_some(binary);
            match binary {
                Some(binary) => format!(
                    "unknown unit `{unit}`: did you mean `{close}` (decimal) or `{binary}` \
                     (binary)? Units: {}",
                    units()
                ),
                None => format!(
                    "unknown unit `{unit}`: did you mean `{close}`? Units: {}",
                    units()
                ),
            }
        } else {
            format!("unknown unit `{unit}`: write one of {}", units())
        };
        return Err(SizeError(message));
    };
    number
        .parse::<u64>()
        .ok()
        .and_then(|number| number.checked_mul(bytes))
        .ok_or_else(|| SizeError(format!("`{text}` is more bytes than a computer can count")))
}

/// `bytes` in the largest binary unit that shows it whole: `64 MiB`, `1500 B`.
///
/// ```
/// use carafe_core::size::show;
///
/// assert_eq!(show(64 * 1024 * 1024), "64 MiB");
/// assert_eq!(show(2_000_000), "2 MB");
/// assert_eq!(show(1500), "1500 B");
/// ```
pub fn show(bytes: u64) -> String {
    let whole = UNITS
        .iter()
        .filter(|(_, size)| *size > 1 && bytes >= *size && bytes.is_multiple_of(*size))
        .max_by_key(|(_, size)| *size);
    match whole {
        Some((unit, size)) => format!("{} {unit}", bytes / size),
        None => format!("{bytes} B"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_every_unit() {
        for (text, bytes) in [
            ("1 B", 1),
            ("0 B", 0),
            ("500 kB", 500_000),
            ("500kB", 500_000),
            ("2 MB", 2_000_000),
            ("1 GB", 1_000_000_000),
            ("16 KiB", 16 * 1024),
            ("64 MiB", 64 << 20),
            ("4 GiB", 4 << 30),
        ] {
            assert_eq!(parse(text), Ok(bytes), "{text}");
            assert_eq!(
                parse(&show(bytes)),
                Ok(bytes),
                "{text} shown as {}",
                show(bytes)
            );
        }
    }

    #[test]
    fn what_is_no_size_says_what_to_write() {
        for (text, says) in [
            ("64 mb", "did you mean `MB` (decimal) or `MiB` (binary)?"),
            ("64 mib", "did you mean `MiB`?"),
            ("64 KB", "`KB` is ambiguous"),
            ("lots", "write a whole number and a unit"),
            ("1.5 MiB", "in a smaller unit"),
            ("64", "has no unit: write `64 B`"),
            ("64 MiB ", "unknown unit `MiB `"),
            ("99999999999999 GiB", "more bytes than"),
        ] {
            let error = parse(text).unwrap_err().to_string();
            assert!(error.contains(says), "{text}: {error}");
        }
        for text in ["lots", "64 furlongs"] {
            assert!(parse(text).unwrap_err().to_string().contains("B, kB, MB"));
        }
    }
}
