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
    // Two words written in Arabic script are compared by their letters: the
    // transliteration drops the ayn and the hamza (`سعد`, Saad, and `أسد`, Asad, are both
    // `sd`), so the same transliteration is not the same word.
    if let (true, true, Some(x), Some(y)) = (a.abjad, b.abjad, &a.original, &b.original) {
        if crate::abjad::folded(x) == crate::abjad::folded(y) {
            return Some((1.0, TokenMatchKind::Exact));
        }
        if a.kind == TokenKind::Initial || b.kind == TokenKind::Initial {
            return None;
        }
        return abjad_pair_similarity(a, b);
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
        // Every consonant and long vowel accounted for (short vowels guessed), or no
        // match: a Latin spelling one letter off an Arabic word is another name as often
        // as a typo (`شريف` / `Shirri`, `قحطاني` / `Ghaani`, `أسد` / `Saddam`), and the
        // lists write every name in Latin letters too, where a typo in a Latin query meets
        // the Latin spelling.
        if crate::abjad::edits(original, &latin.text)? != 0 {
            return None;
        }
        let sim = if consonants <= 2 { WEAK_EVIDENCE } else { 0.95 };
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
    // Final vowels swapped are a typo, not a gender (`Hajinia` / `Hajinai`, `Korea` /
    // `Korae`): the endings must differ in their letters, not only in their order.
    let sorted_tail = |word: &str, stem: &str| {
        let mut tail: Vec<u8> = word.bytes().skip(stem.len()).collect();
        tail.sort_unstable();
        tail
    };
    stem_a.len() >= 3
        && stem_a == stem_b
        && a != b
        && (a.ends_with('a') != b.ends_with('a'))
        && sorted_tail(a, stem_a) != sorted_tail(b, stem_b)
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
    /// When words many listed names share lowered the score: the two scores and those
    /// words (screening against an index only; absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub common_words: Option<CommonWords>,
}

/// How weighing words by their rarity in the lists lowered a name score: the score is
/// `min(by_count, by_rarity)`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CommonWords {
    /// The score by words matched, each word weighing as its kind.
    pub by_count: f64,
    /// The score with each word also weighing by its rarity.
    pub by_rarity: f64,
    /// The words weighing less than their kind, with how many listed names share them.
    pub words: Vec<CommonWord>,
}

/// A word many listed names share, and the factor on its weight.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CommonWord {
    /// The word.
    pub word: String,
    /// How many distinct listed names have it.
    pub listed_names: u32,
    /// The factor on its weight.
    pub weight: f64,
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
    let (coverage, pairs) =
        compare_tokens_with(a, b, None, &mut |i, j| match (a.get(i), b.get(j)) {
            (Some(ta), Some(tb)) => token_similarity(ta, tb),
            _ => None,
        });
    (coverage.score, pairs)
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

/// The spellings `abd` stands for once the servant-of prefix is split off (`Abdul Haq`,
/// `Abdelkader`, `Abdurrahman`): a typo in the prefix (`Abul`, `Adel`, `Abfur`) is one edit
/// from one of them, and two from `abd` itself.
const ABD_SPELLINGS: &[&str] = &["abd", "abdul", "abdel", "abdal", "abdur"];

/// The best similarity of two runs of words, each joined into one word (a run of one is
/// the word itself), `abd` read in each of its spellings.
fn joined_similarity(a: &[&Token], b: &[&Token]) -> Option<(f64, TokenMatchKind)> {
    let spellings = |t: &Token| -> Vec<Token> {
        if t.opens_compound() && t.script == Script::Latin {
            ABD_SPELLINGS
                .iter()
                .map(|s| Token {
                    text: (*s).to_owned(),
                    canon: canonical_spelling(s),
                    ..t.clone()
                })
                .collect()
        } else {
            vec![t.clone()]
        }
    };
    let joined = |run: &[&Token]| -> Vec<Token> {
        let mut out: Vec<Token> = Vec::new();
        for (k, token) in run.iter().enumerate() {
            let own = spellings(token);
            out = if k == 0 {
                own
            } else {
                out.iter()
                    .flat_map(|x| own.iter().map(move |y| joined_pair(x, y)))
                    .collect()
            };
        }
        out
    };
    let (left, right) = (joined(a), joined(b));
    left.iter()
        .flat_map(|l| right.iter().filter_map(move |r| token_similarity(l, r)))
        .max_by(|x, y| x.0.total_cmp(&y.0))
}

