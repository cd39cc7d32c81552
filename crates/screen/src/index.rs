//! The candidate index: blocking, shortlist, scoring.
//!
//! Built once from the candidates. Every distinct token of every name is interned in a
//! vocabulary; for each vocabulary token the index keeps the names that contain it, and
//! blocking keys that find it from a query token: its canonical spelling, its one-letter
//! deletions (so a query word one typo away finds it: the symmetric-deletion method), and
//! its consonant skeleton (for words from Arabic script); and each pair of adjacent words
//! joined, for names whose words are split or merged differently. A query looks its words up,
//! accumulates an IDF-weighted vote per name, keeps the best [`Settings::shortlist`] names,
//! and scores those in full. Identifiers are looked up exactly.
//!
//! Invariants: results are deterministic — they depend only on the candidates (in order)
//! and the query; ties break on the candidate's position, then its id. Every hit's score is
//! recomputed from its explanation. The index holds no I/O and no clock.

use std::cell::RefCell;

use foldhash::HashMap;
use rayon::prelude::*;

use crate::candidate::{Candidate, NameKind, PartialDate, Query, Schema, country_key};
use crate::compare::{Rarity, WordRarity, compare_names_with, token_similarity};
use crate::country::countries_in;
use crate::hit::{
    Adjustment, BIRTH_DATE_MATCH, BIRTH_DATE_MISMATCH, BIRTH_DATE_NEAR, COUNTRY_MATCH,
    COUNTRY_MISMATCH, Explanation, Hit, IdentifierMatch, WEAK_ALIAS_FACTOR,
};
use crate::normalize::{NormalizedName, Script, Token, TokenKind, korean_key, normalize};

/// The default threshold: a hit is reported when its score is at least this. Calibrated on
/// the labelled pairs in `tests/data/pairs.csv` (see `docs/design.md`).
pub const DEFAULT_THRESHOLD: f64 = 0.85;

/// Parameters of one screening.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Report hits scoring at least this.
    pub threshold: f64,
    /// Report at most this many hits.
    pub limit: usize,
    /// How many names the blocking step passes on to full scoring.
    pub shortlist: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            threshold: DEFAULT_THRESHOLD,
            limit: 10,
            shortlist: 64,
        }
    }
}

/// One name of one candidate, with what scoring needs of the candidate kept inline (its
/// schema, the name's kind), so that scoring a form reads no candidate.
#[derive(Debug, Clone, Copy)]
struct IndexedName {
    candidate: u32,
    name: u32,
    schema: Schema,
    kind: NameKind,
}

/// A distinct normalised name: its tokens interned, and every indexed name that has it.
/// Lists repeat names (one row per alias, the same person on several lists): blocking and
/// scoring work on forms, so that copies never crowd a name out of the shortlist, and a
/// form is scored once however many names share it.
#[derive(Debug)]
struct Form {
    tokens: Box<[u32]>,
    /// The name's Han or Hangul text, when it is written wholly in that script (boxed:
    /// most names have none, and forms are many).
    original: Option<Box<NormalizedName>>,
    /// The indexed names (positions in `Index::names`) of this form, in order.
    names: Vec<u32>,
}

/// What makes two normalised names one form: their tokens and original-script text.
type FormKey = (Box<[u32]>, Option<String>, Option<String>);

/// The screening index over a set of candidates.
#[derive(Debug)]
pub struct Index {
    candidates: Vec<Candidate>,
    names: Vec<IndexedName>,
    forms: Vec<Form>,
    /// Per form, the schemas of its names' candidates as a bit set (bit = position in
    /// [`Schema::ALL`]): dense, so that ranking thousands of voted forms stays in cache.
    form_schemas: Vec<u8>,
    vocabulary: Vec<Token>,
    /// Vocabulary ids by script and text (nested so that a lookup borrows the text).
    vocabulary_ids: HashMap<Script, HashMap<Box<str>, u32>>,
    postings: Vec<Vec<u32>>,
    idf: Vec<f32>,
    /// Per vocabulary word, the factor on its weight in a name score ([`rarity`]).
    rarity: Vec<f64>,
    /// Per vocabulary word, how many forms it is counted in for its rarity
    /// ([`Index::listed_names`]).
    listed_names: Vec<u32>,
    /// The largest IDF: the weight a vote through joined words carries.
    rarest_idf: f32,
    by_spelling: Vec<(u64, u32)>,
    by_skeleton_abjad: Vec<(u64, u32)>,
    by_skeleton_latin: Vec<(u64, u32)>,
    by_identifier: Vec<(u64, u32)>,
    /// Adjacent words of a name joined (canonical spellings), to the name.
    by_joined: Vec<(u64, u32)>,
    /// A name's sorted words, to the name.
    by_word_set: Vec<(u64, u32)>,
    /// The Korean key of each vocabulary token, to the token (for queries in Hangul).
    by_korean: Vec<(u64, u32)>,
    /// The Korean key of each pair of adjacent short words of a name, to the name
    /// (`Yong Chol` for a query `영철`).
    by_korean_joined: Vec<(u64, u32)>,
}

/// How many vocabulary words may vote for one query word (its own spelling and the nearest
/// others). Sixteen, not twelve: a typo'd word of four letters has a dozen nearer
/// spellings than its original (`Aruf`: `Arouf`, `Maarouf`… before `Arif`).
const MAX_NEIGHBOURS: usize = 16;

