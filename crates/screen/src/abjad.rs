//! A word written in Arabic script against a Latin spelling, letter by letter.
//!
//! Arabic script writes consonants and long vowels (ا و ي) but not short vowels, so a
//! transliteration to consonants alone (`حسن` and `حسين` both `hsn`) throws away what
//! tells `Hassan` from `Hussein`. Here the word as written is aligned with the Latin
//! spelling: every consonant must be spelled by one of its customary Latin spellings
//! (`ق` as q, k, g, gh…; `ج` as j, g, dj), every long vowel by a Latin vowel of its
//! kind (`ي` as i, e, ee, ei, ai or y; `و` as u, o, ou, oo or the consonant w/v), and
//! the Latin short vowels between them are free — except a vowel doubled or paired
//! (`ee`, `ei`, `ou`), which writes a long vowel the Arabic must have, and a final
//! `i`/`y`, which writes the final `ي` of a nisba (`Hamdi`, `al-Masri`). The ayn and
//! hamza may be silent or carry a vowel; a final `ة`/`ه` may be silent or spelled `a`,
//! `ah`, `e`, `eh`.
//!
//! The result is the number of edits (a letter the other side lacks or spells otherwise)
//! of the cheapest alignment, capped at [`MAX_EDITS`]. Pure and deterministic.

/// Alignments costing more than this are not matches.
pub const MAX_EDITS: u8 = 1;

/// A long vowel one side writes and the other lacks: a different name (`Hassan`/`حسين`,
/// `Hamdi`/`حامد`), not a typo.
const VOWEL_MISMATCH: u8 = MAX_EDITS + 1;

/// What an Arabic letter may be spelled as in Latin letters.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Unit {
    /// A consonant, with its customary spellings.
    Consonant(&'static [&'static str]),
    /// A letter that may also be silent: ayn, hamza, a final ta marbuta or ha.
    Optional(&'static [&'static str]),
    /// Alef: a long `a`.
    LongA,
    /// Waw: a long `u`/`o`, or the consonant `w`/`v`.
    Waw,
    /// Ya: a long `i`/`e`, a diphthong `ai`/`ei`, or the consonant `y`.
    Ya,
}

const VOWELS_ANY: &[&str] = &["", "a", "e", "i", "o", "u", "aa", "ou"];
const FINAL_TA: &[&str] = &["", "a", "ah", "e", "eh", "at", "et", "h"];
const LONG_A: &[&str] = &["a", "aa", "e", "ah"];
// A waw written once may stand for both the consonant and the long vowel (`داود`, Davood).
const WAW: &[&str] = &[
    "w", "v", "u", "o", "ou", "oo", "ow", "uu", "wa", "ua", "oe", "au", "voo", "vou", "vu", "woo",
    "wu",
];
const YA: &[&str] = &[
    "y", "i", "e", "ee", "ei", "ey", "ai", "ay", "ie", "iy", "ii", "ye", "j",
];

/// The units of an Arabic-script word, or `None` when a letter is not Arabic script.
fn units(word: &str) -> Option<Vec<Unit>> {
    let letters: Vec<char> = word.chars().collect();
    let last = letters.len().saturating_sub(1);
    let mut out = Vec::with_capacity(letters.len());
    for (i, c) in letters.iter().copied().enumerate() {
        let unit = match c {
            'ب' => Unit::Consonant(&["b", "p"]),
            'پ' => Unit::Consonant(&["p", "b"]),
            'ت' | 'ط' => Unit::Consonant(&["t", "th"]),
            'ث' => Unit::Consonant(&["th", "s", "t"]),
            'ج' => Unit::Consonant(&["j", "g", "dj", "dsch", "dj", "zh", "dzh"]),
            'چ' => Unit::Consonant(&["ch", "tch", "tsch", "c", "tsh"]),
            'ح' => Unit::Consonant(&["h", "hh"]),
            'خ' => Unit::Consonant(&["kh", "ch", "h", "x", "k"]),
            'د' => Unit::Consonant(&["d"]),
            'ذ' => Unit::Consonant(&["dh", "z", "d", "th"]),
            'ر' => Unit::Consonant(&["r"]),
            'ز' => Unit::Consonant(&["z", "s"]),
            'ژ' => Unit::Consonant(&["zh", "j", "g", "s"]),
            'س' | 'ص' => Unit::Consonant(&["s", "ss", "ç", "ts"]),
            'ش' => Unit::Consonant(&["sh", "ch", "sch", "s", "x"]),
            'ض' | 'ظ' => Unit::Consonant(&["d", "dh", "z", "th"]),
            'غ' => Unit::Consonant(&["gh", "g", "r"]),
            'ف' => Unit::Consonant(&["f", "ph", "v"]),
            'ق' => Unit::Consonant(&["q", "k", "g", "gh", "c", "ck", "kh"]),
            'ك' | 'ک' => Unit::Consonant(&["k", "c", "ck", "q", "ch"]),
            'گ' => Unit::Consonant(&["g", "gu"]),
            'ل' => Unit::Consonant(&["l"]),
            'م' => Unit::Consonant(&["m"]),
            'ن' => Unit::Consonant(&["n"]),
            'ه' | 'ھ' | 'ہ' if i == last && i > 0 => Unit::Optional(FINAL_TA),
            // Word-initial `he` is always the consonant h (`هاشمي`, Hashemi): never silent,
            // or `Eslami` would read as `هاشمي` with one letter added.
            'ه' | 'ھ' | 'ہ' if i == 0 => Unit::Consonant(&["h"]),
            // Persian writes a silent `he` inside compounds once the zero-width non-joiner
            // is gone (`خامنه‌ای`, Khamenei).
            'ه' | 'ھ' | 'ہ' => Unit::Optional(&["h", "e", "eh", "a", "ah"]),
            'ة' => Unit::Optional(FINAL_TA),
            'ع' | 'ء' | 'أ' | 'إ' | 'ؤ' | 'ئ' => Unit::Optional(VOWELS_ANY),
            'ا' | 'آ' | 'ٱ' if i == 0 => Unit::Optional(VOWELS_ANY),
            'ا' | 'آ' | 'ٱ' | 'ى' if c != 'ى' || i == last => Unit::LongA,
            'و' => Unit::Waw,
            'ي' | 'ی' | 'ى' | 'ې' | 'ێ' => Unit::Ya,
            _ => return None,
        };
        out.push(unit);
    }
    Some(out)
}

