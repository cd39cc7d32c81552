//! Comparing two normalised names: token against token, then the name as a whole.
//!
//! Each pair of tokens gets a similarity and the reason for it ([`TokenMatchKind`]); pairs
//! are taken greedily from the most similar down (word order plays no part), and the name
//! score weighs how much of each side was matched. Two more views can raise the score: the
//! names joined without spaces (`Bin Laden` / `Binladen`), and, when both are written in
//! Han characters, the characters themselves.
//!
//! Invariants: every score is in `[0, 1]`; [`compare_names`] is deterministic (ties break on
//! token position), and [`score_pair`] is symmetric because it orders its two inputs first.

use crate::candidate::Schema;
use crate::normalize::{NormalizedName, Token, TokenKind, normalize};
use crate::similarity::{edit_ratio, jaro_winkler, levenshtein_ratio};

/// Token pairs less similar than this are not matched at all.
pub const TOKEN_FLOOR: f64 = 0.80;

/// How much of the better-covered side counts in a name score (the rest is the other side):
/// a name that is fully contained in the other (`Vladimir Putin` in `Vladimir Vladimirovich
/// Putin`) scores high, but extra unmatched words still cost something.
const COVERAGE_BALANCE: f64 = 0.65;

/// Why two tokens were matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenMatchKind {
    /// Same spelling after normalisation.
    Exact,
    /// Same canonical spelling: a known transliteration variant (`Iurii` / `Yuriy`).
    Transliteration,
    /// Same consonants, one side written in an abjad script (`محمد` / `Mohammed`).
    Consonants,
    /// An initial against a word that starts with it.
    Initial,
    /// Similar spelling (Jaro-Winkler), a typo or a variant.
    Fuzzy,
}

/// Similarity of two tokens and why, or `None` when they do not match.
pub fn token_similarity(a: &Token, b: &Token) -> Option<(f64, TokenMatchKind)> {
    if a.kind == TokenKind::Number || b.kind == TokenKind::Number {
        return (a.text == b.text).then_some((1.0, TokenMatchKind::Exact));
    }
    if a.text == b.text {
        return Some((1.0, TokenMatchKind::Exact));
    }
    if a.kind == TokenKind::Initial || b.kind == TokenKind::Initial {
        let first = |t: &Token| t.text.as_bytes().first().copied();
        return (first(a) == first(b)).then_some((0.9, TokenMatchKind::Initial));
    }
    if a.abjad != b.abjad {
        // One side kept few vowels: compare consonants, and trust it a little less.
        let (sa, sb) = (a.skeleton(), b.skeleton());
        let (sa, sb) = (sa.as_bytes(), sb.as_bytes());
        if sa.is_empty() || sb.is_empty() {
            return None;
        }
        if sa == sb {
            return Some((0.95, TokenMatchKind::Consonants));
        }
        if sa.len().min(sb.len()) < 3 {
            return None;
        }
        let sim = 0.95 * jaro_winkler(sa, sb);
        return (sim >= TOKEN_FLOOR).then_some((sim, TokenMatchKind::Consonants));
    }
    if a.canon == b.canon {
        return Some((0.97, TokenMatchKind::Transliteration));
    }
    // The canonical spellings first; the spellings as written only when those are not
    // already close (a merge in the canonical form can hide a typo's neighbourhood).
    let mut sim = spelling_similarity(a.canon.as_bytes(), b.canon.as_bytes());
    if sim < 0.95 && (a.canon != a.text || b.canon != b.text) {
        sim = sim.max(spelling_similarity(a.text.as_bytes(), b.text.as_bytes()));
    }
    if sim < TOKEN_FLOOR {
        return None;
    }
    // Very short words are similar by accident (`li` / `lu`): only spelling variants count.
    if a.text.len().min(b.text.len()) <= 3 {
        sim = sim.min(levenshtein_ratio(a.canon.as_bytes(), b.canon.as_bytes()).max(0.0) + 0.1);
    }
    if is_gender_variant(&a.text, &b.text) {
        // `Petrov` and `Petrova` are usually two people: not a match.
        return None;
    }
    (sim >= TOKEN_FLOOR).then_some((sim, TokenMatchKind::Fuzzy))
}