/// Near words beyond [`MAX_NEIGHBOURS`] still vote when at most this many forms have them,
/// up to [`MAX_RARE_NEIGHBOURS`] more per query word.
const RARE_NEIGHBOUR_NAMES: usize = 4;

/// How many rare near words may vote beyond [`MAX_NEIGHBOURS`] per query word.
const MAX_RARE_NEIGHBOURS: usize = 48;

/// The bit of a schema in a form's schema set.
fn schema_bit(schema: Schema) -> u8 {
    let position = Schema::ALL.iter().position(|s| *s == schema).unwrap_or(0);
    1u8 << position
}

/// FNV-1a: a fixed, portable hash for blocking keys (collisions only add candidates that
/// full scoring then rejects).
fn key(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// The spelling keys of a token: its canonical spelling and, from four letters, each
/// one-letter deletion of it.
fn spelling_keys(canon: &str, out: &mut Vec<u64>) {
    let bytes = canon.as_bytes();
    out.push(key(bytes));
    if bytes.len() >= 4 {
        let mut buffer = Vec::with_capacity(bytes.len());
        for skip in 0..bytes.len() {
            buffer.clear();
            buffer.extend(
                bytes
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != skip)
                    .map(|(_, b)| *b),
            );
            out.push(key(&buffer));
        }
    }
}

fn lookup(table: &[(u64, u32)], k: u64, out: &mut Vec<u32>) {
    let start = table.partition_point(|(h, _)| *h < k);
    out.extend(
        table
            .iter()
            .skip(start)
            .take_while(|(h, _)| *h == k)
            .map(|(_, v)| *v),
    );
}

/// The query prepared once: its name normalised the three ways a candidate's schema asks for.
struct PreparedQuery<'q> {
    query: &'q Query,
    person: NormalizedName,
    organisation: NormalizedName,
    other: NormalizedName,
    identifier_keys: Vec<String>,
    /// The schemas the query accepts, as a bit set of [`schema_bit`]s.
    schema_mask: u8,
}

impl<'q> PreparedQuery<'q> {
    fn new(query: &'q Query) -> Self {
        // When the user names exactly one schema, read the name that way throughout.
        let forced = match query.schemas.as_slice() {
            [only] => Some(*only),
            _ => None,
        };
        let with = |schema: Schema| normalize(&query.name, Some(forced.unwrap_or(schema)));
        PreparedQuery {
            query,
            person: with(Schema::Person),
            organisation: with(Schema::Company),
            other: match forced {
                Some(schema) => normalize(&query.name, Some(schema)),
                None => normalize(&query.name, None),
            },
            identifier_keys: query.identifiers.iter().map(|i| i.key()).collect(),
            schema_mask: Schema::ALL
                .iter()
                .filter(|s| {
                    query.schemas.is_empty() || query.schemas.iter().any(|q| q.is_compatible(**s))
                })
                .fold(0, |mask, s| mask | schema_bit(*s)),
        }
    }

    fn for_schema(&self, schema: Schema) -> &NormalizedName {
        self.for_schema_indexed(schema).1
    }

    /// The reading of the query for a candidate's schema, with a number naming the reading.
    fn for_schema_indexed(&self, schema: Schema) -> (u8, &NormalizedName) {
        if schema == Schema::Person {
            (0, &self.person)
        } else if schema.is_organisation() {
            (1, &self.organisation)
        } else {
            (2, &self.other)
        }
    }

    fn accepts(&self, schema: Schema) -> bool {
        self.query.schemas.is_empty() || self.query.schemas.iter().any(|s| s.is_compatible(schema))
    }
}

/// Token similarities computed during one query: (reading of the query, query token
/// position, vocabulary token) → similarity. Shortlisted names share many words.
type SimilarityCache = HashMap<(u8, u32, u32), Option<(f64, crate::compare::TokenMatchKind)>>;

/// Per-thread buffers for the vote, reused across queries so a query allocates little.
#[derive(Default)]
struct Scratch {
    votes: Vec<f32>,
    last_token: Vec<u32>,
    touched: Vec<u32>,
    ranked: Vec<(f32, u32)>,
    similarities: SimilarityCache,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// The key of a name's set of words (sorted texts), for finding exact and reordered names
/// without the vote.
fn word_set_key<'t>(tokens: impl Iterator<Item = &'t Token>) -> u64 {
    let mut texts: Vec<&str> = tokens.map(|t| t.text.as_str()).collect();
    texts.sort_unstable();
    key(texts.join(" ").as_bytes())
}

/// The vote of one query, over the per-thread buffers.
struct Ballot<'s> {
    votes: &'s mut Vec<f32>,
    last_token: &'s mut Vec<u32>,
    touched: &'s mut Vec<u32>,
}

impl Ballot<'_> {
    /// Adds `weight` to the vote of each form, once per `marker` (one query word): a form
    /// reached through several spellings of the same word is counted once.
    fn cast(&mut self, forms: &[u32], marker: u32, weight: f32) {
        for &form in forms {
            let n = form as usize;
            let (Some(vote), Some(last)) = (self.votes.get_mut(n), self.last_token.get_mut(n))
            else {
                continue;
            };
            if *last == marker {
                continue;
            }
            if *last == 0 {
                self.touched.push(form);
            }
            *last = marker;
            *vote += weight;
        }
    }
}

