//! String similarity on ASCII byte strings (and, for Levenshtein, any slices): Jaro-Winkler and normalised Levenshtein.
//!
//! Every name reaches this module already transliterated to lowercase ASCII, so the
//! measures work on bytes (one byte is one letter) without allocating on the common path.
//! Both functions are symmetric and return a value in `[0, 1]`; equal inputs give `1.0`.

/// Jaro-Winkler similarity with the usual prefix scale 0.1, a common prefix of at most 4
/// and the boost threshold 0.7.
pub fn jaro_winkler(a: &[u8], b: &[u8]) -> f64 {
    let jaro = jaro(a, b);
    // Winkler's boost threshold: the prefix bonus only lifts strings already similar.
    if jaro <= 0.7 {
        return jaro;
    }
    let prefix = a
        .iter()
        .zip(b.iter())
        .take(4)
        .take_while(|(x, y)| x == y)
        .count();
    // usize -> f64 is exact for these small lengths.
    jaro + (prefix as f64) * 0.1 * (1.0 - jaro)
}

/// Jaro similarity.
fn jaro(a: &[u8], b: &[u8]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    if a == b {
        return 1.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    // Names are short; fall back to heap only for unusually long tokens.
    let mut a_flags_small = [false; 64];
    let mut b_flags_small = [false; 64];
    let mut a_flags_vec;
    let mut b_flags_vec;
    let (a_flags, b_flags): (&mut [bool], &mut [bool]) = if a.len() <= 64 && b.len() <= 64 {
        (&mut a_flags_small[..a.len()], &mut b_flags_small[..b.len()])
    } else {
        a_flags_vec = vec![false; a.len()];
        b_flags_vec = vec![false; b.len()];
        (&mut a_flags_vec[..], &mut b_flags_vec[..])
    };
    let mut matches = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        let start = i.saturating_sub(window);
        let end = (i + window + 1).min(b.len());
        for j in start..end {
            if let (Some(flag), Some(&cb)) = (b_flags.get_mut(j), b.get(j))
                && !*flag
                && cb == ca
            {
                *flag = true;
                if let Some(af) = a_flags.get_mut(i) {
                    *af = true;
                }
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut k = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        if a_flags.get(i).copied().unwrap_or(false) {
            while k < b.len() && !b_flags.get(k).copied().unwrap_or(false) {
                k += 1;
            }
            if b.get(k).is_some_and(|&cb| cb != ca) {
                transpositions += 1;
            }
            k += 1;
        }
    }
    let m = matches as f64;
    let t = (transpositions / 2) as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (m - t) / m) / 3.0
}

/// Levenshtein distance (insertions, deletions, substitutions of one byte each cost 1).
pub fn levenshtein<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    if a.is_empty() {
        return b.len();
    }
    if b.is_empty() {
        return a.len();
    }
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = i;
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let above = row.get(j + 1).copied().unwrap_or(0);
            let left = row.get(j).copied().unwrap_or(0);
            let substitute = diagonal + usize::from(ca != cb);
            let value = substitute.min(above + 1).min(left + 1);
            diagonal = above;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = value;
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

/// `1 - distance / longer length`: 1.0 for equal strings, 0.0 for nothing in common.
pub fn levenshtein_ratio<T: PartialEq>(a: &[T], b: &[T]) -> f64 {
    let longest = a.len().max(b.len());
    if longest == 0 {
        return 1.0;
    }
    1.0 - levenshtein(a, b) as f64 / longest as f64
}

/// The bag distance: the larger of the number of letters `a` has beyond `b` and `b` has
/// beyond `a`, counted with multiplicity. A lower bound on the Levenshtein and optimal
/// string alignment distances (a swap changes no counts).
pub fn bag_distance(a: &[u8], b: &[u8]) -> usize {
    // Tokens are ASCII; a byte outside it only shares a counter with another, which keeps
    // the result a lower bound.
    let mut counts = [0i32; 128];
    for &c in a {
        if let Some(n) = counts.get_mut(usize::from(c & 0x7f)) {
            *n += 1;
        }
    }
    for &c in b {
        if let Some(n) = counts.get_mut(usize::from(c & 0x7f)) {
            *n -= 1;
        }
    }
    // Visit only the letters present, clearing each so it is counted once.
    let (mut surplus, mut deficit) = (0usize, 0usize);
    for &c in a.iter().chain(b) {
        if let Some(n) = counts.get_mut(usize::from(c & 0x7f)) {
            if *n > 0 {
                surplus += n.unsigned_abs() as usize;
            } else {
                deficit += n.unsigned_abs() as usize;
            }
            *n = 0;
        }
    }
    surplus.max(deficit)
}

/// Optimal string alignment distance: Levenshtein plus the swap of two neighbouring bytes
/// as one edit (each substring edited at most once).
pub fn osa_distance(a: &[u8], b: &[u8]) -> usize {
    let width = b.len() + 1;
    // Three rows: two back (for swaps), one back, current. Names are short: the rows live
    // on the stack unless a token is unusually long.
    let (mut small_before, mut small_previous, mut small_current) =
        ([0usize; 64], [0usize; 64], [0usize; 64]);
    let (mut big_before, mut big_previous, mut big_current);
    let (mut before, mut previous, mut current): (&mut [usize], &mut [usize], &mut [usize]) =
        if width <= 64 {
            (
                &mut small_before[..width],
                &mut small_previous[..width],
                &mut small_current[..width],
            )
        } else {
            big_before = vec![0; width];
            big_previous = vec![0; width];
            big_current = vec![0; width];
            (
                &mut big_before[..],
                &mut big_previous[..],
                &mut big_current[..],
            )
        };
    for (j, cell) in previous.iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        if let Some(first) = current.first_mut() {
            *first = i;
        }
        for j in 1..width {
            let ca = a.get(i - 1);
            let cb = b.get(j - 1);
            let cost = usize::from(ca != cb);
            let deletion = previous.get(j).copied().unwrap_or(0) + 1;
            let insertion = current.get(j - 1).copied().unwrap_or(0) + 1;
            let substitution = previous.get(j - 1).copied().unwrap_or(0) + cost;
            let mut value = deletion.min(insertion).min(substitution);
            if i > 1 && j > 1 && ca == b.get(j - 2) && a.get(i - 2) == cb && ca != cb {
                value = value.min(before.get(j - 2).copied().unwrap_or(0) + 1);
            }
            if let Some(cell) = current.get_mut(j) {
                *cell = value;
            }
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous.last().copied().unwrap_or(0)
}

/// `1 - osa_distance / longer length`.
pub fn edit_ratio(a: &[u8], b: &[u8]) -> f64 {
    let longest = a.len().max(b.len());
    if longest == 0 {
        return 1.0;
    }
    1.0 - osa_distance(a, b) as f64 / longest as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        assert!((jaro_winkler(b"martha", b"marhta") - 0.9611).abs() < 1e-3);
        assert!((jaro_winkler(b"dixon", b"dicksonx") - 0.8133).abs() < 1e-3);
        assert_eq!(levenshtein(b"kitten", b"sitting"), 3);
        assert_eq!(jaro_winkler(b"", b""), 1.0);
        assert_eq!(jaro_winkler(b"abc", b""), 0.0);
    }

    proptest! {
        #[test]
        fn agrees_with_strsim(a in "[a-e]{0,12}", b in "[a-e]{0,12}") {
            let ours = jaro_winkler(a.as_bytes(), b.as_bytes());
            let theirs = strsim::jaro_winkler(&a, &b);
            prop_assert!((ours - theirs).abs() < 1e-9, "{a} {b}: {ours} vs {theirs}");
            prop_assert_eq!(levenshtein(a.as_bytes(), b.as_bytes()), strsim::levenshtein(&a, &b));
            prop_assert_eq!(osa_distance(a.as_bytes(), b.as_bytes()), strsim::osa_distance(&a, &b));
            prop_assert!(bag_distance(a.as_bytes(), b.as_bytes()) <= osa_distance(a.as_bytes(), b.as_bytes()));
        }

        #[test]
        fn symmetric_and_bounded(a in "[a-z]{0,80}", b in "[a-z]{0,80}") {
            let ab = jaro_winkler(a.as_bytes(), b.as_bytes());
            let ba = jaro_winkler(b.as_bytes(), a.as_bytes());
            prop_assert!((0.0..=1.0).contains(&ab));
            prop_assert!((ab - ba).abs() < 1e-12);
            let r = levenshtein_ratio(a.as_bytes(), b.as_bytes());
            prop_assert!((0.0..=1.0).contains(&r));
        }
    }
}