/// The mean of Jaro-Winkler and the normalised edit similarity (optimal string alignment:
/// a swap of two neighbouring letters is one typo). Jaro-Winkler alone forgives too much
/// after a long common prefix (`Keqiang` / `Qiang` would pass as a typo); the edit ratio
/// counts every edit.
fn spelling_similarity(a: &[u8], b: &[u8]) -> f64 {
    // The edit ratio is at most shorter/longer; below 0.6 the mean cannot reach the floor
    // (0.80), so the costlier measures are skipped.
    let (short, long) = (a.len().min(b.len()), a.len().max(b.len()));
    if (short as f64) < 0.6 * long as f64 {
        return 0.0;
    }
    // The bag distance (letters one word has and the other lacks) is a lower bound on the
    // edit distance, and much cheaper: most token pairs in a name are far apart.
    if crate::similarity::bag_distance(a, b) as f64 > 0.4 * long as f64 {
        return 0.0;
    }
    let edit = edit_ratio(a, b);
    if edit < 0.6 {
        return 0.0;
    }
    0.5 * (jaro_winkler(a, b) + edit)
}

/// Masculine and feminine forms of one name, which usually belong to two people: Slavic
/// surnames that add an `a` (`Ivanov` / `Ivanova`) or turn `-sky` into `-skaya`, and given
/// names that differ only in a final vowel where one ends in `a` (`Ivan` / `Ivana`,
/// `Maria` / `Mario`, `Karim` / `Karima`).
fn is_gender_variant(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() < b.len() { (a, b) } else { (b, a) };
    let masculine = ["ov", "ev", "in", "yn"];
    if long.len() == short.len() + 1
        && long.starts_with(short)
        && long.ends_with('a')
        && masculine.iter().any(|s| short.ends_with(s))
    {
        return true;
    }
    if (short.ends_with("sky") || short.ends_with("skiy") || short.ends_with("skii"))
        && long.ends_with("skaya")
    {
        return true;
    }
    // Ukrainian and Belarusian spellings of one surname (`Lukashenko` / `Lukashenka`).
    if short.ends_with("enko") || short.ends_with("enka") {
        return false;
    }
    let vowels: &[char] = &['a', 'e', 'i', 'o', 'u', 'y'];
    let (stem_a, stem_b) = (a.trim_end_matches(vowels), b.trim_end_matches(vowels));
    stem_a.len() >= 3 && stem_a == stem_b && a != b && (a.ends_with('a') != b.ends_with('a'))
}

/// One matched pair of tokens, for the explanation.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TokenPair {
    /// The token of the first (query) name.
    pub query: String,
    /// The token of the second (candidate) name.
    pub candidate: String,
    /// Why they matched.
    pub how: TokenMatchKind,
    /// Their similarity in `[0, 1]`.
    pub similarity: f64,
}

/// Which view of the names produced the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NameMethod {
    /// Token against token, in any order.
    Tokens,
    /// The names joined without spaces (split or merged words).
    Joined,
    /// Both names in Han characters, compared character by character.
    OriginalScript,
}

/// The comparison of two names, with what produced its score.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NameMatch {
    /// The name score in `[0, 1]`.
    pub score: f64,
    /// The view that gave the score.
    pub method: NameMethod,
    /// Matched token pairs, in query order.
    pub pairs: Vec<TokenPair>,
    /// Query tokens left unmatched.
    pub unmatched_query: Vec<String>,
    /// Candidate tokens left unmatched.
    pub unmatched_candidate: Vec<String>,
    /// Legal forms set aside on either side (`ooo`, `llc`…).
    pub legal_forms_ignored: Vec<String>,
}

/// Matched token pairs: (query position, candidate position, similarity, why).
pub type Alignment = Vec<(usize, usize, f64, TokenMatchKind)>;