impl Index {
    /// Builds the index. Candidates keep their order; it breaks ties between equal scores.
    pub fn build(candidates: Vec<Candidate>) -> Index {
        let mut index = Index::empty();
        let mut form_ids: HashMap<FormKey, u32> = HashMap::default();
        for (c, candidate) in candidates.iter().enumerate() {
            let c = u32::try_from(c).unwrap_or(u32::MAX);
            for (n, name) in candidate.names.iter().enumerate() {
                index.add_name(&mut form_ids, (c, candidate), (n, name));
            }
            for identifier in &candidate.identifiers {
                index
                    .by_identifier
                    .push((key(identifier.key().as_bytes()), c));
            }
        }
        index.weigh_words();
        index.key_vocabulary();
        index.sort_tables();
        index.candidates = candidates;
        index
    }

    /// An index of nothing, its tables to be filled.
    fn empty() -> Index {
        Index {
            candidates: Vec::new(),
            names: Vec::new(),
            forms: Vec::new(),
            form_schemas: Vec::new(),
            vocabulary: Vec::new(),
            vocabulary_ids: HashMap::default(),
            postings: Vec::new(),
            idf: Vec::new(),
            rarity: Vec::new(),
            listed_names: Vec::new(),
            rarest_idf: 1.0,
            by_spelling: Vec::new(),
            by_skeleton_abjad: Vec::new(),
            by_skeleton_latin: Vec::new(),
            by_identifier: Vec::new(),
            by_joined: Vec::new(),
            by_word_set: Vec::new(),
            by_korean: Vec::new(),
            by_korean_joined: Vec::new(),
        }
    }

    /// The names table and the forms table: name `n` of candidate `c`, filed under its form
    /// (a new one, or the one an earlier name with the same words made).
    fn add_name(
        &mut self,
        form_ids: &mut HashMap<FormKey, u32>,
        (c, candidate): (u32, &Candidate),
        (n, name): (usize, &crate::candidate::CandidateName),
    ) {
        let normalized = normalize(&name.value, Some(candidate.schema));
        let name_id = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.names.push(IndexedName {
            candidate: c,
            name: u32::try_from(n).unwrap_or(u32::MAX),
            schema: candidate.schema,
            kind: name.kind,
        });
        let tokens: Box<[u32]> = normalized
            .tokens
            .into_iter()
            .map(|token| self.intern(token))
            .collect();
        let form_key: FormKey = (tokens, normalized.han, normalized.hangul);
        let schema_bit = schema_bit(candidate.schema);
        if let Some(id) = form_ids.get(&form_key).copied()
            && let Some(form) = self.forms.get_mut(id as usize)
        {
            form.names.push(name_id);
            if let Some(bits) = self.form_schemas.get_mut(id as usize) {
                *bits |= schema_bit;
            }
            return;
        }
        self.form_schemas.push(schema_bit);
        let form_id = u32::try_from(self.forms.len()).unwrap_or(u32::MAX);
        let (tokens, han, hangul) = form_key.clone();
        form_ids.insert(form_key, form_id);
        self.add_form(form_id, &tokens);
        let original = (han.is_some() || hangul.is_some()).then(|| {
            Box::new(NormalizedName {
                han,
                hangul,
                ..NormalizedName::default()
            })
        });
        self.forms.push(Form {
            tokens,
            original,
            names: vec![name_id],
        });
    }

    /// The words' weights, once every form is filed: IDF for blocking votes, rarity for
    /// name scores.
    fn weigh_words(&mut self) {
        let n_forms = self.forms.len().max(1) as f32;
        self.idf = self
            .postings
            .iter()
            .map(|p| (n_forms / p.len().max(1) as f32).ln() + 1.0)
            .collect();
        self.rarest_idf = self.idf.iter().copied().fold(1.0f32, f32::max);
        self.listed_names = self.listed_names();
        self.rarity = self
            .listed_names
            .iter()
            .map(|n| rarity(*n as usize))
            .collect();
    }

    /// The blocking tables from vocabulary words: spelling keys (with one-letter
    /// deletions), Korean keys, consonant skeletons.
    fn key_vocabulary(&mut self) {
        let mut keys = Vec::new();
        for (id, token) in self.vocabulary.iter().enumerate() {
            let id = u32::try_from(id).unwrap_or(u32::MAX);
            keys.clear();
            spelling_keys(&token.canon, &mut keys);
            // The written spelling too, as a query word's: the canonical spelling can move
            // a word away from its typos (`Joza` is `eza`, its typo `Jza` is `iza`).
            if token.text != token.canon && !token.abjad {
                spelling_keys(&token.text, &mut keys);
            }
            keys.sort_unstable();
            keys.dedup();
            self.by_spelling.extend(keys.iter().map(|k| (*k, id)));
            self.by_korean
                .push((key(korean_key(&token.text).as_bytes()), id));
            let skeleton = (key(token.skeleton().as_bytes()), id);
            if token.abjad {
                self.by_skeleton_abjad.push(skeleton);
            } else {
                self.by_skeleton_latin.push(skeleton);
            }
        }
    }

    /// Every lookup table sorted by key (binary search) and without repeats.
    fn sort_tables(&mut self) {
        for table in [
            &mut self.by_spelling,
            &mut self.by_skeleton_abjad,
            &mut self.by_skeleton_latin,
            &mut self.by_identifier,
            &mut self.by_joined,
            &mut self.by_word_set,
            &mut self.by_korean,
            &mut self.by_korean_joined,
        ] {
            table.sort_unstable();
            table.dedup();
        }
    }

