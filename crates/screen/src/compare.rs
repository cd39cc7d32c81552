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
use crate::normalize::{
    NormalizedName, Script, Token, TokenKind, canonical_spelling, korean_key, normalize,
};
use crate::similarity::{jaro_winkler, levenshtein_ratio};

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

/// The most a token pair resting on weak evidence may score: a word of two consonants or
/// fewer written in Arabic script (`علي`, `عمر`), or two scripts that are not transliterated
/// into each other. Just below the default threshold, so that a name made only of such
/// pairs needs something more — another word, a date of birth, a country — to be reported.
pub const WEAK_EVIDENCE: f64 = 0.84;

/// Scores are rounded to this many decimal places, so that the same evidence gives the same
/// number however it was added up (`0.95 - 0.05` is `0.9`, not `0.8999999999999999`).
pub const SCORE_DECIMALS: i32 = 4;

/// A score rounded to [`SCORE_DECIMALS`] places.
pub fn tidy(score: f64) -> f64 {
    let scale = 10f64.powi(SCORE_DECIMALS);
    (score * scale).round() / scale
}

/// Similarity of two tokens and why, or `None` when they do not match.
pub fn token_similarity(a: &Token, b: &Token) -> Option<(f64, TokenMatchKind)> {
    let (sim, how) = raw_similarity(a, b)?;
    // Two scripts that are not transliterated into each other meet only through two lossy
    // transliterations: the pair needs more evidence than its spelling.
    let sim = if a.script.transliterates_into(b.script) {
        sim
    } else {
        sim.min(WEAK_EVIDENCE)
    };
    Some((tidy(sim), how))
}

fn raw_similarity(a: &Token, b: &Token) -> Option<(f64, TokenMatchKind)> {
    if a.kind == TokenKind::Number || b.kind == TokenKind::Number {
        return (a.text == b.text).then_some((1.0, TokenMatchKind::Exact));
    }
    if a.text == b.text {
        return Some((1.0, TokenMatchKind::Exact));
    }
    let syllabic = |t: &Token| matches!(t.script, Script::Han | Script::Hangul);
    if a.kind == TokenKind::Initial || b.kind == TokenKind::Initial {
        // An initial stands for a word spelled in the same letters, not for a word
        // transliterated from characters or from a script without vowels.
        if syllabic(a) || syllabic(b) || a.abjad != b.abjad {
            return None;
        }
        let first = |t: &Token| t.text.as_bytes().first().copied();
        return (first(a) == first(b)).then_some((0.9, TokenMatchKind::Initial));
    }
    if a.script == Script::Hangul || b.script == Script::Hangul {
        return hangul_similarity(a, b);
    }
    if a.script == Script::Han || b.script == Script::Han {
        // Pinyin syllables are a closed set: a letter apart is another syllable, not a typo.
        return None;
    }
    if a.abjad != b.abjad {
        return abjad_similarity(a, b);
    }
    if a.abjad && b.abjad {
        return abjad_pair_similarity(a, b);
    }
    if a.canon == b.canon {
        return Some((0.97, TokenMatchKind::Transliteration));
    }
    latin_similarity(a, b).or_else(|| article_joined(a, b))
}

/// A word from Hangul against another: the same Korean name in any romanisation, and
/// nothing else. Korean given names are made of a small set of syllables, so a one-letter
/// difference (`Byong Chol` / `Yong Chol`) is usually another name, not a typo.
fn hangul_similarity(a: &Token, b: &Token) -> Option<(f64, TokenMatchKind)> {
    if a.script == Script::Hangul && b.script == Script::Hangul {
        return None;
    }
    (korean_key(&a.text) == korean_key(&b.text)).then_some((0.95, TokenMatchKind::Transliteration))
}

