//! Python's `difflib.get_close_matches`, which AWS CLI v2's argument parser uses for its
//! `Maybe you meant:` suggestions. Suggestions and their order are part of the error text, so
//! this follows `SequenceMatcher` exactly (Ratcliff/Obershelp: the longest common block, then
//! recursively the blocks left and right of it) rather than another similarity measure; the
//! inputs are command and option names, far below the 200 characters where Python's
//! "autojunk" heuristic would start.

use std::collections::HashMap;

/// `difflib.get_close_matches(word, possibilities, n, cutoff)`: up to `n` possibilities whose
/// similarity ratio to `word` is at least `cutoff`, best first (ties: the greater string
/// first, as Python's `heapq.nlargest` over `(score, string)` orders them).
pub fn get_close_matches<'a>(
    word: &str,
    possibilities: impl IntoIterator<Item = &'a str>,
    n: usize,
    cutoff: f64,
) -> Vec<&'a str> {
    let word: Vec<char> = word.chars().collect();
    let mut scored: Vec<(f64, &str)> = possibilities
        .into_iter()
        .filter_map(|candidate| {
            let chars: Vec<char> = candidate.chars().collect();
            let matcher = Matcher::new(&chars, &word);
            (matcher.real_quick_ratio() >= cutoff
                && matcher.quick_ratio() >= cutoff
                && matcher.ratio() >= cutoff)
                .then(|| (matcher.ratio(), candidate))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| b.1.cmp(a.1)));
    scored.into_iter().take(n).map(|(_, s)| s).collect()
}

/// `SequenceMatcher(None, a, b)` for the three ratios.
struct Matcher<'a> {
    a: &'a [char],
    b: &'a [char],
    /// Where each character of `b` occurs, ascending (`b2j`).
    b2j: HashMap<char, Vec<usize>>,
}

impl<'a> Matcher<'a> {
    fn new(a: &'a [char], b: &'a [char]) -> Self {
        let mut b2j: HashMap<char, Vec<usize>> = HashMap::new();
        for (j, &c) in b.iter().enumerate() {
            b2j.entry(c).or_default().push(j);
        }
        Self { a, b, b2j }
    }

    fn total(&self) -> usize {
        self.a.len() + self.b.len()
    }

    fn score(&self, matches: usize) -> f64 {
        match self.total() {
            0 => 1.0,
            total => 2.0 * matches as f64 / total as f64,
        }
    }

    /// `real_quick_ratio`: an upper bound from the lengths alone.
    fn real_quick_ratio(&self) -> f64 {
        self.score(self.a.len().min(self.b.len()))
    }

    /// `quick_ratio`: an upper bound from the characters in common, ignoring order.
    fn quick_ratio(&self) -> f64 {
        let mut available: HashMap<char, usize> = HashMap::new();
        for &c in self.b {
            *available.entry(c).or_default() += 1;
        }
        let mut matches = 0;
        for c in self.a {
            if let Some(left) = available.get_mut(c)
                && *left > 0
            {
                *left -= 1;
                matches += 1;
            }
        }
        self.score(matches)
    }

    /// `ratio`: twice the size of the matching blocks over the total length.
    fn ratio(&self) -> f64 {
        let mut matches = 0;
        let mut queue = vec![(0, self.a.len(), 0, self.b.len())];
        while let Some((alo, ahi, blo, bhi)) = queue.pop() {
            let (i, j, k) = self.find_longest_match(alo, ahi, blo, bhi);
            if k > 0 {
                matches += k;
                if alo < i && blo < j {
                    queue.push((alo, i, blo, j));
                }
                if i + k < ahi && j + k < bhi {
                    queue.push((i + k, ahi, j + k, bhi));
                }
            }
        }
        self.score(matches)
    }

    /// `find_longest_match` without junk: the longest block `a[i..i+k] == b[j..j+k]` within
    /// the bounds, the earliest in `a` and then in `b` among equals.
    fn find_longest_match(
        &self,
        alo: usize,
        ahi: usize,
        blo: usize,
        bhi: usize,
    ) -> (usize, usize, usize) {
        let mut best = (alo, blo, 0);
        // Length of the match ending at a[i-1], b[j], keyed by j.
        let mut ending: HashMap<usize, usize> = HashMap::new();
        for i in alo..ahi {
            let mut next: HashMap<usize, usize> = HashMap::new();
            for &j in self.b2j.get(&self.a[i]).map_or(&[][..], Vec::as_slice) {
                if j < blo {
                    continue;
                }
                if j >= bhi {
                    break;
                }
                let k = j
                    .checked_sub(1)
                    .and_then(|previous| ending.get(&previous))
                    .copied()
                    .unwrap_or(0)
                    + 1;
                next.insert(j, k);
                if k > best.2 {
                    best = (i + 1 - k, j + 1 - k, k);
                }
            }
            ending = next;
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMANDS: [&str; 9] = [
        "console",
        "exec",
        "export-credentials",
        "get-role-credentials",
        "list-account-roles",
        "list-accounts",
        "login",
        "logout",
        "roles",
    ];

    #[test]
    fn matches_python_difflib() {
        // Expected values printed by CPython 3.11's difflib.get_close_matches(w, COMMANDS,
        // cutoff=0.8).
        for (word, expected) in [
            ("lgin", &["login"][..]),
            ("loguot", &["logout"]),
            ("list-acounts", &["list-accounts", "list-account-roles"]),
            (
                "list-accounts-roles",
                &["list-account-roles", "list-accounts"],
            ),
            ("rols", &["roles"]),
            ("exprt-credentials", &["export-credentials"]),
            ("get-role-credential", &["get-role-credentials"]),
            ("xyz", &[]),
            ("lo", &[]),
        ] {
            assert_eq!(
                get_close_matches(word, COMMANDS, 3, 0.8),
                expected,
                "{word}"
            );
        }
        let outputs = ["json", "text", "table", "yaml", "yaml-stream", "off"];
        assert_eq!(get_close_matches("jsn", outputs, 3, 0.8), ["json"]);
        assert_eq!(get_close_matches("tabel", outputs, 3, 0.8), ["table"]);
        assert!(get_close_matches("xml", outputs, 3, 0.8).is_empty());
    }

    #[test]
    fn ratio_follows_the_matching_blocks() {
        // difflib.SequenceMatcher(None, 'abcxyzab', 'xyzabcab').ratio() == 0.625
        let a: Vec<char> = "abcxyzab".chars().collect();
        let b: Vec<char> = "xyzabcab".chars().collect();
        assert!((Matcher::new(&a, &b).ratio() - 0.625).abs() < 1e-12);
        let a: Vec<char> = "list-accounts".chars().collect();
        let b: Vec<char> = "list-account-roles".chars().collect();
        assert!((Matcher::new(&a, &b).ratio() - 0.838_709_677_419_354_9).abs() < 1e-12);
    }
}