    /// The vocabulary id of a token, interning it when new.
    fn intern(&mut self, token: Token) -> u32 {
        if let Some(id) = self.vocabulary_id(&token) {
            return id;
        }
        let id = u32::try_from(self.vocabulary.len()).unwrap_or(u32::MAX);
        self.vocabulary_ids
            .entry(token.script)
            .or_default()
            .insert(vocabulary_text(&token).into(), id);
        self.vocabulary.push(token);
        self.postings.push(Vec::new());
        id
    }

    /// The vocabulary id of a word, if some name has it.
    fn vocabulary_id(&self, token: &Token) -> Option<u32> {
        self.vocabulary_ids
            .get(&token.script)?
            .get(vocabulary_text(token).as_ref())
            .copied()
    }

    /// Files a new form under its words, its adjacent words joined, and its word set.
    fn add_form(&mut self, form_id: u32, tokens: &[u32]) {
        for id in tokens {
            if let Some(posting) = self.postings.get_mut(*id as usize)
                && posting.last() != Some(&form_id)
            {
                posting.push(form_id);
            }
        }
        for pair in tokens.windows(2) {
            if let [Some(first), Some(second)] = [pair.first(), pair.get(1)]
                .map(|id| id.and_then(|id| self.vocabulary.get(*id as usize)))
            {
                // The canonical spelling of the words joined, as a query writes them (a
                // digraph may span the join: `Tong-ho` / `Tongho`).
                let text = format!("{}{}", first.text, second.text);
                let joined = crate::normalize::canonical_spelling(&text);
                self.by_joined.push((key(joined.as_bytes()), form_id));
                // Korean syllables are short words.
                if first.text.len() <= 6 && second.text.len() <= 6 {
                    self.by_korean_joined
                        .push((key(korean_key(&text).as_bytes()), form_id));
                }
            }
        }
        let word_set = word_set_key(
            tokens
                .iter()
                .filter_map(|id| self.vocabulary.get(*id as usize)),
        );
        self.by_word_set.push((word_set, form_id));
    }

    /// The candidates, in the order given.
    pub fn candidates(&self) -> &[Candidate] {
        &self.candidates
    }

    /// The number of names (primary names and aliases) indexed.
    pub fn n_names(&self) -> usize {
        self.names.len()
    }

    /// How common a word is among the indexed names: [`WordRarity::UNKNOWN`] for a word no
    /// name has.
    fn word_rarity(&self, token: &Token) -> WordRarity {
        match self.vocabulary_id(token) {
            Some(id) => WordRarity {
                weight: self.rarity.get(id as usize).copied().unwrap_or(1.0),
                listed_names: self.listed_names.get(id as usize).copied().unwrap_or(0),
            },
            None => WordRarity::UNKNOWN,
        }
    }

    /// Per vocabulary word, the number of forms its rarity is counted from: the forms that
    /// have it, and for a word written in Arabic (or Hebrew) script, the forms that have
    /// any word of its consonants in any script. Such a word meets all of them (`محمد` meets
    /// `Mohammed`, `Muhammad`, `Mohamad`…), and a name is as common in the lists whatever
    /// script a list writes it in: counted among the few names written in Arabic script
    /// alone, `محمد` and `حسن` would look rare, and a partial match on them
    /// (`محمد حسن` / `محمد حسن التكريتي`) would weigh more than the same match in Latin
    /// letters (`Mohammed Hassan` / `Mohammed Hassan al-Tikriti`).
    fn listed_names(&self) -> Vec<u32> {
        let mut by_skeleton: HashMap<String, Vec<u32>> = HashMap::default();
        for token in self.vocabulary.iter().filter(|t| t.abjad) {
            by_skeleton.entry(token.skeleton()).or_default();
        }
        if !by_skeleton.is_empty() {
            for (token, posting) in self.vocabulary.iter().zip(&self.postings) {
                if let Some(forms) = by_skeleton.get_mut(&token.skeleton()) {
                    forms.extend_from_slice(posting);
                }
            }
            for forms in by_skeleton.values_mut() {
                forms.sort_unstable();
                forms.dedup();
            }
        }
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        self.vocabulary
            .iter()
            .zip(&self.postings)
            .map(|(token, posting)| {
                let across_scripts = if token.abjad {
                    by_skeleton.get(&token.skeleton()).map_or(0, Vec::len)
                } else {
                    0
                };
                count(posting.len().max(across_scripts))
            })
            .collect()
    }