/// Compares two token lists. `a` plays the query, `b` the candidate.
pub fn compare_tokens(a: &[&Token], b: &[&Token]) -> (f64, Alignment) {
    compare_tokens_with(a, b, &mut |i, j| match (a.get(i), b.get(j)) {
        (Some(ta), Some(tb)) => token_similarity(ta, tb),
        _ => None,
    })
}

/// [`compare_tokens`] with the token similarity supplied by the caller, which must return
/// what [`token_similarity`] returns for tokens `a[i]` and `b[j]` (the index passes a cached
/// copy).
pub fn compare_tokens_with(
    a: &[&Token],
    b: &[&Token],
    similarity: &mut dyn FnMut(usize, usize) -> Option<(f64, TokenMatchKind)>,
) -> (f64, Alignment) {
    let mut scored: Alignment = Vec::with_capacity(a.len() * b.len());
    for i in 0..a.len() {
        for j in 0..b.len() {
            if let Some((sim, how)) = similarity(i, j) {
                scored.push((i, j, sim, how));
            }
        }
    }
    // Highest similarity first; ties by position, so the result never depends on anything
    // but the inputs.
    scored.sort_by(|x, y| y.2.total_cmp(&x.2).then(x.0.cmp(&y.0)).then(x.1.cmp(&y.1)));
    let mut used_a = vec![false; a.len()];
    let mut used_b = vec![false; b.len()];
    let mut pairs = Vec::new();
    let mut matched = 0.0;
    for (i, j, sim, how) in scored {
        if used_a.get(i).copied().unwrap_or(true) || used_b.get(j).copied().unwrap_or(true) {
            continue;
        }
        if let (Some(ua), Some(ub)) = (used_a.get_mut(i), used_b.get_mut(j)) {
            *ua = true;
            *ub = true;
        }
        let weight = match (a.get(i), b.get(j)) {
            (Some(ta), Some(tb)) => ta.kind.weight().min(tb.kind.weight()),
            _ => 0.0,
        };
        matched += sim * weight;
        pairs.push((i, j, sim, how));
    }
    let total_a: f64 = a.iter().map(|t| t.kind.weight()).sum();
    let total_b: f64 = b.iter().map(|t| t.kind.weight()).sum();
    if total_a <= 0.0 || total_b <= 0.0 {
        return (0.0, pairs);
    }
    let cover_a = (matched / total_a).min(1.0);
    let cover_b = (matched / total_b).min(1.0);
    let score =
        COVERAGE_BALANCE * cover_a.max(cover_b) + (1.0 - COVERAGE_BALANCE) * cover_a.min(cover_b);
    pairs.sort_by_key(|p| (p.0, p.1));
    (score.clamp(0.0, 1.0), pairs)
}

fn joined(tokens: &[&Token]) -> String {
    tokens.iter().map(|t| &*t.canon).collect()
}

/// Compares two normalised names. `query` plays the query, `candidate` the candidate.
pub fn compare_names(query: &NormalizedName, candidate: &NormalizedName) -> NameMatch {
    let a: Vec<&Token> = query.tokens.iter().collect();
    let b: Vec<&Token> = candidate.tokens.iter().collect();
    let mut result = compare_token_refs(&a, &b);
    if let (Some(ha), Some(hb)) = (&query.han, &candidate.han) {
        let ca: Vec<char> = ha.chars().collect();
        let cb: Vec<char> = hb.chars().collect();
        // Pinyin merges homophones: two Han names are judged on their characters.
        result.score = crate::similarity::levenshtein_ratio(&ca, &cb);
        result.method = NameMethod::OriginalScript;
    }
    result.legal_forms_ignored = query
        .legal_forms
        .iter()
        .chain(candidate.legal_forms.iter())
        .map(|f| f.found.clone())
        .collect();
    result
}

