//! Name normalisation: from a name as written in any script to comparable ASCII tokens.
//!
//! The steps, in order: removal of every invisible character (default-ignorable code
//! points, format characters, bidi controls — soft hyphens, zero-width spaces and joiners,
//! direction marks and isolates, variation selectors, tags: none of them is part of a name,
//! and a name on a list must not escape screening by carrying one); Unicode NFKC; removal
//! of combining marks (Latin accents, Arabic harakat, Hebrew points); per-script handling of each word (Arabic: the article `ال` is
//! cut and the word is marked *abjad*, since Arabic script writes few vowels; Han and Hangul:
//! one syllable per character, grouped as surname + given name; everything else through
//! `any_ascii`); lowercasing; splitting on punctuation (apostrophes join, hyphens and dots
//! split); then, depending on the schema, legal forms (LLC, ООО, GmbH, شركة, 有限公司…),
//! titles and name particles are recognised.
//!
//! Invariants: every [`Token::text`] is non-empty lowercase ASCII letters or digits; the
//! same input and schema always give the same tokens; [`Token::canon`] and
//! [`Token::skeleton`] are functions of the token text alone, so two equal tokens have
//! equal keys.

use unicode_normalization::UnicodeNormalization;

use crate::candidate::Schema;

/// What part a token plays in a name; decides its weight in a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// An ordinary word of a name.
    Word,
    /// A single letter, taken as an initial.
    Initial,
    /// Digits only (vessel and company names carry numbers that must agree exactly).
    Number,
    /// A name particle (`bin`, `van`, `de`…) that carries little identity.
    Particle,
    /// A Slavic patronymic (`Vladimirovich`) that is often left out of a name.
    Patronymic,
}

impl TokenKind {
    /// The weight of a token of this kind in a name comparison.
    pub fn weight(self) -> f64 {
        match self {
            TokenKind::Word | TokenKind::Number => 1.0,
            TokenKind::Initial | TokenKind::Patronymic => 0.5,
            TokenKind::Particle => 0.3,
        }
    }
}

/// One comparable word of a name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Token {
    /// Lowercase ASCII letters or digits.
    pub text: String,
    /// A canonical spelling that merges common transliteration variants (Kh/H, Yu/Iu/Ju,
    /// W/V, -iy/-y/-ii, double letters…); used as a second comparison key.
    pub canon: String,
    /// The part the token plays.
    pub kind: TokenKind,
    /// Whether the token came from an abjad script (Arabic, Persian, Hebrew).
    pub abjad: bool,
    /// The script the word was written in.
    pub script: Script,
    /// For a word written in Arabic or Hebrew script, its letters as written (after the
    /// article is cut): compared letter by letter with a Latin spelling, long vowels
    /// included, which the transliteration loses.
    pub original: Option<Box<str>>,
}

/// The writing system of a word, as far as comparing names cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Script {
    /// Latin letters (and digits, which every script borrows).
    Latin,
    /// Cyrillic.
    Cyrillic,
    /// Greek.
    Greek,
    /// Arabic script (Arabic, Persian, Urdu, Pashto).
    Arabic,
    /// Hebrew.
    Hebrew,
    /// Han characters (Chinese).
    Han,
    /// Hangul (Korean).
    Hangul,
    /// Japanese kana.
    Kana,
    /// Any other script.
    Other,
}

impl Script {
    /// The script of a letter or digit; `None` for anything else.
    pub fn of(c: char) -> Option<Script> {
        if !c.is_alphanumeric() {
            return None;
        }
        Some(match c {
            _ if c.is_ascii() => Script::Latin,
            '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' => Script::Latin,
            '\u{0400}'..='\u{052F}' | '\u{1C80}'..='\u{1C8F}' => Script::Cyrillic,
            '\u{0370}'..='\u{03FF}' | '\u{1F00}'..='\u{1FFF}' => Script::Greek,
            _ if is_arabic(c) => Script::Arabic,
            _ if is_hebrew(c) => Script::Hebrew,
            _ if is_han(c) => Script::Han,
            _ if is_hangul(c) => Script::Hangul,
            '\u{3040}'..='\u{30FF}' => Script::Kana,
            _ => Script::Other,
        })
    }

    /// Whether names written in the two scripts are customarily transliterated into each
    /// other, so that a comparison through Latin letters is a fair one: the same script,
    /// Latin and any script, or two European alphabets. Between other pairs (Arabic and
    /// Cyrillic, Han and Hangul…) two lossy transliterations meet in the middle, and a match
    /// needs more evidence than the name.
    pub fn transliterates_into(self, other: Script) -> bool {
        let european = |s: Script| matches!(s, Script::Latin | Script::Cyrillic | Script::Greek);
        self == other
            || self == Script::Latin
            || other == Script::Latin
            || (european(self) && european(other))
    }

    /// The script of a word: that of its first letter or digit.
    fn of_word(word: &str) -> Script {
        word.chars().find_map(Script::of).unwrap_or(Script::Latin)
    }
}

impl Token {
    /// Whether the token is `abd` (servant of), which opens a compound given name: a
    /// particle where it meets another `abd`, a word of its own where it does not.
    pub fn opens_compound(&self) -> bool {
        self.kind == TokenKind::Particle
            && (self.text == "abd" || self.original.as_deref() == Some("عبد"))
    }

    /// The consonant skeleton, used to compare a word written in Arabic or Hebrew script
    /// (which writes few vowels) with its Latin spelling. Computed when needed: most
    /// comparisons never use it.
    pub fn skeleton(&self) -> String {
        consonant_skeleton(&self.text)
    }
}

/// A legal form found in a name and set aside for matching.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LegalForm {
    /// The words as they were found, normalised (`ooo`, `limited liability company`).
    pub found: String,
    /// The family it belongs to (`llc`, `jsc`, `ltd`…), for the explanation.
    pub family: &'static str,
}

/// A name ready to be compared.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NormalizedName {
    /// The tokens to match, in the order written.
    pub tokens: Vec<Token>,
    /// Legal forms that were set aside.
    pub legal_forms: Vec<LegalForm>,
    /// When the whole name is written in Han characters (Chinese), those characters, so that
    /// two Han names are compared in the original script rather than through pinyin, which
    /// merges homophones.
    pub han: Option<String>,
    /// When the whole name is written in Hangul (Korean), its syllables: two Hangul names
    /// are compared syllable by syllable, since romanisation merges distinct syllables.
    pub hangul: Option<String>,
}