    /// Vocabulary tokens that may match `token`, with their similarity, best first.
    fn matching_vocabulary(&self, token: &Token, found: &mut Vec<u32>) -> Vec<(u32, f64)> {
        found.clear();
        if let Some(id) = self.vocabulary_id(token) {
            found.push(id);
        }
        let mut keys = Vec::new();
        if token.script == Script::Hangul {
            lookup(
                &self.by_korean,
                key(korean_key(&token.text).as_bytes()),
                found,
            );
        }
        if token.abjad {
            lookup(
                &self.by_skeleton_latin,
                key(token.skeleton().as_bytes()),
                found,
            );
        } else {
            spelling_keys(&token.canon, &mut keys);
            // The written spelling too: the canonical one collapses doubled letters, which
            // can put a typo two deletions away (`Saalan` → `salan`, `Sabalan`).
            if token.text != token.canon {
                spelling_keys(&token.text, &mut keys);
            }
            for k in &keys {
                lookup(&self.by_spelling, *k, found);
            }
        }
        lookup(
            &self.by_skeleton_abjad,
            key(token.skeleton().as_bytes()),
            found,
        );
        found.sort_unstable();
        found.dedup();
        // A blocking key only proposes a word: the word votes when the two would match
        // in full scoring, with the weight of their similarity (equal spelling first, then
        // a known variant, then a near spelling). At most `MAX_NEIGHBOURS` near words vote
        // per query word, and rare ones beyond them: a common word has many neighbours, each
        // with many names, and the best few carry the ranking.
        let mut matched: Vec<(u32, f64)> = found
            .iter()
            .filter_map(|id| {
                let candidate = self.vocabulary.get(*id as usize)?;
                // The same word (for Arabic script, the same letters: `سعد` and `أسد` share
                // a transliteration, and the second would take a near word's place).
                if candidate.script == token.script
                    && candidate.text == token.text
                    && (!token.abjad || vocabulary_text(candidate) == vocabulary_text(token))
                {
                    return Some((*id, 1.0));
                }
                let (similarity, _) = token_similarity(token, candidate)?;
                Some((*id, similarity))
            })
            .collect();
        // Among words equally near, the rarer first: they say more and cost less to vote
        // for (`Jza` keeps `Joza` among its neighbours, not twelve common words).
        matched.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then(
                    self.postings_of(a.0)
                        .len()
                        .cmp(&self.postings_of(b.0).len()),
                )
                .then(a.0.cmp(&b.0))
        });
        self.keep_neighbours(&mut matched);
        matched
    }

    /// Keeps the [`MAX_NEIGHBOURS`] nearest of `matched` (sorted nearest first) and, beyond
    /// them, up to [`MAX_RARE_NEIGHBOURS`] near words few names have: a typo'd short word
    /// has more near spellings than its original (`Jza`: `Izza`, `Iza`, `Riza`… before
    /// `Joza`), and a rare word's vote costs a few postings and says much.
    fn keep_neighbours(&self, matched: &mut Vec<(u32, f64)>) {
        let mut kept = 0;
        let mut rare_extra = 0;
        matched.retain(|(id, _)| {
            kept += 1;
            if kept <= MAX_NEIGHBOURS {
                return true;
            }
            let rare = self.postings_of(*id).len() <= RARE_NEIGHBOUR_NAMES;
            if rare && rare_extra < MAX_RARE_NEIGHBOURS {
                rare_extra += 1;
                return true;
            }
            false
        });
    }

    /// The words a query blocks on: the distinct words of every reading. Initials and
    /// particles (long posting lists, little identity) are left out of a reading that has
    /// any other word.
    fn block_tokens<'p>(prepared: &'p PreparedQuery<'_>) -> Vec<&'p Token> {
        let informative = |t: &Token| {
            matches!(
                t.kind,
                TokenKind::Word | TokenKind::Number | TokenKind::Patronymic
            )
        };
        let mut block_tokens: Vec<&Token> = Vec::new();
        for name in [&prepared.other, &prepared.person, &prepared.organisation] {
            let has_informative = name.tokens.iter().any(informative);
            for token in &name.tokens {
                if has_informative && !informative(token) {
                    continue;
                }
                if !block_tokens
                    .iter()
                    .any(|t| t.text == token.text && t.script == token.script)
                {
                    block_tokens.push(token);
                }
            }
        }
        block_tokens
    }

    /// Votes of the query's words and their near spellings, one marker per query word.
    fn word_votes(&self, ballot: &mut Ballot<'_>, block_tokens: &[&Token]) {
        let mut found = Vec::new();
        for (q, token) in block_tokens.iter().enumerate() {
            let marker = u32::try_from(q + 1).unwrap_or(u32::MAX);
            let mut matched: Vec<(u32, f32)> = self
                .matching_vocabulary(token, &mut found)
                .into_iter()
                .map(|(id, sim)| {
                    let idf = self.idf.get(id as usize).copied().unwrap_or(1.0);
                    (id, idf * sim as f32)
                })
                .collect();
            matched.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            for (id, weight) in matched {
                ballot.cast(self.postings_of(id), marker, weight);
            }
        }
    }

    fn postings_of(&self, id: u32) -> &[u32] {
        self.postings
            .get(id as usize)
            .map_or(&[][..], Vec::as_slice)
    }

    /// Words split or merged differently (`Marange Resources` / `MARANGERESOURCES`): a
    /// query word may be two adjacent words of a name joined (even a word some list has:
    /// `Tongho` / `Tong-ho`); two adjacent query words joined may be one word of a name.
    /// Such forms vote with the weight of the rarest word (or of the joined word), once
    /// per joined form, so that the joined views get to score them.
    fn joined_votes(
        &self,
        ballot: &mut Ballot<'_>,
        prepared: &PreparedQuery<'_>,
        block_tokens: &[&Token],
    ) {
        let rare = self.rarest_idf;
        let mut marker = u32::try_from(block_tokens.len() + 1).unwrap_or(u32::MAX);
        let mut forms = Vec::new();
        for token in block_tokens {
            if token.canon.len() >= 6 {
                forms.clear();
                lookup(&self.by_joined, key(token.canon.as_bytes()), &mut forms);
                ballot.cast(&forms, marker, rare);
                marker = marker.saturating_add(1);
            }
            if token.script == Script::Hangul && token.text.len() >= 4 {
                forms.clear();
                let k = key(korean_key(&token.text).as_bytes());
                lookup(&self.by_korean_joined, k, &mut forms);
                ballot.cast(&forms, marker, rare);
                marker = marker.saturating_add(1);
            }
        }
        let mut joined_pairs: Vec<String> = Vec::new();
        for name in [&prepared.other, &prepared.person, &prepared.organisation] {
            for pair in name.tokens.windows(2) {
                if let [first, second] = pair {
                    let text = format!("{}{}", first.text, second.text);
                    joined_pairs.push(crate::normalize::canonical_spelling(&text));
                }
            }
        }
        joined_pairs.sort_unstable();
        joined_pairs.dedup();
        let mut ids = Vec::new();
        for joined in &joined_pairs {
            ids.clear();
            lookup(&self.by_spelling, key(joined.as_bytes()), &mut ids);
            ids.sort_unstable();
            ids.dedup();
            for id in &ids {
                if self
                    .vocabulary
                    .get(*id as usize)
                    .is_some_and(|t| &t.canon == joined)
                {
                    let weight = self.idf.get(*id as usize).copied().unwrap_or(1.0);
                    ballot.cast(self.postings_of(*id), marker, weight);
                }
            }
            marker = marker.saturating_add(1);
        }
    }

    /// The forms that share the most (IDF-weighted) words with the query.
    fn shortlist(&self, prepared: &PreparedQuery<'_>, settings: &Settings) -> Vec<u32> {
        let block_tokens = Self::block_tokens(prepared);
        SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let Scratch {
                votes,
                last_token,
                touched,
                ranked,
                ..
            } = &mut *scratch;
            if votes.len() < self.forms.len() {
                votes.resize(self.forms.len(), 0.0);
                last_token.resize(self.forms.len(), 0);
            }
            touched.clear();
            let mut ballot = Ballot {
                votes,
                last_token,
                touched,
            };
            self.word_votes(&mut ballot, &block_tokens);
            self.joined_votes(&mut ballot, prepared, &block_tokens);
            ranked.clear();
            for &form in ballot.touched.iter() {
                let n = form as usize;
                let vote = ballot.votes.get(n).copied().unwrap_or(0.0);
                if let Some(v) = ballot.votes.get_mut(n) {
                    *v = 0.0;
                }
                if let Some(l) = ballot.last_token.get_mut(n) {
                    *l = 0;
                }
                let accepted = self
                    .form_schemas
                    .get(n)
                    .is_some_and(|bits| bits & prepared.schema_mask != 0);
                if accepted {
                    ranked.push((vote, form));
                }
            }
            let by_vote = |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
            if ranked.len() > settings.shortlist && settings.shortlist > 0 {
                ranked.select_nth_unstable_by(settings.shortlist - 1, by_vote);
                ranked.truncate(settings.shortlist);
            }
            ranked.sort_by(by_vote);
            ranked.iter().map(|(_, form)| *form).collect()
        })
    }

    /// The name score of one form against the reading `variant` of the query, fast path:
    /// the same computation as [`compare_names`], with token similarities cached per query.
    fn form_score(
        &self,
        (variant, query, a, a_rarity): (u8, &NormalizedName, &[&Token], &[WordRarity]),
        form: &Form,
        cache: &mut SimilarityCache,
    ) -> f64 {
        let b: Vec<&Token> = form
            .tokens
            .iter()
            .filter_map(|id| self.vocabulary.get(*id as usize))
            .collect();
        let ids = &form.tokens;
        let mut similarity = |i: usize, j: usize| {
            let (Some(ta), Some(tb), Some(id)) = (a.get(i), b.get(j), ids.get(j)) else {
                return None;
            };
            *cache
                .entry((variant, i as u32, *id))
                .or_insert_with(|| token_similarity(ta, tb))
        };
        let b_rarity: Vec<WordRarity> = ids
            .iter()
            .map(|id| WordRarity {
                weight: self.rarity.get(*id as usize).copied().unwrap_or(1.0),
                listed_names: 0,
            })
            .collect();
        let rarity = Rarity {
            query: a_rarity,
            candidate: &b_rarity,
        };
        let score = crate::compare::score_tokens(a, &b, Some(rarity), &mut similarity).score;
        form.original
            .as_deref()
            .and_then(|original| crate::compare::original_script_score(query, original))
            .unwrap_or(score)
    }

    /// The best name of each candidate among the shortlisted forms: (candidate, name
    /// position, score), ties to the earlier name.
    fn best_names(&self, prepared: &PreparedQuery<'_>, forms: &[u32]) -> Vec<(u32, u32, f64)> {
        let mut best: Vec<(u32, u32, f64)> = Vec::new();
        // The similarity cache's table is kept per thread and cleared: a query fills a few
        // hundred entries, and allocating them anew each time costs more than comparing.
        let mut cache =
            SCRATCH.with(|scratch| std::mem::take(&mut scratch.borrow_mut().similarities));
        cache.clear();
        let readings: [Vec<&Token>; 3] = [
            prepared.person.tokens.iter().collect(),
            prepared.organisation.tokens.iter().collect(),
            prepared.other.tokens.iter().collect(),
        ];
        let rarities: [Vec<WordRarity>; 3] = readings
            .each_ref()
            .map(|tokens| tokens.iter().map(|t| self.word_rarity(t)).collect());
        for form_id in forms {
            let Some(form) = self.forms.get(*form_id as usize) else {
                continue;
            };
            // One score per reading of the query the form's candidates ask for.
            let mut by_reading: [Option<f64>; 3] = [None; 3];
            for name_id in &form.names {
                let Some(indexed) = self.names.get(*name_id as usize) else {
                    continue;
                };
                let (variant, query) = prepared.for_schema_indexed(indexed.schema);
                let slot = by_reading.get_mut(usize::from(variant));
                let mut score = match slot {
                    Some(Some(score)) => *score,
                    Some(slot) => {
                        let tokens = readings
                            .get(usize::from(variant))
                            .map_or(&[][..], Vec::as_slice);
                        let rarity = rarities
                            .get(usize::from(variant))
                            .map_or(&[][..], Vec::as_slice);
                        let score =
                            self.form_score((variant, query, tokens, rarity), form, &mut cache);
                        *slot = Some(score);
                        score
                    }
                    None => continue,
                };
                if indexed.kind == NameKind::WeakAlias {
                    score = crate::compare::tidy(score * WEAK_ALIAS_FACTOR);
                }
                match best.iter_mut().find(|b| b.0 == indexed.candidate) {
                    Some(entry) => {
                        if score > entry.2 || (score == entry.2 && indexed.name < entry.1) {
                            *entry = (indexed.candidate, indexed.name, score);
                        }
                    }
                    None => best.push((indexed.candidate, indexed.name, score)),
                }
            }
        }
        SCRATCH.with(|scratch| scratch.borrow_mut().similarities = cache);
        best
    }

    /// Screens one query: hits at or above the threshold, best first, at most `limit`.
    pub fn screen(&self, query: &Query, settings: &Settings) -> Vec<Hit> {
        let prepared = PreparedQuery::new(query);
        let mut shortlist = self.shortlist(&prepared, settings);
        // A form with exactly the query's words, in any order, is always scored, however
        // many similar names crowd the vote.
        let mut exact = Vec::new();
        for reading in [&prepared.other, &prepared.person, &prepared.organisation] {
            lookup(
                &self.by_word_set,
                word_set_key(reading.tokens.iter()),
                &mut exact,
            );
        }
        exact.sort_unstable();
        exact.dedup();
        exact.retain(|form| !shortlist.contains(form));
        shortlist.extend(exact);
        let mut best = self.best_names(&prepared, &shortlist);
        let mut by_identifier: Vec<u32> = Vec::new();
        for k in &prepared.identifier_keys {
            lookup(&self.by_identifier, key(k.as_bytes()), &mut by_identifier);
        }
        for c in by_identifier {
            if !best.iter().any(|b| b.0 == c) {
                best.push((c, 0, 0.0));
            }
        }
        // Adjustments add at most this much: a name scoring lower cannot become a hit, and
        // building its explanation would be wasted work.
        let most_added = BIRTH_DATE_MATCH.max(0.0) + COUNTRY_MATCH.max(0.0);
        let mut hits: Vec<(u32, Hit)> = best
            .into_iter()
            .filter_map(|(c, name, fast_score)| {
                let candidate = self.candidates.get(c as usize)?;
                if !prepared.accepts(candidate.schema) {
                    return None;
                }
                let by_identifier = !prepared.identifier_keys.is_empty()
                    && candidate
                        .identifiers
                        .iter()
                        .any(|i| prepared.identifier_keys.contains(&i.key()));
                if !by_identifier && fast_score + most_added < settings.threshold {
                    return None;
                }
                let hit = self.explain(&prepared, candidate, name as usize)?;
                (hit.score >= settings.threshold).then_some((c, hit))
            })
            .collect();
        hits.sort_by(|a, b| {
            b.1.score
                .total_cmp(&a.1.score)
                .then(a.0.cmp(&b.0))
                .then(a.1.candidate_id.cmp(&b.1.candidate_id))
        });
        hits.truncate(settings.limit);
        hits.into_iter().map(|(_, hit)| hit).collect()
    }

    /// Screens many queries in parallel (rayon); results are in query order.
    pub fn screen_batch(&self, queries: &[Query], settings: &Settings) -> Vec<Vec<Hit>> {
        queries
            .par_iter()
            .map(|query| self.screen(query, settings))
            .collect()
    }
}