/// How many consonants the word has: letters other than the long vowels, a final ta
/// marbuta or `he`, and a word-initial ayn, hamza or alef (which Latin spellings write as a
/// vowel: `عمر` Omar). A word of two or fewer (`علي`, `عمر`, `داود`, `میر`) says little on
/// its own.
pub fn consonant_count(word: &str) -> Option<usize> {
    units(word)?;
    let letters: Vec<char> = word.chars().collect();
    let last = letters.len().saturating_sub(1);
    Some(
        letters
            .iter()
            .enumerate()
            .filter(|(i, c)| {
                let vowel = matches!(c, 'ا' | 'آ' | 'ٱ' | 'ى' | 'و' | 'ي' | 'ی' | 'ې' | 'ێ' | 'ة');
                let final_he = *i == last && matches!(c, 'ه' | 'ھ' | 'ہ');
                let initial_glottal = *i == 0 && matches!(c, 'ع' | 'ء' | 'أ' | 'إ' | 'ؤ' | 'ئ');
                !(vowel || final_he || initial_glottal)
            })
            .count(),
    )
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// The edits needed to read `latin` (lowercase ASCII) as a spelling of `word` (Arabic
/// script), or `None` when more than [`MAX_EDITS`] are needed or the word is not in
/// Arabic script.
pub fn edits(word: &str, latin: &str) -> Option<u8> {
    let units = units(word)?;
    let text = latin.as_bytes();
    // A leading `al`/`el` is the article written joined (`Alkahtani`); the Arabic word
    // reaches here with its article cut.
    let mut best = align(&units, text);
    for article in [&b"al"[..], b"el", b"ul"] {
        if let Some(rest) = text.strip_prefix(article)
            && rest.len() >= 3
        {
            best = best.min(align(&units, rest));
        }
    }
    // The article assimilated to a sun letter and written joined (`Eddine`, `Ashshami`):
    // a vowel, then the letter doubled.
    if let [vowel, c, d, ..] = text
        && is_vowel(*vowel)
        && c == d
        && !is_vowel(*c)
        && let Some(rest) = text.get(2..)
        && rest.len() >= 3
    {
        best = best.min(align(&units, rest));
    }
    (best <= MAX_EDITS).then_some(best)
}

/// The cheapest alignment of `units` with `text`, in edits (saturating above the cap).
fn align(units: &[Unit], text: &[u8]) -> u8 {
    const FAR: u8 = MAX_EDITS + 1;
    let (n, m) = (units.len(), text.len());
    // cost[i][j]: the cheapest alignment of the first i units with the first j letters.
    let width = m + 1;
    let mut cost = vec![FAR; (n + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    if let Some(c) = cost.get_mut(0) {
        *c = 0;
    }
    for i in 0..=n {
        for j in 0..=m {
            let here = cost.get(at(i, j)).copied().unwrap_or(FAR);
            if here >= FAR {
                continue;
            }
            let mut relax = |i2: usize, j2: usize, add: u8| {
                if let Some(c) = cost.get_mut(at(i2, j2)) {
                    *c = (*c).min(here.saturating_add(add).min(FAR));
                }
            };
            if let Some(&b) = text.get(j) {
                // A Latin short vowel between consonants is free; a second vowel in a row
                // (a long vowel or diphthong) and a final i/y (a nisba's ya) are not.
                let paired = j > 0 && text.get(j - 1).is_some_and(|p| is_vowel(*p));
                let final_i = j + 1 == m && matches!(b, b'i' | b'y');
                // An Arabic word never starts with a vowel sound its script leaves
                // unwritten: a Latin initial vowel needs an alef, ayn or hamza.
                let initial = j == 0;
                if is_vowel(b) && !paired && !final_i && !initial {
                    relax(i, j + 1, 0);
                } else if is_vowel(b) || final_i || initial {
                    relax(i, j + 1, VOWEL_MISMATCH);
                } else {
                    relax(i, j + 1, 1);
                }
            }
            let Some(unit) = units.get(i) else { continue };
            let options: &[&str] = match unit {
                Unit::Consonant(options) | Unit::Optional(options) => options,
                Unit::LongA => LONG_A,
                Unit::Waw => WAW,
                Unit::Ya => YA,
            };
            let skip_cost = match unit {
                Unit::Optional(_) => 0,
                Unit::Consonant(_) => 1,
                Unit::LongA | Unit::Waw | Unit::Ya => VOWEL_MISMATCH,
            };
            relax(i + 1, j, skip_cost);
            for option in options {
                let o = option.as_bytes();
                if o.is_empty() {
                    continue;
                }
                if text.get(j..).is_some_and(|rest| rest.starts_with(o)) {
                    relax(i + 1, j + o.len(), 0);
                    // A doubled consonant (shadda, unwritten in Arabic): `Hassan`, `Ammar`.
                    if matches!(unit, Unit::Consonant(_))
                        && let Some(last) = o.last()
                        && text.get(j + o.len()) == Some(last)
                    {
                        relax(i + 1, j + o.len() + 1, 0);
                    }
                }
            }
            // A consonant spelled with another letter is another name more often than a
            // typo (`Karimi` / `Qasimi`, `Jafari` / `Safari`): not forgiven. A letter
            // added or dropped is.
        }
    }
    cost.get(at(n, m)).copied().unwrap_or(FAR)
}

/// A word in Arabic script with the spellings of one letter made one: the alef with or
/// without its hamza or madda (`إبراهيم` / `ابراهيم`), the final ta marbuta and ha, the
/// alef maqsura and ya, the Persian ya and kaf and their Arabic forms, the hamza on waw or
/// ya and the bare letter. What is left tells two words apart (`سعد`, Saad, from `أسد`,
/// Asad, though both transliterate to `sd`).
pub fn folded(word: &str) -> String {
    word.chars()
        .map(|c| match c {
            'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
            'ة' => 'ه',
            'ى' | 'ی' | 'ئ' => 'ي',
            'ک' => 'ك',
            'ؤ' => 'و',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customary_spellings_align() {
        for (arabic, latin) in [
            ("محمد", "mohammed"),
            ("محمد", "muhammad"),
            ("حسين", "hussein"),
            ("حسين", "husayn"),
            ("حسن", "hassan"),
            ("علي", "ali"),
            ("عمر", "omar"),
            ("جمال", "gamal"),
            ("شريف", "cherif"),
            ("عاشور", "achour"),
            ("سعيد", "saeed"),
            ("سعيد", "said"),
            ("يوسف", "youssef"),
            ("فاطمة", "fatima"),
            ("فاطمه", "fatemeh"),
            ("قحطاني", "alkahtani"),
            ("مصري", "masri"),
            ("داود", "davood"),
            ("حسيني", "hosseini"),
            ("دين", "eddine"),
        ] {
            assert_eq!(edits(arabic, latin), Some(0), "{arabic} {latin}");
        }
    }

    #[test]
    fn different_names_do_not_align() {
        for (arabic, latin) in [
            ("حسن", "hussein"),
            ("حسين", "hassan"),
            ("سعيد", "saad"),
            ("حامد", "hamdi"),
            ("زياد", "zaid"),
        ] {
            assert_eq!(edits(arabic, latin), None, "{arabic} {latin}");
        }
    }

    #[test]
    fn a_typo_costs_one_edit() {
        assert_eq!(edits("خوري", "kjoury"), Some(1));
        assert_eq!(edits("محمد", "mohamemd"), Some(1));
        // A consonant spelled otherwise is taken for another name.
        assert_eq!(edits("خالد", "khalil"), None);
    }
}