impl NormalizedName {
    /// The tokens as one string, separated by spaces (for display and explanations).
    pub fn display(&self) -> String {
        let mut out = String::new();
        for token in &self.tokens {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&token.text);
        }
        out
    }
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2A6DF}')
}

fn is_hangul(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7AF}')
}

fn is_arabic(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08FF}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

fn is_hebrew(c: char) -> bool {
    matches!(c, '\u{05D0}'..='\u{05FF}')
}

/// Combining marks and joiners that carry no identity: Latin combining accents, Arabic
/// harakat and tatweel, Hebrew points, zero-width (non-)joiners.
fn is_ignorable_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}' | '\u{0640}' | '\u{0591}'..='\u{05C7}' | '\u{200B}'..='\u{200F}' | '\u{FEFF}')
}

/// Characters that are never part of a name as read: default-ignorable code points, format
/// characters (general category Cf) and bidi controls, from Unicode's own property tables.
pub fn is_invisible(c: char) -> bool {
    use icu_properties::props::{BidiControl, DefaultIgnorableCodePoint, GeneralCategory};
    use icu_properties::{CodePointMapData, CodePointSetData};
    !c.is_ascii()
        && (CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
            || CodePointMapData::<GeneralCategory>::new().get(c) == GeneralCategory::Format
            || CodePointSetData::new::<BidiControl>().contains(c))
}

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '`'
            | '\u{2019}'
            | '\u{2018}'
            | '\u{02BC}'
            | '\u{02BB}'
            | '\u{02B9}'
            | '\u{2032}'
            | '\u{00B4}'
    )
}

/// Legal forms written in Han characters, longest first.
const HAN_LEGAL_FORMS: &[(&str, &str)] = &[
    ("股份有限公司", "jsc"),
    ("有限责任公司", "llc"),
    ("有限責任公司", "llc"),
    ("有限公司", "ltd"),
    ("公司", "company"),
];

/// Arabic-script words that are legal forms (company, establishment).
const ARABIC_LEGAL_FORMS: &[(&str, &str)] = &[
    ("شركة", "company"),
    ("شركه", "company"),
    ("شرکت", "company"),
    ("مؤسسة", "establishment"),
];

/// One word of the original text, transliterated: ASCII pieces, its script and, for an
/// abjad word, the word as written.
struct Piece {
    ascii: String,
    script: Script,
    original: Option<String>,
}

impl Piece {
    fn abjad(&self) -> bool {
        matches!(self.script, Script::Arabic | Script::Hebrew)
    }
}

/// One word after transliteration, before it becomes a token.
struct Word {
    text: String,
    script: Script,
    original: Option<String>,
}

impl Word {
    fn latin(text: String) -> Word {
        Word {
            text,
            script: Script::Latin,
            original: None,
        }
    }

    fn abjad(&self) -> bool {
        matches!(self.script, Script::Arabic | Script::Hebrew)
    }
}

/// Normalises `name` for comparison under `schema` (`None`: unknown).
pub fn normalize(name: &str, schema: Option<Schema>) -> NormalizedName {
    let cleaned = clean(name);
    let mut legal_forms = Vec::new();
    let organisation = schema.is_some_and(Schema::is_organisation);
    let (pieces, han, hangul) = pieces_of(&cleaned, organisation, &mut legal_forms);
    let mut words = words_of(pieces);
    let is_person = schema == Some(Schema::Person);
    if !is_person {
        strip_legal_forms(&mut words, &mut legal_forms, organisation);
    }
    if !organisation {
        strip_titles(&mut words);
    }
    let words = split_abd(words);
    NormalizedName {
        tokens: tokens_of(words, is_person, organisation),
        legal_forms,
        han,
        hangul,
    }
}

/// The name with invisible characters and marks removed, NFKC-normalised, and every
/// character that is not a letter, a digit or an apostrophe turned into a space.
fn clean(name: &str) -> String {
    let keep = |c: char| {
        if c.is_alphanumeric() || is_apostrophe(c) {
            c
        } else {
            ' '
        }
    };
    // ASCII is already in NFKC and holds no invisible character: skip the Unicode tables
    // on the common path.
    if name.is_ascii() {
        return name.chars().map(keep).collect();
    }
    // Invisible characters go before NFKC (so that they never separate what it composes)
    // and after it (it maps some compatibility characters onto them).
    name.chars()
        .filter(|c| !is_invisible(*c))
        .nfkc()
        .filter(|c| !is_ignorable_mark(*c) && !is_invisible(*c))
        .map(keep)
        .collect()
}

/// The cleaned name's words transliterated, with the name's Han and Hangul text when the
/// whole name is written in one of those scripts.
fn pieces_of(
    cleaned: &str,
    organisation: bool,
    legal_forms: &mut Vec<LegalForm>,
) -> (Vec<Piece>, Option<String>, Option<String>) {
    let letters = || cleaned.chars().filter(|c| !c.is_whitespace());
    let all = |f: fn(char) -> bool| letters().next().is_some() && letters().all(f);
    let (all_han, all_hangul) = (all(is_han), all(is_hangul));
    let hangul_words = cleaned
        .split_whitespace()
        .filter(|w| w.chars().any(is_hangul))
        .count();
    let mut pieces: Vec<Piece> = Vec::new();
    let mut han_text = String::new();
    for word in cleaned.split_whitespace() {
        if word.chars().any(|c| is_han(c) || is_hangul(c)) {
            let mut word = word.to_owned();
            for (form, family) in HAN_LEGAL_FORMS {
                if word.chars().count() > form.chars().count()
                    && let Some(stripped) = word.strip_suffix(form)
                {
                    legal_forms.push(LegalForm {
                        found: (*form).to_owned(),
                        family,
                    });
                    word = stripped.to_owned();
                    break;
                }
            }
            han_text.push_str(&word);
            syllable_pieces(&word, organisation, hangul_words > 1, &mut pieces);
        } else if word.chars().any(is_arabic) || word.chars().any(is_hebrew) {
            abjad_piece(word, legal_forms, &mut pieces);
        } else {
            pieces.push(Piece {
                ascii: if word.is_ascii() {
                    word.to_owned()
                } else {
                    any_ascii::any_ascii(word)
                },
                script: Script::of_word(word),
                original: None,
            });
        }
    }
    let (han, hangul) = match (all_han, all_hangul, han_text.is_empty()) {
        (_, _, true) => (None, None),
        (true, _, false) => (Some(han_text), None),
        (_, true, false) => (None, Some(han_text)),
        _ => (None, None),
    };
    (pieces, han, hangul)
}