impl Index {
    /// Builds the hit for `candidate` with its name `name` as the best match, or `None` when
    /// the name does not exist.
    fn explain(
        &self,
        prepared: &PreparedQuery<'_>,
        candidate: &Candidate,
        name: usize,
    ) -> Option<Hit> {
        let candidate_name = candidate
            .names
            .get(name)
            .or_else(|| candidate.names.first());
        let query_name = prepared.for_schema(candidate.schema);
        let listed = candidate_name.map_or_else(NormalizedName::default, |n| {
            normalize(&n.value, Some(candidate.schema))
        });
        let query_rarity: Vec<WordRarity> = query_name
            .tokens
            .iter()
            .map(|t| self.word_rarity(t))
            .collect();
        let listed_rarity: Vec<WordRarity> =
            listed.tokens.iter().map(|t| self.word_rarity(t)).collect();
        let rarity = Rarity {
            query: &query_rarity,
            candidate: &listed_rarity,
        };
        let name_match = compare_names_with(query_name, &listed, Some(rarity));
        let kind = candidate_name.map_or(NameKind::Primary, |n| n.kind);
        let identifier = prepared.query.identifiers.iter().find_map(|asked| {
            let asked_key = asked.key();
            candidate
                .identifiers
                .iter()
                .find(|own| {
                    own.kinds_agree(asked) && !asked_key.is_empty() && own.key() == asked_key
                })
                .map(|own| IdentifierMatch {
                    kind: own.kind.clone(),
                    value: own.value.clone(),
                })
        });
        if candidate_name.is_none() && identifier.is_none() {
            return None;
        }
        let explanation = Explanation {
            name: name_match,
            weak_alias_factor: (kind == NameKind::WeakAlias).then_some(WEAK_ALIAS_FACTOR),
            identifier,
            birth_date: prepared
                .query
                .birth_date
                .and_then(|asked| birth_date_adjustment(&asked, &candidate.birth_dates)),
            country: country_adjustment(&prepared.query.countries, &candidate.countries),
        };
        Some(Hit {
            candidate_id: candidate.id.clone(),
            schema: candidate.schema,
            score: explanation.score(),
            matched_name: candidate_name.map(|n| n.value.clone()).unwrap_or_default(),
            name_kind: kind,
            explanation,
        })
    }
}