/// Compares token lists and builds the explanation; used by the index on interned tokens.
pub fn compare_token_refs(a: &[&Token], b: &[&Token]) -> NameMatch {
    let (score, method, pairs) = score_tokens(a, b, &mut |i, j| match (a.get(i), b.get(j)) {
        (Some(ta), Some(tb)) => token_similarity(ta, tb),
        _ => None,
    });
    explain_alignment(a, b, score, method, pairs)
}

/// The name score of two token lists and the view that gave it, without building an
/// explanation: the token alignment, raised by the joined view where it applies.
pub fn score_tokens(
    a: &[&Token],
    b: &[&Token],
    similarity: &mut dyn FnMut(usize, usize) -> Option<(f64, TokenMatchKind)>,
) -> (f64, NameMethod, Alignment) {
    let (token_score, pairs) = compare_tokens_with(a, b, similarity);
    let mut method = NameMethod::Tokens;
    let mut score = token_score;
    // The joined view is for words split or merged differently (`Bin Laden` / `Binladen`):
    // only when the word counts differ, and never when numbers are involved (`Ocean Star 7`
    // and `Ocean Star 9` are two ships).
    let has_number = |tokens: &[&Token]| tokens.iter().any(|t| t.kind == TokenKind::Number);
    if token_score < 1.0
        && !a.is_empty()
        && !b.is_empty()
        && a.len() != b.len()
        && !has_number(a)
        && !has_number(b)
    {
        let (ja, jb) = (joined(a), joined(b));
        // The edit ratio is at most shorter/longer: skip what cannot reach 0.9.
        let (short, long) = (ja.len().min(jb.len()), ja.len().max(jb.len()));
        if short >= 6 && short as f64 >= 0.9 * long as f64 {
            let joined_score = levenshtein_ratio(ja.as_bytes(), jb.as_bytes());
            if joined_score >= 0.9 && joined_score > token_score {
                score = joined_score;
                method = NameMethod::Joined;
            }
        }
    }
    (score.clamp(0.0, 1.0), method, pairs)
}

fn explain_alignment(
    a: &[&Token],
    b: &[&Token],
    score: f64,
    method: NameMethod,
    pairs: Alignment,
) -> NameMatch {
    let mut used_a = vec![false; a.len()];
    let mut used_b = vec![false; b.len()];
    let mut explained = Vec::with_capacity(pairs.len());
    for (i, j, similarity, how) in pairs {
        if let (Some(ta), Some(tb)) = (a.get(i), b.get(j)) {
            explained.push(TokenPair {
                query: ta.text.to_string(),
                candidate: tb.text.to_string(),
                how,
                similarity,
            });
        }
        if let Some(u) = used_a.get_mut(i) {
            *u = true;
        }
        if let Some(u) = used_b.get_mut(j) {
            *u = true;
        }
    }
    let unmatched = |tokens: &[&Token], used: &[bool]| -> Vec<String> {
        tokens
            .iter()
            .zip(used)
            .filter(|(_, u)| !**u)
            .map(|(t, _)| t.text.to_string())
            .collect()
    };
    NameMatch {
        score: score.clamp(0.0, 1.0),
        method,
        pairs: explained,
        unmatched_query: unmatched(a, &used_a),
        unmatched_candidate: unmatched(b, &used_b),
        legal_forms_ignored: Vec::new(),
    }
}

/// The fixed order that makes pair scoring symmetric: by token texts, then Han text.
fn reads_first(n1: &NormalizedName, n2: &NormalizedName) -> bool {
    let texts1 = n1.tokens.iter().map(|t| t.text.as_str());
    let texts2 = n2.tokens.iter().map(|t| t.text.as_str());
    texts1.cmp(texts2).then_with(|| n1.han.cmp(&n2.han)).is_le()
}