/// Pairs where one word of one name meets two adjacent words of the other joined. Only
/// ordinary words, of lengths that can agree, starting alike unless a script differs.
fn joined_pairs(a: &[&Token], b: &[&Token], out: &mut Alignment) {
    let joinable = |t: &Token| t.kind == TokenKind::Word;
    // A single letter may be one of two words joined (`E-Nau` / `Enau`, Korean `U Hae` /
    // `우해`), though not the single word.
    let joinable_in_pair =
        |t: &Token| matches!(t.kind, TokenKind::Word | TokenKind::Initial) || t.opens_compound();
    for (single_side_is_a, singles, pairs) in [(true, a, b), (false, b, a)] {
        for (i, single) in singles.iter().enumerate() {
            if !joinable(single) || single.text.len() < 4 {
                continue;
            }
            for j in 0..pairs.len().saturating_sub(1) {
                let (Some(first), Some(second)) = (pairs.get(j), pairs.get(j + 1)) else {
                    continue;
                };
                if !joinable_in_pair(first)
                    || !joinable_in_pair(second)
                    || first.script != second.script
                {
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
                let joined = if first.opens_compound() || second.opens_compound() {
                    joined_similarity(&[single], &[first, second])
                } else {
                    token_similarity(single, &joined_pair(first, second))
                };
                let Some((similarity, how)) = joined else {
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
/// copy), and the words' rarity when the caller knows it.
pub fn compare_tokens_with(
    a: &[&Token],
    b: &[&Token],
    rarity: Option<Rarity<'_>>,
    similarity: &mut dyn FnMut(usize, usize) -> Option<(f64, TokenMatchKind)>,
) -> (Coverage, Alignment) {
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
    let mut pairs = select_pairs(a.len(), b.len(), scored);
    join_short_typos(a, b, &mut pairs);
    let coverage = coverage(a, b, &pairs, rarity);
    pairs.sort_by_key(|p| (p.query, p.candidate));
    (coverage, pairs)
}

/// A typo in a word of three letters or fewer cannot be told from another word (`Son` /
/// `Spn`, `Sop`), but beside a word that matched it can: when a matched word has an
/// unmatched short neighbour on the same side in both names (`Je Spn` / `Je Son`), the two
/// neighbours are compared joined, as one word of five letters or more, where one edit is
/// a typo. The pair of words then replaces the single pair, with the joined similarity.
fn join_short_typos(a: &[&Token], b: &[&Token], pairs: &mut Alignment) {
    // Particles too: a typo in one (`Bun` for `bin`, `Abul` for `Abdul`, which the
    // servant-of prefix split into `abd`) makes a short word that no longer meets it.
    let latin_word = |t: &Token| {
        matches!(t.kind, TokenKind::Word | TokenKind::Particle)
            && t.script == Script::Latin
            && !t.abjad
    };
    let used = |pairs: &Alignment, query_side: bool, p: usize| {
        pairs.iter().any(|pair| {
            let span = if query_side {
                pair.query
            } else {
                pair.candidate
            };
            span.positions().contains(&p)
        })
    };
    let mut k = 0;
    while let Some(pair) = pairs.get(k).copied() {
        k += 1;
        if pair.query.len != 1 || pair.candidate.len != 1 {
            continue;
        }
        let (i, j) = (pair.query.start, pair.candidate.start);
        // The neighbour after, then the one before, on both sides alike.
        for (ni, nj) in [(i + 1, j + 1), (i.wrapping_sub(1), j.wrapping_sub(1))] {
            let (Some(matched_a), Some(matched_b), Some(short_a), Some(short_b)) =
                (a.get(i), b.get(j), a.get(ni), b.get(nj))
            else {
                continue;
            };
            let all_latin = [matched_a, matched_b, short_a, short_b]
                .iter()
                .all(|t| latin_word(t));
            if !all_latin
                || short_a.text.len().min(short_b.text.len()) > 3
                || (short_a.text != short_b.text
                    && crate::normalize::is_known_particle(&short_a.text)
                    && crate::normalize::is_known_particle(&short_b.text))
                || used(pairs, true, ni)
                || used(pairs, false, nj)
            {
                continue;
            }
            let joined = if ni > i {
                joined_similarity(&[matched_a, short_a], &[matched_b, short_b])
            } else {
                joined_similarity(&[short_a, matched_a], &[short_b, matched_b])
            };
            let Some((similarity, how)) = joined else {
                continue;
            };
            let start = |x: usize, y: usize| x.min(y);
            if let Some(slot) = pairs.get_mut(k - 1) {
                *slot = Matched {
                    query: Span {
                        start: start(i, ni),
                        len: 2,
                    },
                    candidate: Span {
                        start: start(j, nj),
                        len: 2,
                    },
                    similarity: similarity.min(pair.similarity),
                    how,
                };
            }
            break;
        }
    }
}

/// The pairs taken greedily from the most similar down, each word used once.
fn select_pairs(n_a: usize, n_b: usize, mut scored: Alignment) -> Alignment {
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
    let (used_a, used_b): (&mut [bool], &mut [bool]) = if n_a <= 32 && n_b <= 32 {
        (&mut small_a[..n_a], &mut small_b[..n_b])
    } else {
        big_a = vec![false; n_a];
        big_b = vec![false; n_b];
        (&mut big_a[..], &mut big_b[..])
    };
    let mut pairs = Vec::with_capacity(n_a.min(n_b));
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
        pairs.push(pair);
    }
    pairs
}

/// How much a word weighs beyond its kind, and how many listed names share it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WordRarity {
    /// The factor on the word's weight: 1 for a word few listed names share, down to
    /// the index's floor for the commonest.
    pub weight: f64,
    /// How many distinct listed names have the word.
    pub listed_names: u32,
}

impl WordRarity {
    /// A word whose commonness is unknown weighs as its kind.
    pub const UNKNOWN: WordRarity = WordRarity {
        weight: 1.0,
        listed_names: 0,
    };
}

/// The rarity of each word of the two names, position by position (the index knows it;
/// a bare pair of names does not).
#[derive(Debug, Clone, Copy)]
pub struct Rarity<'r> {
    /// The query's words.
    pub query: &'r [WordRarity],
    /// The candidate's words.
    pub candidate: &'r [WordRarity],
}

/// The score of an alignment: by words matched, each word weighing as its kind, and — when
/// the rarity of the words is known — with each word also weighed by its rarity. The score
/// is the lower of the two: a partial match resting on words many listed names share
/// (`Fouad Mohammed Ashour` / `MOHAMMED, Fouad`) is weaker evidence than its word count
/// says, but rarity never raises a score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coverage {
    /// The name score: the lower of the two below.
    pub score: f64,
    /// The score with words weighing as their kind.
    pub by_count: f64,
    /// The score with words also weighing by their rarity, when known.
    pub by_rarity: Option<f64>,
}

fn coverage(a: &[&Token], b: &[&Token], pairs: &Alignment, rarity: Option<Rarity<'_>>) -> Coverage {
    let by_count = coverage_with(a, b, pairs, &|_, _| 1.0);
    let by_rarity = rarity.map(|r| {
        let query = query_rarity(r, pairs);
        coverage_with(a, b, pairs, &|query_side, p| {
            if query_side {
                query.get(p).copied().unwrap_or(1.0)
            } else {
                r.candidate.get(p).map_or(1.0, |w| w.weight)
            }
        })
    });
    Coverage {
        score: by_rarity.map_or(by_count, |r| r.min(by_count)),
        by_count,
        by_rarity,
    }
}

/// The rarity factor of each query word: a matched word takes that of the listed word it
/// met (the commonest, when it met two joined), since a query word is often spelled as no
/// listed name spells it — a typo, a variant — and would otherwise count as rare; an
/// unmatched word keeps its own (1 when no listed name has it).
fn query_rarity(rarity: Rarity<'_>, pairs: &Alignment) -> Vec<f64> {
    let mut factors: Vec<f64> = rarity.query.iter().map(|w| w.weight).collect();
    for pair in pairs {
        let listed = pair
            .candidate
            .positions()
            .filter_map(|p| rarity.candidate.get(p).map(|w| w.weight))
            .fold(1.0f64, f64::min);
        for p in pair.query.positions() {
            if let Some(f) = factors.get_mut(p) {
                *f = listed;
            }
        }
    }
    factors
}

/// `0.65 · max(M_q/W_q, M_c/W_c) + 0.35 · min(…)`, each word weighing its kind's weight
/// times `factor(is query side, position)`.
fn coverage_with(
    a: &[&Token],
    b: &[&Token],
    pairs: &Alignment,
    factor: &dyn Fn(bool, usize) -> f64,
) -> f64 {
    let weight = |tokens: &[&Token], query_side: bool, span: Span| -> f64 {
        span.positions()
            .filter_map(|p| {
                tokens
                    .get(p)
                    .map(|t| t.kind.weight() * factor(query_side, p))
            })
            .sum()
    };
    let (mut matched_a, mut matched_b) = (0.0, 0.0);
    for pair in pairs {
        let (wa, wb) = (
            weight(a, true, pair.query),
            weight(b, false, pair.candidate),
        );
        if pair.query.len == 1 && pair.candidate.len == 1 {
            // A particle against a word counts as a particle on both sides.
            matched_a += pair.similarity * wa.min(wb);
            matched_b += pair.similarity * wa.min(wb);
        } else {
            matched_a += pair.similarity * wa;
            matched_b += pair.similarity * wb;
        }
    }
    // `abd` (servant of) weighs as a particle where it meets another `abd`, and as a word
    // where it is left unmatched: `Abd al-Karim` is not `Karim`.
    let matched = |side: bool, p: usize| {
        pairs.iter().any(|pair| {
            let span = if side { pair.query } else { pair.candidate };
            span.positions().contains(&p)
        })
    };
    let total = |tokens: &[&Token], side: bool| -> f64 {
        (0..tokens.len())
            .map(|p| match tokens.get(p) {
                Some(t) if t.opens_compound() && !matched(side, p) => factor(side, p),
                _ => weight(tokens, side, Span::one(p)),
            })
            .sum()
    };
    let total_a = total(a, true);
    let total_b = total(b, false);
    if total_a <= 0.0 || total_b <= 0.0 {
        return 0.0;
    }
    let cover_a = (matched_a / total_a).min(1.0);
    let cover_b = (matched_b / total_b).min(1.0);
    let score =
        COVERAGE_BALANCE * cover_a.max(cover_b) + (1.0 - COVERAGE_BALANCE) * cover_a.min(cover_b);
    tidy(score.clamp(0.0, 1.0))
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
    compare_names_with(query, candidate, None)
}

/// [`compare_names`] with the words' rarity in the lists (the index supplies it).
pub fn compare_names_with(
    query: &NormalizedName,
    candidate: &NormalizedName,
    rarity: Option<Rarity<'_>>,
) -> NameMatch {
    let a: Vec<&Token> = query.tokens.iter().collect();
    let b: Vec<&Token> = candidate.tokens.iter().collect();
    let mut result = compare_token_refs_with(&a, &b, rarity);
    if let Some(score) = original_script_score(query, candidate) {
        result.score = score;
        result.method = NameMethod::OriginalScript;
        result.common_words = None;
    }
    result.legal_forms_ignored = query
        .legal_forms
        .iter()
        .chain(candidate.legal_forms.iter())
        .map(|f| f.found.clone())
        .collect();
    result
}

/// Compares token lists and builds the explanation.
pub fn compare_token_refs(a: &[&Token], b: &[&Token]) -> NameMatch {
    compare_token_refs_with(a, b, None)
}

/// [`compare_token_refs`] with the words' rarity (the index supplies it).
pub fn compare_token_refs_with(
    a: &[&Token],
    b: &[&Token],
    rarity: Option<Rarity<'_>>,
) -> NameMatch {
    let scored = score_tokens(a, b, rarity, &mut |i, j| match (a.get(i), b.get(j)) {
        (Some(ta), Some(tb)) => token_similarity(ta, tb),
        _ => None,
    });
    let common_words = common_words(a, b, rarity, &scored);
    let mut explained = explain_alignment(a, b, scored.score, scored.method, scored.pairs);
    explained.common_words = common_words;
    explained
}

/// What the explanation says of rarity: only when it lowered the score.
fn common_words(
    a: &[&Token],
    b: &[&Token],
    rarity: Option<Rarity<'_>>,
    scored: &Scored,
) -> Option<CommonWords> {
    let rarity = rarity?;
    let by_rarity = scored.coverage.by_rarity?;
    if scored.method != NameMethod::Tokens || by_rarity >= scored.coverage.by_count {
        return None;
    }
    let mut words: Vec<CommonWord> = Vec::new();
    for (tokens, weights) in [(a, rarity.query), (b, rarity.candidate)] {
        for (token, w) in tokens.iter().zip(weights) {
            if w.weight < 1.0 && !words.iter().any(|c| c.word == token.text) {
                words.push(CommonWord {
                    word: token.text.clone(),
                    listed_names: w.listed_names,
                    weight: w.weight,
                });
            }
        }
    }
    Some(CommonWords {
        by_count: scored.coverage.by_count,
        by_rarity,
        words,
    })
}

/// A comparison of two token lists, scored, before its explanation is built.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    /// The name score.
    pub score: f64,
    /// The view that gave it.
    pub method: NameMethod,
    /// The token alignment's own score (by word count and by rarity).
    pub coverage: Coverage,
    /// The matched pairs.
    pub pairs: Alignment,
}

/// The name score of two token lists and the view that gave it, without building an
/// explanation: the token alignment, raised by the joined view where it applies.
pub fn score_tokens(
    a: &[&Token],
    b: &[&Token],
    rarity: Option<Rarity<'_>>,
    similarity: &mut dyn FnMut(usize, usize) -> Option<(f64, TokenMatchKind)>,
) -> Scored {
    let (coverage, pairs) = compare_tokens_with(a, b, rarity, similarity);
    let token_score = coverage.score;
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
    Scored {
        score: score.clamp(0.0, 1.0),
        method,
        coverage,
        pairs,
    }
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
        common_words: None,
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
    score_tokens(&a, &b, None, &mut |i, j| match (a.get(i), b.get(j)) {
        (Some(ta), Some(tb)) => token_similarity(ta, tb),
        _ => None,
    })
    .score
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