/// A word in Arabic (or Hebrew) script against a Latin one: letter by letter against the
/// word as written when it is Arabic script ([`crate::abjad`]), by consonant skeleton
/// otherwise. A word of two consonants or fewer says little on its own: at most
/// [`WEAK_EVIDENCE`].
fn abjad_similarity(a: &Token, b: &Token) -> Option<(f64, TokenMatchKind)> {
    let (written, latin) = if a.abjad { (a, b) } else { (b, a) };
    if let Some(original) = written.original.as_deref()
        && let Some(consonants) = crate::abjad::consonant_count(original)
    {
        let sim: f64 = match crate::abjad::edits(original, &latin.text)? {
            // Every consonant and long vowel accounted for; short vowels guessed.
            0 => 0.95,
            // One letter off: a typo in a long enough word, another name in a short one.
            _ if latin.text.len() >= 6 => 0.87,
            _ => return None,
        };
        let sim = if consonants <= 2 {
            sim.min(WEAK_EVIDENCE)
        } else {
            sim
        };
        return Some((sim, TokenMatchKind::Consonants));
    }
    // One side kept few vowels: compare consonants, and trust it a little less.
    let (sa, sb) = (a.skeleton(), b.skeleton());
    let (sa, sb) = (sa.as_bytes(), sb.as_bytes());
    if sa.is_empty() || sb.is_empty() {
        return None;
    }
    if sa == sb {
        let sim = if sa.len() <= 2 { WEAK_EVIDENCE } else { 0.95 };
        return Some((sim, TokenMatchKind::Consonants));
    }
    if sa.len().min(sb.len()) < 3 {
        return None;
    }
    let sim = 0.95 * jaro_winkler(sa, sb);
    (sim >= TOKEN_FLOOR).then_some((sim, TokenMatchKind::Consonants))
}

/// Two words both written in Arabic (or Hebrew) script: letter by letter as written. A
/// letter apart in a short word is another name (`نبيل` / `نايل`); longer words may carry
/// a typo.
fn abjad_pair_similarity(a: &Token, b: &Token) -> Option<(f64, TokenMatchKind)> {
    let (Some(x), Some(y)) = (a.original.as_deref(), b.original.as_deref()) else {
        return None;
    };
    let x: Vec<char> = x.chars().collect();
    let y: Vec<char> = y.chars().collect();
    if x.len().min(y.len()) < 5 {
        return None;
    }
    let sim = levenshtein_ratio(&x, &y);
    (sim >= TOKEN_FLOOR).then_some((sim, TokenMatchKind::Fuzzy))
}

/// Two words of the same kind of script by spelling: the canonical spellings first, the
/// spellings as written when those are not already close.
fn latin_similarity(a: &Token, b: &Token) -> Option<(f64, TokenMatchKind)> {
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
        let ratio = levenshtein_ratio(a.canon.as_bytes(), b.canon.as_bytes())
            .max(levenshtein_ratio(a.text.as_bytes(), b.text.as_bytes()));
        sim = sim.min(ratio + 0.1);
    }
    if is_gender_variant(&a.text, &b.text) || is_nisba_variant(&a.text, &b.text) {
        // `Petrov` and `Petrova`, `Abbas` and `Abbasi` are usually two people: not a match.
        return None;
    }
    (sim >= TOKEN_FLOOR).then_some((sim, TokenMatchKind::Fuzzy))
}

/// The Arabic article written joined to a word on one side only (`Alghamdi` / `Ghamdi`):
/// the word without it, trusted a little less.
fn article_joined(a: &Token, b: &Token) -> Option<(f64, TokenMatchKind)> {
    let strip = |t: &Token| {
        ["al", "el"]
            .iter()
            .find_map(|p| t.text.strip_prefix(p))
            .filter(|rest| rest.len() >= 4)
            .map(str::to_owned)
    };
    let (joined, other) = match (strip(a), strip(b)) {
        (Some(rest), None) => (rest, b),
        (None, Some(rest)) => (rest, a),
        _ => return None,
    };
    let bare = Token {
        canon: canonical_spelling(&joined),
        text: joined,
        ..other.clone()
    };
    let (sim, how) = if bare.text == other.text {
        (1.0, TokenMatchKind::Exact)
    } else if bare.canon == other.canon {
        (0.97, TokenMatchKind::Transliteration)
    } else {
        latin_similarity(&bare, other)?
    };
    Some((0.97 * sim, how))
}