/// One word written in Arabic or Hebrew script: a legal form is set aside, `الله` joins
/// the word before it, the article `ال` is cut.
fn abjad_piece(word: &str, legal_forms: &mut Vec<LegalForm>, pieces: &mut Vec<Piece>) {
    if let Some((form, family)) = ARABIC_LEGAL_FORMS.iter().find(|(form, _)| *form == word) {
        legal_forms.push(LegalForm {
            found: (*form).to_owned(),
            family,
        });
        return;
    }
    if word == "الله"
        && let Some(previous) = pieces.last_mut().filter(|p| p.abjad())
    {
        // `نصر الله` is one name (Nasrallah), however it is spaced.
        previous.ascii.push_str("llh");
        if let Some(original) = &mut previous.original {
            original.push_str(word);
        }
        return;
    }
    let word = match word.strip_prefix("ال") {
        Some(rest) if rest.chars().count() >= 2 => rest,
        _ => word,
    };
    // `عبدالرحمن` written as one word is `عبد` and `الرحمن`, as `Abdulrahman` is.
    if let Some(rest) = word.strip_prefix("عبد")
        && rest.chars().count() >= 3
    {
        abjad_piece("عبد", legal_forms, pieces);
        abjad_piece(rest, legal_forms, pieces);
        return;
    }
    pieces.push(Piece {
        ascii: any_ascii::any_ascii(word),
        script: Script::of_word(word),
        original: Some(word.to_owned()),
    });
}

/// Transliterated pieces split into lowercase ASCII words.
fn words_of(pieces: Vec<Piece>) -> Vec<Word> {
    let mut words: Vec<Word> = Vec::new();
    for piece in pieces {
        let start = words.len();
        let mut current = String::new();
        for c in piece.ascii.chars() {
            if c.is_ascii_alphanumeric() {
                current.push(c.to_ascii_lowercase());
            } else if c == '\'' || c == '`' {
                // Apostrophes join (O'Brien, Koval'chuk) and stand for Arabic ayn and
                // hamza in transliterations: no letter of their own.
            } else if !current.is_empty() {
                words.push(Word {
                    text: std::mem::take(&mut current),
                    script: piece.script,
                    original: None,
                });
            }
        }
        if !current.is_empty() {
            words.push(Word {
                text: current,
                script: piece.script,
                original: None,
            });
        }
        // The word as written belongs to the token only when it stayed one word.
        if words.len() == start + 1
            && let Some(word) = words.last_mut()
        {
            word.original = piece.original;
        }
    }
    words
}

/// The words of a name as tokens: the Arabic article written as its own word is dropped,
/// particles mistyped by a swap of two letters are recognised.
fn tokens_of(words: Vec<Word>, is_person: bool, organisation: bool) -> Vec<Token> {
    let mut tokens: Vec<Token> = Vec::with_capacity(words.len());
    let n_words = words.len();
    for (index, mut word) in words.into_iter().enumerate() {
        let followed = index + 1 < n_words;
        let text = word.text.as_str();
        // The Arabic article written as its own word (`al-Assad`, `el Sisi`) is dropped
        // when something follows it: spellings differ on whether it is written at all.
        if followed && !organisation && (text == "al" || text == "el") {
            continue;
        }
        if followed && is_person && ASSIMILATED_ARTICLES.contains(&text) {
            continue;
        }
        if is_person
            && word.script == Script::Latin
            && (followed || index == 0)
            && let Some(particle) = swapped_particle(text, index == 0)
        {
            word.text = particle.to_owned();
        }
        tokens.push(make_token(word, !organisation));
    }
    tokens
}

/// A particle mistyped by swapping two neighbouring letters (`bni`, `vna`, `Aub`), which
/// is too short for a fuzzy comparison to forgive. `abu` may start a name or stand inside
/// it; the others stand between its words.
fn swapped_particle(text: &str, first: bool) -> Option<&'static str> {
    const SWAPPABLE: &[&str] = &[
        "bin", "ibn", "ben", "van", "von", "der", "den", "del", "dos", "abu", "abd",
    ];
    let bytes = text.as_bytes();
    if bytes.len() != 3 || SWAPPABLE.contains(&text) {
        return None;
    }
    SWAPPABLE.iter().copied().find(|particle| {
        let p = particle.as_bytes();
        (*particle == "abu" || *particle == "abd" || !first)
            && ((bytes.first() == p.get(1)
                && bytes.get(1) == p.first()
                && bytes.get(2) == p.get(2))
                || (bytes.first() == p.first()
                    && bytes.get(1) == p.get(2)
                    && bytes.get(2) == p.get(1)))
    })
}

/// Assimilated forms of the Arabic article (`ad-Din`, `ar-Rahman`, `as-Sayyid`).
const ASSIMILATED_ARTICLES: &[&str] =
    &["ad", "ar", "as", "at", "az", "an", "ash", "ud", "ur", "ul"];

/// Name particles that carry little identity.
const PARTICLES: &[&str] = &[
    "bin", "ibn", "ben", "bint", "binti", "bn", "bnt", "de", "da", "di", "do", "dos", "das", "del",
    "della", "der", "den", "van", "von", "la", "le", "du", "y",
];

/// Whether `text` is a name particle spelled as written (`bin`, `van`, `abu`, `abd`): two
/// such particles that differ are two particles (`Abu` is father of, `Abd` servant of),
/// not a typo of one another.
pub(crate) fn is_known_particle(text: &str) -> bool {
    PARTICLES.contains(&text) || ["abu", "abou", "abd", "al", "el"].contains(&text)
}

/// The particles of names written in Arabic script, by their letters: son of, daughter
/// of, servant of.
const ABJAD_PARTICLES: &[&str] = &["بن", "ابن", "إبن", "بنت", "عبد", "בן", "בת"];

/// Whether a word of a person's name is a particle. A word written in Arabic script is one
/// by its letters only: its transliteration drops vowels and may spell a Latin particle by
/// accident (`البنا`, al-Banna, is `bn` like `بن`, son of; the surname would then weigh as
/// a particle, and a name made of a given name and that surname would rest on the given
/// name alone).
fn is_particle_word(text: &str, original: Option<&str>) -> bool {
    match original {
        Some(letters) => ABJAD_PARTICLES.contains(&letters),
        None => PARTICLES.contains(&text) || text == "abd",
    }
}