/// The text a vocabulary word is known by: for a word written in Arabic (or Hebrew) script,
/// its letters as written ([`crate::abjad::folded`]) — two such words with one
/// transliteration are two words (`سعد` and `أسد` are both `sd`, `بن` and `بنا` both `bn`) —
/// and its spelling otherwise.
fn vocabulary_text(token: &Token) -> std::borrow::Cow<'_, str> {
    match token.original.as_deref() {
        Some(letters) if token.abjad => std::borrow::Cow::Owned(crate::abjad::folded(letters)),
        _ => std::borrow::Cow::Borrowed(token.text.as_str()),
    }
}

/// The factor on a word's weight in a name score, from how many distinct indexed names
/// share it: 1 up to [`COMMON_FROM`] names, falling with the logarithm of the count to
/// [`RARITY_FLOOR`] at [`COMMONEST`] names and beyond. A partial match on words thousands
/// of listed names share (`Mohammed`, `Ali`) is weak evidence; the count is absolute, not a
/// share of the index, because every name sharing the word is a possible false alert.
fn rarity(listed_names: usize) -> f64 {
    if listed_names <= COMMON_FROM {
        return 1.0;
    }
    let position = ((listed_names as f64).ln() - (COMMON_FROM as f64).ln())
        / ((COMMONEST as f64).ln() - (COMMON_FROM as f64).ln());
    crate::compare::tidy(1.0 - (1.0 - RARITY_FLOOR) * position.min(1.0))
}

