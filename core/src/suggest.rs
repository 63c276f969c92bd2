//! "Did you mean" suggestions, chosen by edit distance the way rustc chooses them.

/// The candidate closest to `typo`, if it is close enough to be what the user meant.
///
/// Case is ignored (`itemId` is one edit from `item_id`), and a candidate qualifies within a
/// third of the typo's length, at least one edit: rustc's threshold, so suggestions feel
/// familiar.
pub fn closest<'a>(typo: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let typo = typo.to_ascii_lowercase();
    let max = typo.chars().count().max(3) / 3;
    candidates
        .into_iter()
        .map(|candidate| (distance(&typo, &candidate.to_ascii_lowercase()), candidate))
        .filter(|&(distance, _)| distance <= max)
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, candidate)| candidate)
}

/// Optimal string alignment distance: Levenshtein plus the swap of two adjacent characters,
/// the commonest typo (`PSOT`), which plain Levenshtein would count as two edits.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // rows[i][j]: distance between the first i chars of `a` and the first j chars of `b`.
    let mut rows = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let substitution = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + substitution);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

/// `a`, `a and b`, `a, b and c`: a list of names, each in backticks, for a message.
pub fn and_list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<String> = names.into_iter().map(|name| format!("`{name}`")).collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_a_swap_as_one_edit() {
        assert_eq!(distance("psot", "post"), 1);
        assert_eq!(distance("get", "get"), 0);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("itemid", "item_id"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn suggests_the_closest_candidate() {
        let methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
        assert_eq!(closest("PSOT", methods), Some("POST"));
        assert_eq!(closest("DELTE", methods), Some("DELETE"));
        assert_eq!(closest("OPTION", methods), Some("OPTIONS"));
        assert_eq!(closest("GTE", methods), Some("GET"));
        assert_eq!(closest("itemId", ["item_id", "name"]), Some("item_id"));
    }

    #[test]
    fn suggests_nothing_far_away() {
        assert_eq!(closest("TRACE", ["GET", "POST", "PATCH"]), None);
        assert_eq!(closest("id", ["item_id"]), None);
        assert_eq!(closest("x", Vec::<&str>::new()), None);
    }

    #[test]
    fn lists_names() {
        assert_eq!(and_list([]), "");
        assert_eq!(and_list(["a"]), "`a`");
        assert_eq!(and_list(["a", "b"]), "`a` and `b`");
        assert_eq!(and_list(["a", "b", "c"]), "`a`, `b` and `c`");
    }
}