/// The mean of Jaro-Winkler and the normalised edit similarity (optimal string alignment:
/// a swap of two neighbouring letters is one typo). Jaro-Winkler alone forgives too much
/// after a long common prefix (`Keqiang` / `Qiang` would pass as a typo); the edit ratio
/// counts every edit.
fn spelling_similarity(a: &[u8], b: &[u8]) -> f64 {
    let long = a.len().max(b.len());
    let allowed = max_edits(long);
    // Lengths further apart than the edits allowed cannot agree.
    if a.len().abs_diff(b.len()) > allowed {
        return 0.0;
    }
    // The bag distance (letters one word has and the other lacks) is a lower bound on the
    // edit distance, and much cheaper: most token pairs in a name are far apart.
    if crate::similarity::bag_distance(a, b) > allowed {
        return 0.0;
    }
    let distance = crate::similarity::osa_distance(a, b);
    if distance > allowed {
        return 0.0;
    }
    let edit = 1.0 - distance as f64 / long.max(1) as f64;
    0.5 * (jaro_winkler(a, b) + edit)
}

/// How many edits (a letter dropped, added, changed, or two swapped) a spelling may be from
/// another and still be taken for a typo or a variant of it: one in a word of up to nine
/// letters, two up to thirteen, three beyond. Two names two letters apart in a short word
/// (`Voronov` / `Vorobyov`, `Moreau` / `Moreno`) are usually two families.
fn max_edits(length: usize) -> usize {
    match length {
        0..=9 => 1,
        10..=13 => 2,
        _ => 3,
    }
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

/// A name and its nisba, the adjective of belonging made by a final `i` (`Abbas` /
/// `Abbasi`, `Hashem` / `Hashemi`, `Karim` / `Karimi`): in Arabic and Persian names two
/// different names.
fn is_nisba_variant(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() < b.len() { (a, b) } else { (b, a) };
    short.len() >= 4
        && long.len() == short.len() + 1
        && long.starts_with(short)
        && (long.ends_with('i') || long.ends_with('y'))
        && !short.ends_with(['a', 'e', 'i', 'o', 'u', 'y'])
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

/// A run of adjacent tokens: the first position and how many (1, or 2 when two words of
/// one name meet one word of the other: `Yong Chol` / `Yongchol`, `Jian Guo` / `Jianguo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    /// The first token's position.
    pub start: usize,
    /// How many tokens, 1 or 2.
    pub len: usize,
}

impl Span {
    fn one(start: usize) -> Span {
        Span { start, len: 1 }
    }

    fn positions(self) -> std::ops::Range<usize> {
        self.start..self.start + self.len
    }
}

/// One matched pair of token runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Matched {
    /// The query's tokens.
    pub query: Span,
    /// The candidate's tokens.
    pub candidate: Span,
    /// Their similarity.
    pub similarity: f64,
    /// Why they matched.
    pub how: TokenMatchKind,
}

/// The matched pairs of a comparison, in query order.
pub type Alignment = Vec<Matched>;

/// Compares two token lists. `a` plays the query, `b` the candidate.
pub fn compare_tokens(a: &[&Token], b: &[&Token]) -> (f64, Alignment) {
    compare_tokens_with(a, b, &mut |i, j| match (a.get(i), b.get(j)) {
        (Some(ta), Some(tb)) => token_similarity(ta, tb),
        _ => None,
    })
}

/// Two adjacent words joined into one, for comparing with a single word of the other name.
fn joined_pair(first: &Token, second: &Token) -> Token {
    let text = format!("{}{}", first.text, second.text);
    let original = match (&first.original, &second.original) {
        (Some(x), Some(y)) => Some(format!("{x}{y}").into_boxed_str()),
        _ => None,
    };
    Token {
        canon: if first.abjad {
            text.clone()
        } else {
            canonical_spelling(&text)
        },
        text,
        kind: TokenKind::Word,
        abjad: first.abjad,
        script: first.script,
        original,
    }
}