/// Honorifics and titles that are not part of a name.
const TITLES: &[&str] = &[
    "mr", "mrs", "ms", "miss", "dr", "prof", "sir", "sheikh", "shaikh", "shaykh", "haji", "hajji",
];

fn make_token(word: Word, person_like: bool) -> Token {
    let abjad = word.abjad();
    let text = word.text;
    let kind = if text.bytes().all(|b| b.is_ascii_digit()) {
        TokenKind::Number
    } else if text.len() == 1 {
        TokenKind::Initial
    } else if person_like && is_particle_word(&text, word.original.as_deref()) {
        // `abd` (servant of) begins a great many names: it says little on its own.
        TokenKind::Particle
    } else if !abjad
        && if person_like {
            // A title or the article where they are not set aside (`Muhammad Ashraf Haji`,
            // `Motassadeq Mounir el`: a reordered name): words, but they say little.
            TITLES.contains(&text.as_str()) || text == "al" || text == "el"
        } else {
            // A legal form inside an organisation's name, where it is not set aside
            // (`Trading Corporation Kangbong`).
            is_legal_form_word(&text)
        }
    {
        TokenKind::Particle
    } else if person_like && is_patronymic(&text) {
        TokenKind::Patronymic
    } else {
        TokenKind::Word
    };
    let canon = if abjad {
        text.clone()
    } else {
        canonical_spelling(&text)
    };
    Token {
        text,
        canon,
        kind,
        abjad,
        script: word.script,
        original: word.original.map(String::into_boxed_str),
    }
}

fn is_patronymic(text: &str) -> bool {
    text.len() > 6
        && [
            "ovich", "evich", "ovna", "evna", "ogly", "oglu", "kyzy", "ovych", "ivna",
        ]
        .iter()
        .any(|suffix| text.ends_with(suffix))
}

/// Korean surnames in their customary Latin spellings (the Revised Romanization that
/// `any_ascii` gives, `Gim`, `I`, `Bak`, is rarely used for surnames).
const KOREAN_SURNAMES: &[(char, &str)] = &[
    ('김', "kim"),
    ('이', "lee"),
    ('리', "ri"),
    ('박', "park"),
    ('최', "choe"),
    ('정', "jong"),
    ('강', "kang"),
    ('조', "cho"),
    ('윤', "yun"),
    ('장', "jang"),
    ('임', "lim"),
    ('한', "han"),
    ('오', "oh"),
    ('서', "seo"),
    ('신', "shin"),
    ('권', "kwon"),
    ('황', "hwang"),
    ('안', "ahn"),
    ('송', "song"),
    ('류', "ryu"),
    ('홍', "hong"),
    ('문', "moon"),
    ('노', "roh"),
];

/// One Hangul syllable in Latin letters. The Revised Romanization's `eo` and `eu` are
/// written `o` and `u` in the McCune-Reischauer spellings used for North Korean names
/// (`Jeong-eun` / `Jong Un`).
fn hangul_syllable(c: char, first: bool) -> String {
    if first && let Some((_, surname)) = KOREAN_SURNAMES.iter().find(|(k, _)| *k == c) {
        return (*surname).to_owned();
    }
    let latin = any_ascii::any_ascii_char(c)
        .to_ascii_lowercase()
        .replace("eo", "o")
        .replace("eu", "u");
    // An initial ㄹ is written r (Ryong), not l.
    match latin.strip_prefix('l') {
        Some(rest) if !first => format!("r{rest}"),
        _ => latin,
    }
}

/// Splits Han or Hangul syllables into words. A person's name written as one word becomes
/// a surname and a given name (`习近平` → `xi jinping`, `김영철` → `kim yongchol`), the usual
/// way these names are written in Latin letters. When a Korean name is written in several
/// words (`김 영철`, `영철 김`), a one-syllable word is the surname and a longer one the
/// given name, whatever the order. An organisation's name becomes two-syllable words
/// (`华为技术` → `huawei jishu`), since most Chinese words have two syllables.
fn syllable_pieces(word: &str, organisation: bool, spaced: bool, pieces: &mut Vec<Piece>) {
    let hangul = word.chars().any(is_hangul);
    let one_syllable = word.chars().count() == 1;
    let mut syllables: Vec<String> = Vec::new();
    let mut other = String::new();
    for c in word.chars() {
        if is_han(c) || is_hangul(c) {
            if !other.is_empty() {
                syllables.push(any_ascii::any_ascii(&std::mem::take(&mut other)));
            }
            if is_hangul(c) {
                let surname_position = if spaced {
                    one_syllable
                } else {
                    syllables.is_empty()
                };
                syllables.push(hangul_syllable(c, surname_position));
            } else {
                syllables.push(any_ascii::any_ascii_char(c).to_ascii_lowercase());
            }
        } else {
            other.push(c);
        }
    }
    if !other.is_empty() {
        syllables.push(any_ascii::any_ascii(&other));
    }
    let script = if hangul { Script::Hangul } else { Script::Han };
    let piece = |ascii: String| Piece {
        ascii,
        script,
        original: None,
    };
    if organisation {
        for pair in syllables.chunks(2) {
            pieces.push(piece(pair.concat()));
        }
    } else if hangul && spaced {
        pieces.push(piece(syllables.concat()));
    } else if (2..=4).contains(&syllables.len()) {
        let mut rest = syllables.into_iter();
        if let Some(surname) = rest.next() {
            pieces.push(piece(surname));
        }
        pieces.push(piece(rest.collect::<String>()));
    } else {
        for syllable in syllables {
            pieces.push(piece(syllable));
        }
    }
}