/// The score of [`score_pair`] alone, without building the explanation (for scoring many
/// pairs). Always equal to `score_pair(name1, name2, schema).score`.
pub fn score_pair_value(name1: &str, name2: &str, schema: Option<Schema>) -> f64 {
    let n1 = normalize(name1, schema);
    let n2 = normalize(name2, schema);
    let (query, candidate) = if reads_first(&n1, &n2) {
        (&n1, &n2)
    } else {
        (&n2, &n1)
    };
    if let (Some(ha), Some(hb)) = (&query.han, &candidate.han) {
        let ca: Vec<char> = ha.chars().collect();
        let cb: Vec<char> = hb.chars().collect();
        return levenshtein_ratio(&ca, &cb);
    }
    let a: Vec<&Token> = query.tokens.iter().collect();
    let b: Vec<&Token> = candidate.tokens.iter().collect();
    score_tokens(&a, &b, &mut |i, j| match (a.get(i), b.get(j)) {
        (Some(ta), Some(tb)) => token_similarity(ta, tb),
        _ => None,
    })
    .0
}

/// Scores two names written by people, as `accord screen score` does: normalises both under
/// `schema`, compares them, and returns the comparison. Symmetric: the two names are put in
/// a fixed order first, so `score_pair(a, b)` and `score_pair(b, a)` give the same score.
pub fn score_pair(name1: &str, name2: &str, schema: Option<Schema>) -> NameMatch {
    let n1 = normalize(name1, schema);
    let n2 = normalize(name2, schema);
    if reads_first(&n1, &n2) {
        compare_names(&n1, &n2)
    } else {
        compare_names(&n2, &n1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(a: &str, b: &str, schema: Option<Schema>) -> f64 {
        score_pair(a, b, schema).score
    }

    #[test]
    fn same_person_across_scripts() {
        let p = Some(Schema::Person);
        assert!(score("Vladimir Putin", "Владимир Путин", p) > 0.95);
        assert!(score("Xi Jinping", "习近平", p) > 0.95);
        assert!(score("Mohammed bin Salman", "محمد بن سلمان", p) > 0.85);
        assert!(score("Yuriy Kovalchuk", "Iurii Koval'chuk", p) > 0.9);
    }

    #[test]
    fn word_order_does_not_matter() {
        assert_eq!(score("Putin Vladimir", "Vladimir Putin", None), 1.0);
    }

    #[test]
    fn legal_forms_are_ignored() {
        let c = Some(Schema::Company);
        assert_eq!(score("Gazprom Neft PJSC", "ПАО Газпром нефть", c), 1.0);
        assert_eq!(score("Acme Trading LLC", "Acme Trading GmbH", c), 1.0);
        let explained = score_pair("Acme Trading LLC", "Acme Trading GmbH", c);
        assert_eq!(explained.legal_forms_ignored, ["llc", "gmbh"]);
    }

    #[test]
    fn typos_and_initials_are_tolerated() {
        let p = Some(Schema::Person);
        assert!(score("Vladimir Putin", "Vladimr Puttin", p) > 0.85);
        assert!(score("V. Putin", "Vladimir Putin", p) > 0.8);
        let explained = score_pair("V. Putin", "Vladimir Putin", p);
        assert!(
            explained
                .pairs
                .iter()
                .any(|pair| pair.how == TokenMatchKind::Initial)
        );
    }

    #[test]
    fn different_people_score_low() {
        let p = Some(Schema::Person);
        assert!(score("John Smith", "Jane Smith", p) < 0.7);
        assert!(score("Ivan Petrov", "Ivan Petrova", p) < 0.95);
        assert!(score("Xi Jinping", "Li Keqiang", p) < 0.3);
    }

    #[test]
    fn han_names_are_compared_in_their_script() {
        // Same pinyin (`zhang wei`), different characters.
        let m = score_pair("张伟", "章玮", Some(Schema::Person));
        assert_eq!(m.method, NameMethod::OriginalScript);
        assert!(m.score < 0.5);
    }

    #[test]
    fn split_words_meet_through_the_joined_view() {
        let m = score_pair("Osama Bin Laden", "Usama Binladen", Some(Schema::Person));
        assert!(m.score > 0.85, "{m:?}");
    }
}