/// Pairs where one word of one name meets two adjacent words of the other joined. Only
/// ordinary words, of lengths that can agree, starting alike unless a script differs.
fn joined_pairs(a: &[&Token], b: &[&Token], out: &mut Alignment) {
    let joinable = |t: &Token| t.kind == TokenKind::Word;
    for (single_side_is_a, singles, pairs) in [(true, a, b), (false, b, a)] {
        for (i, single) in singles.iter().enumerate() {
            if !joinable(single) || single.text.len() < 4 {
                continue;
            }
            for j in 0..pairs.len().saturating_sub(1) {
                let (Some(first), Some(second)) = (pairs.get(j), pairs.get(j + 1)) else {
                    continue;
                };
                if !joinable(first) || !joinable(second) || first.script != second.script {
                    continue;
                }
                // Across scripts (a word without its vowels against Latin) lengths and
                // first letters need not agree.
                let length = first.text.len() + second.text.len();
                let alike = single.script != first.script
                    || (single.text.as_bytes().first() == first.text.as_bytes().first()
                        && single.text.len().abs_diff(length) <= 2.max(length / 4));
                if !alike {
                    continue;
                }
                let joined = joined_pair(first, second);
                let Some((similarity, how)) = token_similarity(single, &joined) else {
                    continue;
                };
                let (single_span, pair_span) = (Span::one(i), Span { start: j, len: 2 });
                let (query, candidate) = if single_side_is_a {
                    (single_span, pair_span)
                } else {
                    (pair_span, single_span)
                };
                out.push(Matched {
                    query,
                    candidate,
                    similarity,
                    how,
                });
            }
        }
    }
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
            if let Some((similarity, how)) = similarity(i, j) {
                scored.push(Matched {
                    query: Span::one(i),
                    candidate: Span::one(j),
                    similarity,
                    how,
                });
            }
        }
    }
    if a.len() != b.len() {
        joined_pairs(a, b, &mut scored);
    }
    // Highest similarity first, single words before joined ones; ties by position, so the
    // result never depends on anything but the inputs.
    scored.sort_by(|x, y| {
        y.similarity
            .total_cmp(&x.similarity)
            .then((x.query.len + x.candidate.len).cmp(&(y.query.len + y.candidate.len)))
            .then(x.query.cmp(&y.query))
            .then(x.candidate.cmp(&y.candidate))
    });
    // Names are short: the flags live on the stack unless a name has over 32 words.
    let (mut small_a, mut small_b) = ([false; 32], [false; 32]);
    let (mut big_a, mut big_b);
    let (used_a, used_b): (&mut [bool], &mut [bool]) = if a.len() <= 32 && b.len() <= 32 {
        (&mut small_a[..a.len()], &mut small_b[..b.len()])
    } else {
        big_a = vec![false; a.len()];
        big_b = vec![false; b.len()];
        (&mut big_a[..], &mut big_b[..])
    };
    let mut pairs = Vec::with_capacity(a.len().min(b.len()));
    let (mut matched_a, mut matched_b) = (0.0, 0.0);
    let weight = |tokens: &[&Token], span: Span| -> f64 {
        span.positions()
            .filter_map(|p| tokens.get(p))
            .map(|t| t.kind.weight())
            .sum()
    };
    for pair in scored {
        let free = |used: &[bool], span: Span| {
            span.positions()
                .all(|p| !used.get(p).copied().unwrap_or(true))
        };
        if !free(used_a, pair.query) || !free(used_b, pair.candidate) {
            continue;
        }
        for p in pair.query.positions() {
            if let Some(u) = used_a.get_mut(p) {
                *u = true;
            }
        }
        for p in pair.candidate.positions() {
            if let Some(u) = used_b.get_mut(p) {
                *u = true;
            }
        }
        let (wa, wb) = (weight(a, pair.query), weight(b, pair.candidate));
        if pair.query.len == 1 && pair.candidate.len == 1 {
            // A particle against a word counts as a particle on both sides.
            matched_a += pair.similarity * wa.min(wb);
            matched_b += pair.similarity * wa.min(wb);
        } else {
            matched_a += pair.similarity * wa;
            matched_b += pair.similarity * wb;
        }
        pairs.push(pair);
    }
    let total_a: f64 = a.iter().map(|t| t.kind.weight()).sum();
    let total_b: f64 = b.iter().map(|t| t.kind.weight()).sum();
    if total_a <= 0.0 || total_b <= 0.0 {
        return (0.0, pairs);
    }
    let cover_a = (matched_a / total_a).min(1.0);
    let cover_b = (matched_b / total_b).min(1.0);
    let score =
        COVERAGE_BALANCE * cover_a.max(cover_b) + (1.0 - COVERAGE_BALANCE) * cover_a.min(cover_b);
    pairs.sort_by_key(|p| (p.query, p.candidate));
    (tidy(score.clamp(0.0, 1.0)), pairs)
}