/// A comparison key for Korean names in Latin letters that merges the romanisation
/// systems in use: Revised Romanization (`Yeong-cheol`), McCune-Reischauer as North Korean
/// names are written (`Yong Chol`), and customary spellings (`Young-chul`, `Lee`, `Park`,
/// `Choi`). Vowels `eo`/`o`/`u`/`eu`/`oo` fall together, as do `ee`/`i`, `ae`/`e`; voiced
/// and unvoiced consonants (`g`/`k`, `d`/`t`, `b`/`p`, `j`/`ch`), `r`/`l`, `sh`/`s`,
/// MR's `th` for `t`; an initial `r`/`l` before `i` or `y` is dropped (`Ri`/`Lee`/`Yi`).
/// Applied to the text of whole words (the syllables joined), it needs no syllable split.
pub fn korean_key(text: &str) -> String {
    let text = text.to_ascii_lowercase();
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&c) = bytes.get(i) {
        let next = bytes.get(i + 1).copied();
        let (letter, step): (Option<char>, usize) = match (c, next) {
            (b'r' | b'l', Some(b'h')) if i == 0 => (None, 2),
            (b'r' | b'l', Some(b'i' | b'y' | b'e')) if i == 0 => (None, 1),
            (b'r', Some(b'a' | b'o' | b'u')) if i == 0 => (Some('n'), 1),
            (b'r', Some(b'k')) => (None, 1),
            (b'h', next)
                if out.ends_with(['a', 'e', 'i', 'u'])
                    && next.is_none_or(|n| !b"aeiouy".contains(&n)) =>
            {
                (None, 1)
            }
            (b'w', Some(b'o' | b'u')) if out.is_empty() && bytes.get(i + 2) != Some(&b'n') => {
                (None, 1)
            }
            (b'c', Some(b'h')) | (b't', Some(b's')) => (Some('c'), 2),
            (b's' | b't' | b'k' | b'p', Some(b'h')) => (Some(char::from(c)), 2),
            (b'e', Some(b'o' | b'u')) => (Some('u'), 2),
            (b'o', Some(b'o' | b'u')) => (Some('u'), 2),
            (b'e', Some(b'e')) => (Some('i'), 2),
            (b'u', Some(b'i')) => (Some('i'), 2),
            (b'a', Some(b'e')) => (Some('e'), 2),
            (b'o', Some(b'i' | b'e')) => (Some('e'), 2),
            (b'o', _) => (Some('u'), 1),
            (b'g', _) => (Some('k'), 1),
            (b'd', _) => (Some('t'), 1),
            (b'b', _) => (Some('p'), 1),
            (b'j', _) => (Some('c'), 1),
            (b'l', _) => (Some('r'), 1),
            (b'y', Some(b'i')) if out.is_empty() => (None, 1),
            (other, _) if other.is_ascii_alphanumeric() => (Some(char::from(other)), 1),
            _ => (None, 1),
        };
        if let Some(letter) = letter
            && !out.ends_with(letter)
        {
            out.push(letter);
        }
        i += step;
    }
    out
}

/// A legal form as normalised words, its family, and whether the words are also common in
/// names of people or in ordinary words (then it is only set aside when the schema says the
/// name is an organisation's).
struct LegalFormEntry {
    words: &'static [&'static str],
    family: &'static str,
    ambiguous: bool,
}

macro_rules! legal {
    ($family:literal, $ambiguous:literal, $($word:literal)+) => {
        LegalFormEntry { words: &[$($word),+], family: $family, ambiguous: $ambiguous }
    };
}

/// Legal forms across languages, after transliteration. Longer phrases first, so that
/// `limited liability company` is taken whole before `company`.
const LEGAL_FORMS: &[LegalFormEntry] = &[
    legal!("llc", false, "obshchestvo" "s" "ogranichennoy" "otvetstvennostyu"),
    legal!("llc", false, "tovarystvo" "z" "obmezhenoyu" "vidpovidalnistyu"),
    legal!("llc", false, "limited" "liability" "company"),
    legal!("llc", false, "limited" "liability" "partnership"),
    legal!("gmbh", false, "gesellschaft" "mit" "beschrankter" "haftung"),
    legal!("jsc", false, "publichnoe" "aktsionernoe" "obshchestvo"),
    legal!("jsc", false, "otkrytoe" "aktsionernoe" "obshchestvo"),
    legal!("jsc", false, "zakrytoe" "aktsionernoe" "obshchestvo"),
    legal!("jsc", false, "aktsionernoe" "obshchestvo"),
    legal!("jsc", false, "public" "joint" "stock" "company"),
    legal!("jsc", false, "open" "joint" "stock" "company"),
    legal!("jsc", false, "closed" "joint" "stock" "company"),
    legal!("jsc", false, "joint" "stock" "company"),
    legal!("jsc", false, "joint" "stock" "co"),
    legal!("ltd", false, "public" "limited" "company"),
    legal!("ltd", false, "private" "limited" "company"),
    legal!("ltd", false, "private" "limited"),
    legal!("ltd", false, "company" "limited"),
    legal!("ltd", false, "sdn" "bhd"),
    legal!("llc", false, "sp" "z" "o" "o"),
    legal!("llc", false, "s" "r" "o"),
    legal!("llc", false, "d" "o" "o"),
    legal!("llc", false, "fz" "llc"),
    legal!("llc", false, "l" "l" "c"),
    legal!("llc", false, "s" "a" "r" "l"),
    legal!("jsc", false, "s" "p" "a"),
    legal!("jsc", false, "s" "a" "s"),
    legal!("jsc", true, "s" "a"),
    legal!("jsc", true, "n" "v"),
    legal!("jsc", true, "a" "g"),
    legal!("llc", true, "b" "v"),
    legal!("ltd", false, "p" "l" "c"),
    legal!("jsc", false, "j" "s" "c"),
    legal!("jsc", false, "p" "j" "s" "c"),
    legal!("llc", false, "llc"),
    legal!("llc", false, "ooo"),
    legal!("llc", false, "tov"),
    legal!("llc", false, "gmbh"),
    legal!("llc", false, "sarl"),
    legal!("llc", false, "srl"),
    legal!("llc", false, "spzoo"),
    legal!("llc", false, "sro"),
    legal!("llc", false, "doo"),
    legal!("llc", false, "eood"),
    legal!("llc", false, "ood"),
    legal!("llc", false, "kft"),
    legal!("llc", false, "ltda"),
    legal!("llc", false, "fzllc"),
    legal!("llc", false, "fze"),
    legal!("llc", false, "fzco"),
    legal!("llc", false, "fzc"),
    legal!("llc", false, "llp"),
    legal!("llc", false, "bv"),
    legal!("jsc", false, "jsc"),
    legal!("jsc", false, "pjsc"),
    legal!("jsc", false, "ojsc"),
    legal!("jsc", false, "cjsc"),
    legal!("jsc", false, "oao"),
    legal!("jsc", false, "zao"),
    legal!("jsc", false, "pao"),
    legal!("jsc", false, "aktiengesellschaft"),
    legal!("jsc", true, "ao"),
    legal!("jsc", true, "ag"),
    legal!("jsc", true, "sa"),
    legal!("jsc", true, "spa"),
    legal!("jsc", true, "nv"),
    legal!("jsc", true, "as"),
    legal!("jsc", true, "asa"),
    legal!("jsc", true, "ab"),
    legal!("jsc", true, "ad"),
    legal!("jsc", true, "sal"),
    legal!("jsc", true, "sas"),
    legal!("ltd", false, "ltd"),
    legal!("ltd", false, "limited"),
    legal!("ltd", false, "plc"),
    legal!("ltd", false, "pte"),
    legal!("ltd", false, "pvt"),
    legal!("ltd", false, "pty"),
    legal!("ltd", false, "bhd"),
    legal!("ltd", true, "tbk"),
    legal!("ltd", true, "pt"),
    legal!("ltd", true, "lp"),
    legal!("ltd", true, "kg"),
    legal!("inc", false, "inc"),
    legal!("inc", false, "incorporated"),
    legal!("inc", false, "corp"),
    legal!("inc", false, "corporation"),
    legal!("company", false, "company"),
    legal!("company", true, "co"),
    legal!("company", true, "cie"),
    legal!("company", true, "too"),
    legal!("company", true, "wll"),
    legal!("company", true, "est"),
    legal!("company", true, "establishment"),
    legal!("company", false, "sharikat"),
    legal!("company", false, "shirkat"),
    legal!("company", false, "sherkat"),
    legal!("article", true, "the"),
];