/// Up to this many distinct listed names, a word weighs as its kind.
const COMMON_FROM: usize = 10;
/// From this many distinct listed names on, a word weighs [`RARITY_FLOOR`] of its kind.
const COMMONEST: usize = 1000;
/// The factor on the weight of the commonest words.
const RARITY_FLOOR: f64 = 0.3;

fn birth_date_adjustment(asked: &PartialDate, known: &[PartialDate]) -> Option<Adjustment> {
    if known.is_empty() {
        return None;
    }
    if let Some(agreeing) = known.iter().find(|d| d.agrees_with(asked)) {
        return Some(Adjustment {
            detail: format!("date of birth {asked} agrees with {agreeing}"),
            delta: BIRTH_DATE_MATCH,
        });
    }
    let nearest = known
        .iter()
        .min_by_key(|d| ((d.year - asked.year).abs(), **d))?;
    let listed: Vec<String> = known.iter().map(ToString::to_string).collect();
    Some(if (nearest.year - asked.year).abs() <= 1 {
        Adjustment {
            detail: format!("date of birth {asked} is near {nearest}"),
            delta: BIRTH_DATE_NEAR,
        }
    } else {
        Adjustment {
            detail: format!("date of birth {asked} differs from {}", listed.join(", ")),
            delta: BIRTH_DATE_MISMATCH,
        }
    })
}

/// The country adjustment: the query's countries against the candidate's, each read as
/// ISO 3166 countries ([`crate::country::countries_in`]: codes, names, demonyms, aliases),
/// and compared as text when a value names no country.
fn country_adjustment(asked: &[String], known: &[String]) -> Option<Adjustment> {
    if asked.is_empty() || known.is_empty() {
        return None;
    }
    let keys = |values: &[String]| -> Vec<String> {
        values
            .iter()
            .flat_map(|value| {
                let found = countries_in(value);
                if found.is_empty() {
                    vec![country_key(value)]
                } else {
                    found.iter().map(|c| c.alpha2().to_owned()).collect()
                }
            })
            .collect()
    };
    let known_keys = keys(known);
    if let Some(shared) = asked.iter().find(|value| {
        keys(std::slice::from_ref(value))
            .iter()
            .any(|k| known_keys.contains(k))
    }) {
        return Some(Adjustment {
            detail: format!("country {shared} matches"),
            delta: COUNTRY_MATCH,
        });
    }
    Some(Adjustment {
        detail: format!(
            "country {} is not among {}",
            asked.join(", "),
            known.join(", ")
        ),
        delta: COUNTRY_MISMATCH,
    })
}