fn joined(tokens: &[&Token]) -> String {
    tokens.iter().map(|t| &*t.canon).collect()
}

/// The score of two names written in the same syllabic script (Han characters, Hangul),
/// compared character by character, or `None` when they are not both in one such script.
/// Romanisation merges what these scripts keep apart (`张伟` and `章玮` are both `zhang
/// wei`).
pub fn original_script_score(query: &NormalizedName, candidate: &NormalizedName) -> Option<f64> {
    let (a, b) = match (&query.han, &candidate.han, &query.hangul, &candidate.hangul) {
        (Some(a), Some(b), _, _) | (_, _, Some(a), Some(b)) => (a, b),
        _ => return None,
    };
    let ca: Vec<char> = a.chars().collect();
    let cb: Vec<char> = b.chars().collect();
    Some(tidy(levenshtein_ratio(&ca, &cb)))
}

/// Compares two normalised names. `query` plays the query, `candidate` the candidate.
pub fn compare_names(query: &NormalizedName, candidate: &NormalizedName) -> NameMatch {
    let a: Vec<&Token> = query.tokens.iter().collect();
    let b: Vec<&Token> = candidate.tokens.iter().collect();
    let mut result = compare_token_refs(&a, &b);
    if let Some(score) = original_script_score(query, candidate) {
        result.score = score;
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
    // and `Ocean Star 9` are two ships), nor across scripts.
    let has_number = |tokens: &[&Token]| tokens.iter().any(|t| t.kind == TokenKind::Number);
    let one_script = |tokens: &[&Token]| tokens.iter().all(|t| t.script == Script::Latin);
    if token_score < 1.0
        && !a.is_empty()
        && !b.is_empty()
        && a.len() != b.len()
        && !has_number(a)
        && !has_number(b)
        && one_script(a)
        && one_script(b)
    {
        let (ja, jb) = (joined(a), joined(b));
        // The edit ratio is at most shorter/longer: skip what cannot reach 0.9.
        let (short, long) = (ja.len().min(jb.len()), ja.len().max(jb.len()));
        if short >= 6 && short as f64 >= 0.9 * long as f64 {
            let joined_score = tidy(levenshtein_ratio(ja.as_bytes(), jb.as_bytes()));
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
    let text = |tokens: &[&Token], span: Span| -> String {
        span.positions()
            .filter_map(|p| tokens.get(p))
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut explained = Vec::with_capacity(pairs.len());
    for pair in pairs {
        explained.push(TokenPair {
            query: text(a, pair.query),
            candidate: text(b, pair.candidate),
            how: pair.how,
            similarity: pair.similarity,
        });
        for p in pair.query.positions() {
            if let Some(u) = used_a.get_mut(p) {
                *u = true;
            }
        }
        for p in pair.candidate.positions() {
            if let Some(u) = used_b.get_mut(p) {
                *u = true;
            }
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

/// The fixed order that makes pair scoring symmetric: by token texts, then Han and Hangul
/// text.
fn reads_first(n1: &NormalizedName, n2: &NormalizedName) -> bool {
    let texts1 = n1.tokens.iter().map(|t| t.text.as_str());
    let texts2 = n2.tokens.iter().map(|t| t.text.as_str());
    texts1
        .cmp(texts2)
        .then_with(|| n1.han.cmp(&n2.han))
        .then_with(|| n1.hangul.cmp(&n2.hangul))
        .is_le()
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
    if let Some(score) = original_script_score(query, candidate) {
        return score;
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