/// Whether `word` begins or ends some legal form: a quick test that spares most names the
/// walk through [`LEGAL_FORMS`].
fn may_bound_legal_form(word: &str) -> bool {
    static BOUNDARY_WORDS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    let words = BOUNDARY_WORDS.get_or_init(|| {
        let mut words: Vec<&'static str> = LEGAL_FORMS
            .iter()
            .flat_map(|e| e.words.first().into_iter().chain(e.words.last()))
            .copied()
            .collect();
        words.sort_unstable();
        words.dedup();
        words
    });
    words.binary_search(&word).is_ok()
}

/// Whether `word` is a legal form on its own (`corporation`, `ltd`, `co`), or one typo
/// from one of four letters or more (`Copr`, `Limted`; in four letters only two letters
/// swapped, since `Core` is a word, or a letter changed where that leaves no vowel: `Cprp`
/// is no word of any name).
fn is_legal_form_word(word: &str) -> bool {
    let vowelless = !word.bytes().any(|b| b"aeiouy".contains(&b));
    LEGAL_FORMS.iter().any(|entry| {
        let [form] = entry.words else {
            return false;
        };
        if *form == word {
            return true;
        }
        let distance = || crate::similarity::osa_distance(form.as_bytes(), word.as_bytes());
        match (form.len(), word.len()) {
            (4, 4) => {
                let (mut x, mut y) = (form.as_bytes().to_vec(), word.as_bytes().to_vec());
                x.sort_unstable();
                y.sort_unstable();
                (x == y || vowelless) && distance() == 1
            }
            (f, w) if f >= 5 && w >= 4 => !entry.ambiguous && distance() == 1,
            _ => false,
        }
    })
}

fn strip_legal_forms(words: &mut Vec<Word>, found: &mut Vec<LegalForm>, is_organisation: bool) {
    let bounded = |words: &Vec<Word>| {
        words.first().is_some_and(|w| may_bound_legal_form(&w.text))
            || words.last().is_some_and(|w| may_bound_legal_form(&w.text))
    };
    if !bounded(words) {
        return;
    }
    let allowed = |entry: &LegalFormEntry| is_organisation || !entry.ambiguous;
    // Legal forms stand at either end of a name; one found in the middle is part of it.
    loop {
        let mut stripped = false;
        let first = words.first().map(|w| w.text.clone()).unwrap_or_default();
        let last = words.last().map(|w| w.text.clone()).unwrap_or_default();
        for entry in LEGAL_FORMS.iter().filter(|e| allowed(e)) {
            let n = entry.words.len();
            let (Some(entry_first), Some(entry_last)) = (entry.words.first(), entry.words.last())
            else {
                continue;
            };
            if *entry_first != first && *entry_last != last {
                continue;
            }
            if words.len() > n
                && words
                    .iter()
                    .skip(words.len() - n)
                    .map(|w| w.text.as_str())
                    .eq(entry.words.iter().copied())
            {
                let removed: Vec<String> = words.drain(words.len() - n..).map(|w| w.text).collect();
                found.push(LegalForm {
                    found: removed.join(" "),
                    family: entry.family,
                });
                stripped = true;
                break;
            }
            if words.len() > n
                && words
                    .iter()
                    .take(n)
                    .map(|w| w.text.as_str())
                    .eq(entry.words.iter().copied())
            {
                let removed: Vec<String> = words.drain(..n).map(|w| w.text).collect();
                found.push(LegalForm {
                    found: removed.join(" "),
                    family: entry.family,
                });
                stripped = true;
                break;
            }
        }
        if !stripped {
            return;
        }
    }
}

fn strip_titles(words: &mut Vec<Word>) {
    // Only words written in Latin letters: an Arabic name transliterated without vowels can
    // spell a title (`عمر`, Omar, is `mr`).
    while words.len() > 1
        && words
            .first()
            .is_some_and(|w| !w.abjad() && TITLES.contains(&w.text.as_str()))
    {
        words.remove(0);
    }
}

/// `Abdul Rahman`, `Abd al-Rahman`, `Abdulrahman`, `Abdel Rahman` and `Abdurrahman` are one
/// name: the servant-of prefix is split off as its own word `abd`. A prefix with a typo
/// in it (`Adbul`, `Abudl`, `Abdl`) is recognised too: rewriting only the well-spelled
/// forms would leave the mistyped one unable to meet its original, since the original is
/// rewritten and the typo is not.
fn split_abd(words: Vec<Word>) -> Vec<Word> {
    let mut out = Vec::with_capacity(words.len() + 1);
    let mut words = words.into_iter().peekable();
    while let Some(word) = words.next() {
        if word.script != Script::Latin {
            out.push(word);
            continue;
        }
        let text = word.text.as_str();
        // `abd` with a typo, before the article it takes (`And el-Samie`, `Abs-al Rahim`):
        // a word of three letters one edit from `abd`, keeping its `a` and one of `b`, `d`.
        if text.len() == 3
            && text.starts_with('a')
            && (text.contains('b') || text.contains('d'))
            && crate::similarity::osa_distance(text.as_bytes(), b"abd") == 1
            && words
                .peek()
                .is_some_and(|next| ["al", "el", "ul"].contains(&next.text.as_str()))
        {
            out.push(Word::latin("abd".to_owned()));
            continue;
        }
        // `Abdullah` in its spellings, and one typo from any of them (`Abbdalla`).
        const ABDULLAH: &[&str] = &["abdullah", "abdallah", "abdulla", "abdalla", "abdollah"];
        if ABDULLAH.contains(&text)
            || ((6..=9).contains(&text.len())
                && ABDULLAH
                    .iter()
                    .any(|s| crate::similarity::osa_distance(text.as_bytes(), s.as_bytes()) <= 1))
        {
            out.push(Word::latin("abdullah".to_owned()));
            continue;
        }
        match abd_prefix(text) {
            Some("") => out.push(Word::latin("abd".to_owned())),
            Some(rest) => {
                // A doubled first letter is the article assimilated (`abdur-rrahman`).
                let bytes = rest.as_bytes();
                let rest = if bytes.first() == bytes.get(1) {
                    rest.get(1..).unwrap_or(rest)
                } else {
                    rest
                };
                out.push(Word::latin("abd".to_owned()));
                out.push(Word::latin(rest.to_owned()));
            }
            None => out.push(word),
        }
    }
    out
}

/// The spellings of the servant-of prefix, with the article joined to it.
const ABD_PREFIXES: &[&str] = &[
    "abdoul", "abdul", "abdel", "abdal", "abdol", "abdur", "abdar", "abdor", "abdus", "abdun",
];

/// What follows the servant-of prefix in `word` (empty when the word is the prefix alone),
/// or `None` when the word does not start with it. Exact spellings first; then a prefix
/// one typo (a letter swapped, dropped, added or changed) away from `abdul`/`abdel`/
/// `abdal`/`abdul`, provided what remains is long enough to be a name.
fn abd_prefix(word: &str) -> Option<&str> {
    for prefix in ABD_PREFIXES {
        if let Some(rest) = word.strip_prefix(prefix) {
            return (rest.is_empty() || rest.len() >= 3).then_some(rest);
        }
    }
    if word == "abd" {
        return Some("");
    }
    let bare = word.strip_prefix("abd").filter(|rest| rest.len() >= 4);
    if !word.starts_with('a') || word.len() < 4 {
        return bare;
    }
    const TYPO_FORMS: &[&str] = &["abdul", "abdel", "abdal", "abdoul"];
    for form in TYPO_FORMS {
        for cut in form.len().saturating_sub(1)..=form.len() + 1 {
            let (Some(head), Some(rest)) = (word.get(..cut), word.get(cut..)) else {
                continue;
            };
            if (rest.is_empty() || rest.len() >= 3)
                && crate::similarity::osa_distance(head.as_bytes(), form.as_bytes()) <= 1
                // A typo keeps the `b` and the `d` of `abd` in a short word (`Adel`, `Adil`
                // and `Abul` are names of their own) and one of them in a longer one
                // (`Absul`, `Avdul`); `Adul` is no name, only `Abdul` without its `b`.
                && if head.len() <= 4 {
                    (head.contains('b') && head.contains('d')) || head == "adul"
                } else {
                    head.contains('b') || head.contains('d')
                }
            {
                return Some(rest);
            }
        }
    }
    bare
}

/// A canonical spelling that merges transliteration variants of the same sound: Cyrillic
/// romanisations (Kh/H, Yu/Iu/Ju, -iy/-ii/-y, Shch/Sch), W/V, Ph/F, Ks/X, Ou/U, doubled
/// letters. Applied to both sides of a comparison, it is only ever used as a second key.
pub fn canonical_spelling(text: &str) -> String {
    // Pass 1, left to right: digraphs, then single letters (w→v, y/j→i).
    const DIGRAPHS: &[(&[u8], &[u8])] = &[
        (b"shch", b"sh"),
        (b"tsch", b"ch"),
        (b"tch", b"ch"),
        (b"sch", b"sh"),
        (b"kh", b"h"),
        // ق and غ: `Qasem` / `Ghasem` / `Kassem`.
        (b"gh", b"k"),
        (b"ph", b"f"),
        (b"ck", b"k"),
        (b"ks", b"x"),
        (b"tz", b"ts"),
        (b"ae", b"a"),
        (b"oe", b"o"),
    ];
    let bytes = text.as_bytes();
    let mut mapped: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    'outer: while let Some(rest) = bytes.get(i..) {
        if rest.is_empty() {
            break;
        }
        for (from, to) in DIGRAPHS {
            // The `g` of `ng` before an `h` starts no `gh` (`Tongho`).
            if *from == b"gh" && i > 0 && bytes.get(i - 1) == Some(&b'n') {
                continue;
            }
            if rest.starts_with(from) {
                mapped.extend_from_slice(to);
                i += from.len();
                continue 'outer;
            }
        }
        mapped.push(match rest.first().copied().unwrap_or(b' ') {
            b'w' => b'v',
            b'q' => b'k',
            b'y' | b'j' => b'i',
            other => other,
        });
        i += 1;
    }
    // Pass 2: `ou`→u, `ie`/`io`→e (Yevgeny/Evgeny, Pyotr/Petr, Fyodor/Fedor), then o→u,
    // since Arabic names write one vowel as o or u (Omar/Umar, Moammar/Muammar), and
    // doubled letters collapse.
    let mut out = String::with_capacity(mapped.len());
    let mut i = 0;
    while let Some(&c) = mapped.get(i) {
        let next = mapped.get(i + 1).copied();
        let (letter, step) = match (c, next) {
            (b'o', Some(b'u')) => ('u', 2),
            // `iou` is i + `ou` (Youri → iuri), not `io` + u.
            (b'i', Some(b'o')) if mapped.get(i + 2) == Some(&b'u') => ('i', 1),
            // …but not in `-yong`/`-yeong`, the Korean and Chinese syllables.
            (b'i', Some(b'e' | b'o'))
                if !(mapped.get(i + 2) == Some(&b'n') && mapped.get(i + 3) == Some(&b'g')) =>
            {
                ('e', 2)
            }
            (b'o', _) => ('u', 1),
            (other, _) => (char::from(other), 1),
        };
        if !out.ends_with(letter) {
            out.push(letter);
        }
        i += step;
    }
    arabic_given_name(&out).map_or(out, str::to_owned)
}

/// The most frequent Arabic given names have many Latin spellings that generic rules do
/// not merge (`Mohamed`, `Muhammad`, `Mohd`; `Ahmed`, `Ahmad`; `Yousef`, `Yusuf`), and
/// `din` is written with the article joined (`Eddine`, `Uddin`, `Aldin`). The written
/// spelling stays the token's text, so that a typo in it (`Eddone`) still meets its
/// original by spelling.
fn arabic_given_name(canon: &str) -> Option<&'static str> {
    if ["edine", "edin", "udin", "uden", "adin", "aldin"].contains(&canon) {
        return Some("din");
    }
    let b = canon.as_bytes();
    let is = |c: u8, set: &[u8]| set.contains(&c);
    match b {
        [b'm', v1, b'h', v2, b'm', v3, b'd']
            if is(*v1, b"u") && is(*v2, b"ae") && is(*v3, b"ae") =>
        {
            Some("muhamad")
        }
        [b'm', b'h', b'd'] | [b'm', b'u', b'h', b'd'] => Some("muhamad"),
        [b'a', b'h', b'm', v, b'd'] if is(*v, b"ae") => Some("ahmad"),
        [b'i', b'u', b's', v, b'f'] if is(*v, b"eu") => Some("iusuf"),
        _ => None,
    }
}

/// The consonants of a word, for comparing with a word from an abjad script: vowels and
/// the semivowels y/w/v dropped, letters with several customary spellings merged into one
/// class, doubled letters collapsed, a final `h` (the Arabic ta marbuta) dropped.
pub fn consonant_skeleton(text: &str) -> String {
    // Arabic letters with several customary Latin spellings fall into one class:
    // ق as q/k/g (Qaddafi, Gaddafi, Kadhafi), ذ ظ ض as dh/z/d (Zawahiri, Gaddafi, Hafiz).
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&c) = bytes.get(i) {
        i += 1;
        let letter = match c {
            b'a' | b'e' | b'i' | b'o' | b'u' | b'y' | b'w' | b'v' => continue,
            b'd' if bytes.get(i) == Some(&b'h') => {
                i += 1;
                'd'
            }
            // `ch` is French for ش (Cherif, Achour), as `sh` is English.
            b'c' if bytes.get(i) == Some(&b'h') => 's',
            // ج is j in most spellings and g in Egyptian ones (Gamal).
            b'q' | b'g' | b'c' | b'j' => 'k',
            b'z' => 'd',
            other => char::from(other),
        };
        if !out.ends_with(letter) {
            out.push(letter);
        }
    }
    if out.len() > 2 && out.ends_with('h') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(name: &str, schema: Option<Schema>) -> Vec<String> {
        normalize(name, schema)
            .tokens
            .iter()
            .map(|t| t.text.to_string())
            .collect()
    }

    #[test]
    fn cyrillic_is_transliterated() {
        assert_eq!(
            texts("Владимир Путин", Some(Schema::Person)),
            ["vladimir", "putin"]
        );
    }

    #[test]
    fn han_names_split_into_surname_and_given_name() {
        let name = normalize("习近平", Some(Schema::Person));
        assert_eq!(
            name.tokens.iter().map(|t| &*t.text).collect::<Vec<_>>(),
            ["xi", "jinping"]
        );
        assert_eq!(name.han.as_deref(), Some("习近平"));
    }

    #[test]
    fn arabic_article_is_cut_and_tokens_are_abjad() {
        let name = normalize("عبد الرحمن", Some(Schema::Person));
        assert_eq!(
            name.tokens.iter().map(|t| &*t.text).collect::<Vec<_>>(),
            ["bd", "rhmn"]
        );
        assert!(name.tokens.iter().all(|t| t.abjad));
    }

    #[test]
    fn legal_forms_are_set_aside() {
        let name = normalize("ООО «Газпром экспорт»", Some(Schema::Company));
        assert_eq!(
            name.tokens.iter().map(|t| &*t.text).collect::<Vec<_>>(),
            ["gazprom", "eksport"]
        );
        assert_eq!(name.legal_forms.first().map(|f| f.family), Some("llc"));
        assert_eq!(
            texts("Acme Trading Co., Ltd.", Some(Schema::Company)),
            ["acme", "trading"]
        );
        // A person called `Sa` keeps the name; an unknown schema keeps ambiguous forms.
        assert_eq!(texts("Ali Sa", Some(Schema::Person)), ["ali", "sa"]);
        assert_eq!(texts("Acme SA", None), ["acme", "sa"]);
        assert_eq!(texts("Acme LLC", None), ["acme"]);
    }

    #[test]
    fn arabic_words_are_not_taken_for_titles() {
        // `عمر` (Omar) transliterates to `mr`, which is also the title Mr.
        assert_eq!(texts("عمر البشير", Some(Schema::Person)), ["mr", "bshyr"]);
        assert_eq!(
            texts("Mr Omar Bashir", Some(Schema::Person)),
            ["omar", "bashir"]
        );
    }

    #[test]
    fn abd_prefix_is_split() {
        for spelling in [
            "Abdul Rahman",
            "Abd al-Rahman",
            "Abdulrahman",
            "Abdel Rahman",
            "Abdurrahman",
        ] {
            assert_eq!(
                texts(spelling, Some(Schema::Person)),
                ["abd", "rahman"],
                "{spelling}"
            );
        }
    }

    #[test]
    fn canonical_spelling_merges_variants() {
        for group in [
            &["yuriy", "iurii", "yuri", "jurij", "youri"][..],
            &["khodorkovsky", "hodorkovskiy", "khodorkovskii"][..],
            &["aleksandr", "alexandr"][..],
            &["vladimir", "wladimir"][..],
        ] {
            let first = canonical_spelling(group[0]);
            for other in group {
                assert_eq!(canonical_spelling(other), first, "{other}");
            }
        }
    }

    #[test]
    fn skeletons_meet_across_scripts() {
        let arabic = normalize("محمد", Some(Schema::Person));
        let latin = normalize("Mohammed", Some(Schema::Person));
        assert_eq!(arabic.tokens[0].skeleton(), latin.tokens[0].skeleton());
    }
}
