//! Screening against the real list samples, as a compliance team meets it:
//!
//! 1. **Typo'd designations.** Every UN designation's name queried with one typo (a
//!    letter dropped, swapped, doubled or hit next to it, in a word of four letters or
//!    more), with its words reshuffled and a typo, and with a typo inside its particle
//!    (`ABDUL`, `ABU`, `BIN`…) where it has one. Recall: the designation among the hits at
//!    the documented threshold. Goal ≥ 99.5%.
//! 2. **False alerts.** Synthetic persons per script group (Latin, Cyrillic, Arabic,
//!    Persian, Han, Hangul) composed at run time from `tests/data/sets/parts/*.tsv`, in
//!    their own script, screened against all samples. A person whose every name part, in
//!    one of its customary Latin spellings, is a word of one listed name — or, as written,
//!    a word of one listed name written in the same script (since round 4 of issue #19;
//!    `ACCORD_LATIN_SET_ASIDE_ONLY=1` screens those persons as before and only counts
//!    them) — is set aside as possibly listed (the name alone cannot tell them apart); the
//!    others should raise no alert. Goal ≤ 0.2% per group.
//!
//! Run: `cargo bench -p accord-screen --bench alerts`. `ACCORD_BENCH_PERSONS` (default
//! 50,000) sets the persons per group; `ACCORD_SHOW_MISSES=1` lists missed designations,
//! `ACCORD_SHOW_ALERTS=1` the first alerts of each group, `ACCORD_TYPO_SEED=N` draws other
//! typos (to read more tune-half misses; figures are reported with the default seed).
//!
//! Kept honest (issue #19, second round): only the **tune** half of each measure is ever
//! printed for reading — the designations at even positions of the UN list, and synthetic
//! persons none of whose parts occurs in a held-out pair of `tests/data/sets/heldout/`.
//! The other half (odd positions; persons with a held-out part) is only counted, and both
//! halves are reported, so that a rule written from the misses shows whether it carries
//! over to names it was not written from. `ACCORD_TUNE_POPULATION=1` composes persons from
//! tune parts only (for reading more alerts while tuning; not the measure reported), and
//! `ACCORD_ALERT_KINDS=1` counts each half's alerts by the shape of their evidence (words
//! matched, how, and the script of the listed name; never the names), and
//! `ACCORD_SHOW_NEAR=0.80` also shows the tune half's near misses from that score up.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

use accord_screen::{Candidate, DEFAULT_THRESHOLD, Index, Query, Settings};

mod common;
use common::{Rng, samples, samples_dir};

const KEYBOARD: &[(char, &str)] = &[
    ('a', "sqz"),
    ('b', "vn"),
    ('c', "xv"),
    ('d', "sf"),
    ('e', "wr"),
    ('f', "dg"),
    ('g', "fh"),
    ('h', "gj"),
    ('i', "uo"),
    ('j', "hk"),
    ('k', "jl"),
    ('l', "k"),
    ('m', "n"),
    ('n', "bm"),
    ('o', "ip"),
    ('p', "o"),
    ('q', "w"),
    ('r', "et"),
    ('s', "ad"),
    ('t', "ry"),
    ('u', "yi"),
    ('v', "cb"),
    ('w', "qe"),
    ('x', "zc"),
    ('y', "tu"),
    ('z', "x"),
];

/// One typo inside a word of at least `min` letters (never its first letter).
fn typo_word(rng: &mut Rng, word: &str) -> String {
    let mut letters: Vec<char> = word.chars().collect();
    if letters.len() < 3 {
        return word.to_owned();
    }
    let i = 1 + rng.below(letters.len() - 2);
    match rng.below(4) {
        0 => {
            letters.remove(i);
        }
        1 => letters.swap(i, i + 1),
        2 => {
            let lower = letters[i].to_ascii_lowercase();
            let near = KEYBOARD
                .iter()
                .find(|(c, _)| *c == lower)
                .map_or("e", |(_, n)| n);
            let pick = near.chars().nth(rng.below(near.len())).unwrap_or('e');
            letters[i] = if letters[i].is_uppercase() {
                pick.to_ascii_uppercase()
            } else {
                pick
            };
        }
        _ => letters.insert(i, letters[i]),
    }
    letters.into_iter().collect()
}

fn typo_in(rng: &mut Rng, words: &mut [String], eligible: &dyn Fn(&str) -> bool) -> bool {
    let positions: Vec<usize> = (0..words.len()).filter(|&i| eligible(&words[i])).collect();
    if positions.is_empty() {
        return false;
    }
    let i = positions[rng.below(positions.len())];
    words[i] = typo_word(rng, &words[i]);
    true
}

const PARTICLES: &[&str] = &[
    "ABDUL", "ABDEL", "ABD", "ABU", "ABOU", "BIN", "IBN", "BINT", "AL", "EL", "MAC", "MC", "VAN",
    "VON", "DER", "DEN", "DOS", "DA", "DE",
];

fn is_particle(word: &str) -> bool {
    let upper = word.to_uppercase();
    let bare = upper.trim_end_matches('-');
    PARTICLES.contains(&bare) || bare.starts_with("ABDUL") || bare.starts_with("ABDEL")
}

fn typo_recall(index: &Index, un: &[&Candidate], show: bool) {
    let settings = Settings {
        limit: 50,
        ..Settings::default()
    };
    // `ACCORD_TYPO_SEED` draws other typos (for reading more tune-half misses while
    // tuning; the figures reported use the default seed).
    let seed = std::env::var("ACCORD_TYPO_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x0019_7e57_0000_0001);
    let mut rng = Rng(seed);
    let mut tallies: Vec<(&str, usize, usize)> = Vec::new();
    let mut tally = |kind: &'static str, found: bool| match tallies.iter_mut().find(|t| t.0 == kind)
    {
        Some(t) => {
            t.1 += usize::from(found);
            t.2 += 1;
        }
        None => tallies.push((kind, usize::from(found), 1)),
    };
    // (found, total) for the tune half (even positions) and the other half.
    let mut halves = [(0usize, 0usize); 2];
    let start = Instant::now();
    for (position, candidate) in un.iter().enumerate() {
        let tune = position % 2 == 0;
        let Some(primary) = candidate.names.first() else {
            continue;
        };
        let words: Vec<String> = primary
            .value
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        if words.is_empty() {
            continue;
        }
        let long = |w: &str| w.chars().filter(|c| c.is_alphabetic()).count() >= 4;
        let mut variants: Vec<(&'static str, String)> = Vec::new();
        let mut typod = words.clone();
        if typo_in(&mut rng, &mut typod, &long) {
            variants.push(("typo", typod.join(" ")));
        }
        let mut shuffled = words.clone();
        if shuffled.len() > 1 {
            let by = 1 + rng.below(shuffled.len() - 1);
            shuffled.rotate_left(by);
            if typo_in(&mut rng, &mut shuffled, &long) {
                variants.push(("reshuffled with a typo", shuffled.join(" ")));
            }
        }
        let mut particle = words.clone();
        if typo_in(&mut rng, &mut particle, &|w| {
            is_particle(w) && w.chars().count() >= 3
        }) {
            variants.push(("typo in a particle", particle.join(" ")));
        }
        for (kind, name) in variants {
            let q = Query {
                name: name.clone(),
                ..Query::default()
            };
            let hits = index.screen(&q, &settings);
            let found = hits.iter().any(|h| h.candidate_id == candidate.id);
            let half = &mut halves[usize::from(!tune)];
            half.0 += usize::from(found);
            half.1 += 1;
            if !found && show && tune {
                let best = hits.first().map_or("no hit".to_owned(), |h| {
                    format!("{:.3} {} {}", h.score, h.candidate_id, h.matched_name)
                });
                let direct = candidate
                    .names
                    .iter()
                    .map(|n| {
                        accord_screen::score_pair_value(&name, &n.value, Some(candidate.schema))
                    })
                    .fold(0.0, f64::max);
                println!(
                    "    miss [{kind}] {name} (listed as {}; scored alone {direct:.3}; {best})",
                    primary.value
                );
            }
            tally(kind, found);
        }
    }
    let (mut found, mut total) = (0, 0);
    for (kind, f, t) in &tallies {
        println!(
            "    {kind:<24} {f:>5} of {t:>5} found ({:.2}%)",
            100.0 * *f as f64 / *t as f64
        );
        found += f;
        total += t;
    }
    println!(
        "typo'd UN designations: {found} of {total} found at the documented threshold ({:.2}%; goal ≥ 99.5%), {:.1} s",
        100.0 * found as f64 / total as f64,
        start.elapsed().as_secs_f64()
    );
    for ((f, t), half) in halves.iter().zip([
        "tune half (even positions, misses shown)",
        "other half (odd positions, never shown)",
    ]) {
        println!(
            "    {half:<42} {f:>5} of {t:>5} found ({:.2}%)",
            100.0 * *f as f64 / *t as f64
        );
    }
}

/// A name part: its spelling in the group's script and its Latin spellings, lowercase.
struct Part {
    native: String,
    latin: Vec<String>,
    /// Whether the part occurs in a held-out pair of its group: a person made with it is
    /// counted but never shown.
    heldout: bool,
}

/// The names of the held-out pairs of `group`, with spaces around every word (punctuation
/// read as a space), lowercase, for whole-word lookups.
fn heldout_names(group: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/sets/heldout")
        .join(format!("{group}.csv"));
    let mut reader = csv::Reader::from_path(path).unwrap();
    let mut names = Vec::new();
    for record in reader.records() {
        let record = record.unwrap();
        for field in [record.get(0).unwrap(), record.get(1).unwrap()] {
            let spaced: String = field
                .chars()
                .map(|c| if c.is_alphanumeric() { c } else { ' ' })
                .collect::<String>()
                .to_lowercase();
            names.push(format!(
                " {} ",
                spaced.split_whitespace().collect::<Vec<_>>().join(" ")
            ));
        }
    }
    names
}

/// Whether `native` occurs in a held-out name: as a character run for Han and Hangul
/// (syllables are written together), as whole words otherwise.
fn in_heldout(native: &str, syllabic: bool, heldout: &[String]) -> bool {
    let needle = native.to_lowercase();
    if syllabic {
        return heldout.iter().any(|name| name.contains(&needle));
    }
    let needle = format!(
        " {} ",
        needle.split_whitespace().collect::<Vec<_>>().join(" ")
    );
    heldout.iter().any(|name| name.contains(&needle))
}

fn read_parts(path: &Path, group: &str) -> HashMap<String, Vec<Part>> {
    let heldout = heldout_names(group);
    let syllabic = matches!(group, "han" | "hangul");
    let mut parts: HashMap<String, Vec<Part>> = HashMap::new();
    let text = std::fs::read_to_string(path).unwrap();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let mut fields = line.split('\t');
        let (Some(kind), Some(native), Some(latin)) = (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        parts.entry(kind.to_owned()).or_default().push(Part {
            native: native.to_owned(),
            latin: latin.split('|').map(|l| l.to_lowercase()).collect(),
            heldout: in_heldout(native, syllabic, &heldout),
        });
    }
    parts
}

/// Lowercase ASCII words of a name.
fn words_of(name: &str) -> Vec<String> {
    any_ascii_lower(name)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn any_ascii_lower(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_ascii_lowercase().to_string()
            } else {
                // Latin letters with diacritics: drop the mark the simple way.
                let base: String = unicode_base(c);
                base.to_ascii_lowercase()
            }
        })
        .collect()
}

fn unicode_base(c: char) -> String {
    use unicode_normalization::UnicodeNormalization;
    c.to_string()
        .nfkd()
        .filter(|c| c.is_ascii())
        .collect::<String>()
}

/// Listed names as word sets, and an index from word to names, to tell a synthetic person
/// who may be listed (every part spelled as a word of one listed name) from one who is not.
struct Listed {
    words: Vec<HashSet<String>>,
    joined: Vec<String>,
    by_word: HashMap<String, Vec<usize>>,
    /// The words of names written in another script than Latin, as written (lowercase),
    /// each to the names that have it.
    by_native_word: HashMap<String, Vec<usize>>,
    native_words: Vec<HashSet<String>>,
}

/// The words of a name as written, lowercase, split at spaces and punctuation.
fn native_words_of(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

impl Listed {
    fn new(candidates: &[Candidate]) -> Listed {
        let mut listed = Listed {
            words: Vec::new(),
            joined: Vec::new(),
            by_word: HashMap::new(),
            by_native_word: HashMap::new(),
            native_words: Vec::new(),
        };
        for candidate in candidates {
            for name in &candidate.names {
                if !name.value.is_ascii() {
                    let words = native_words_of(&name.value);
                    let i = listed.native_words.len();
                    for w in &words {
                        listed.by_native_word.entry(w.clone()).or_default().push(i);
                    }
                    listed.native_words.push(words.into_iter().collect());
                }
                let words = words_of(&name.value);
                let i = listed.words.len();
                for w in &words {
                    listed.by_word.entry(w.clone()).or_default().push(i);
                }
                listed.joined.push(words.concat());
                listed.words.push(words.into_iter().collect());
            }
        }
        listed
    }

    /// Whether some listed name written in the persons' own script carries every part (but
    /// a middle name) as written: `محمد حسن` when `محمد حسن التكريتي` is listed is in the
    /// case of `Mohammed Hassan` when `Mohammed Hassan al-Tikriti` is (issue #19, round 4;
    /// before it, only names in Latin letters set a person aside).
    fn may_list_as_written(&self, parts: &[&Part], has_middle: bool) -> bool {
        let parts: Vec<&Part> = match parts {
            [given, _middle, surname] if has_middle => vec![given, surname],
            _ => parts.to_vec(),
        };
        let words: Vec<String> = parts
            .iter()
            .flat_map(|p| native_words_of(&p.native))
            .collect();
        let Some(first) = words.first() else {
            return false;
        };
        self.by_native_word
            .get(first)
            .into_iter()
            .flatten()
            .any(|&i| words.iter().all(|w| self.native_words[i].contains(w)))
    }

    /// Whether some listed name carries every part (but a middle name, which lists often
    /// leave out) in one of its Latin spellings.
    fn may_list(&self, parts: &[&Part], has_middle: bool) -> bool {
        let parts: Vec<&Part> = match parts {
            [given, _middle, surname] if has_middle => vec![given, surname],
            _ => parts.to_vec(),
        };
        let parts = &parts[..];
        let part_in = |part: &Part, i: usize| {
            part.latin.iter().any(|spelling| {
                let words = words_of(spelling);
                words.iter().all(|w| self.words[i].contains(w))
                    || (words.len() == 1 && self.joined[i].contains(&words[0]))
            })
        };
        let Some(first) = parts.first() else {
            return false;
        };
        let mut seen: HashSet<usize> = HashSet::new();
        for spelling in &first.latin {
            for word in words_of(spelling) {
                for &i in self.by_word.get(&word).into_iter().flatten() {
                    if seen.insert(i) && parts.iter().all(|p| part_in(p, i)) {
                        return true;
                    }
                }
            }
        }
        false
    }
}

/// A synthetic person of `group`: the parts and the name as written in the group's script.
fn person<'p>(
    rng: &mut Rng,
    group: &str,
    parts: &'p HashMap<String, Vec<Part>>,
) -> (Vec<&'p Part>, String) {
    let pick = |rng: &mut Rng, kind: &str| -> &'p Part {
        let list = &parts[kind];
        &list[rng.below(list.len())]
    };
    match group {
        "han" => {
            let surname = pick(rng, "surname");
            let n = if rng.below(4) == 0 { 1 } else { 2 };
            let given: Vec<&Part> = (0..n).map(|_| pick(rng, "syllable")).collect();
            let name = std::iter::once(surname)
                .chain(given.iter().copied())
                .map(|p| p.native.as_str())
                .collect::<String>();
            (std::iter::once(surname).chain(given).collect(), name)
        }
        "hangul" => {
            let surname = pick(rng, "surname");
            let given = [pick(rng, "syllable"), pick(rng, "syllable")];
            let given_text: String = given.iter().map(|p| p.native.as_str()).collect();
            let name = match rng.below(5) {
                0 => format!("{} {given_text}", surname.native),
                1 => format!("{given_text} {}", surname.native),
                _ => format!("{}{given_text}", surname.native),
            };
            (vec![surname, given[0], given[1]], name)
        }
        _ => {
            let given = pick(rng, "given");
            let middle = (rng.below(2) == 0).then(|| {
                let kind = if group == "latin" { "given" } else { "middle" };
                pick(rng, kind)
            });
            let surname = pick(rng, "surname");
            let chosen: Vec<&Part> = std::iter::once(given)
                .chain(middle)
                .chain(std::iter::once(surname))
                .collect();
            let name = chosen
                .iter()
                .map(|p| p.native.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            (chosen, name)
        }
    }
}

fn false_alerts(index: &Index, candidates: &[Candidate], n: usize, show: bool) {
    let parts_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sets/parts");
    let listed = Listed::new(candidates);
    // `ACCORD_SHOW_NEAR=0.80` also shows the tune half's near misses (best score from that
    // value up to the threshold): what nearly raised an alert, to read a mechanism from
    // the tune half that may raise alerts in the other.
    let near: Option<f64> = std::env::var("ACCORD_SHOW_NEAR")
        .ok()
        .and_then(|v| v.parse().ok());
    let settings = Settings {
        threshold: near.unwrap_or(DEFAULT_THRESHOLD).min(DEFAULT_THRESHOLD),
        ..Settings::default()
    };
    let show_at_most: usize = std::env::var("ACCORD_SHOW_ALERTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let tune_population = std::env::var_os("ACCORD_TUNE_POPULATION").is_some();
    let native_set_aside = std::env::var_os("ACCORD_LATIN_SET_ASIDE_ONLY").is_none();
    for (g, group) in ["latin", "cyrillic", "arabic", "persian", "han", "hangul"]
        .iter()
        .enumerate()
    {
        if let Ok(only) = std::env::var("ACCORD_GROUPS")
            && !only.split(',').any(|g| g == *group)
        {
            continue;
        }
        let parts = read_parts(&parts_dir.join(format!("{group}.tsv")), group);
        let all_parts: Vec<&Part> = parts.values().flatten().collect();
        println!(
            "    {group}: {} of {} name parts occur in held-out pairs",
            all_parts.iter().filter(|p| p.heldout).count(),
            all_parts.len()
        );
        let mut rng = Rng(0x0019_a1e7_0000_0000 + g as u64);
        let (mut screened, mut set_aside, mut alerts) = (0usize, 0usize, 0usize);
        // Persons set aside by a listed name written in their own script (only counted,
        // and screened as before, with `ACCORD_LATIN_SET_ASIDE_ONLY=1`).
        let mut set_aside_as_written = 0usize;
        // (alerts, persons) made of tune parts only, and with a held-out part.
        let mut halves = [(0usize, 0usize); 2];
        let mut shown = 0;
        // Alerts of each half by their shape (no names): what evidence raised them.
        let mut kinds: std::collections::BTreeMap<String, usize> = Default::default();
        let start = Instant::now();
        while screened < n {
            let (chosen, name) = person(&mut rng, group, &parts);
            if tune_population && chosen.iter().any(|p| p.heldout) {
                continue;
            }
            let spaced = !matches!(*group, "han" | "hangul");
            if listed.may_list(&chosen, spaced) {
                set_aside += 1;
                continue;
            }
            // Names written in Han or Hangul run their syllables together: whole words
            // cannot be looked up as written.
            if spaced && listed.may_list_as_written(&chosen, spaced) {
                set_aside_as_written += 1;
                if native_set_aside {
                    set_aside += 1;
                    continue;
                }
            }
            screened += 1;
            let hits = index.screen(
                &Query {
                    name: name.clone(),
                    ..Query::default()
                },
                &settings,
            );
            let tune = chosen.iter().all(|p| !p.heldout);
            let half = &mut halves[usize::from(!tune)];
            half.1 += 1;
            if let Some(hit) = hits.first().filter(|h| h.score < DEFAULT_THRESHOLD)
                && show
                && tune
                && shown < show_at_most
            {
                shown += 1;
                println!(
                    "    near [{group}] {name} → {:.3} {} {} | {}",
                    hit.score, hit.candidate_id, hit.matched_name, hit.explanation
                );
            }
            if let Some(hit) = hits.first().filter(|h| h.score >= DEFAULT_THRESHOLD) {
                alerts += 1;
                half.0 += 1;
                // The tune half by shape; the other half by shape too (no names: which
                // mechanism raised them, never which persons).
                let half_name = if tune { "tune" } else { "other" };
                *kinds
                    .entry(format!("{half_name} {}", alert_kind(&name, hit)))
                    .or_default() += 1;
                if show && tune && shown < show_at_most {
                    shown += 1;
                    println!(
                        "    alert [{group}] {name} → {:.3} {} {} | {}",
                        hit.score, hit.candidate_id, hit.matched_name, hit.explanation
                    );
                }
            }
        }
        println!(
            "false alerts, {group:<8}: {alerts:>4} of {screened} synthetic persons ({:.3}%; goal ≤ 0.2%), {set_aside} set aside as possibly listed, {:.1} s",
            100.0 * alerts as f64 / screened as f64,
            start.elapsed().as_secs_f64()
        );
        println!(
            "    possibly listed as written in the group's script: {set_aside_as_written}{}",
            if native_set_aside {
                " (set aside, counted above)"
            } else {
                " (screened: ACCORD_LATIN_SET_ASIDE_ONLY)"
            }
        );
        for ((a, n), half) in halves.iter().zip([
            "tune parts only (shown)",
            "with a held-out part (never shown)",
        ]) {
            println!(
                "    {half:<36} {a:>4} of {n:>6} ({:.3}%)",
                100.0 * *a as f64 / (*n).max(1) as f64
            );
        }
        if std::env::var_os("ACCORD_ALERT_KINDS").is_some() {
            for (kind, count) in &kinds {
                println!("        {count:>4}  {kind}");
            }
        }
    }
}

/// The shape of an alert's evidence, without any name: words matched and unmatched on
/// each side, and how each pair matched (`consonants 0.84` is a weak pair).
fn alert_kind(query: &str, hit: &accord_screen::Hit) -> String {
    let name = &hit.explanation.name;
    let mut hows: Vec<String> = name
        .pairs
        .iter()
        .map(|p| {
            let words = |t: &str| t.split(' ').count();
            format!(
                "{}:{}{} {:.2}",
                words(&p.query),
                words(&p.candidate),
                match p.how {
                    accord_screen::TokenMatchKind::Exact => "=",
                    accord_screen::TokenMatchKind::Transliteration => "~t",
                    accord_screen::TokenMatchKind::Consonants => "~c",
                    accord_screen::TokenMatchKind::Initial => "~i",
                    accord_screen::TokenMatchKind::Fuzzy => "~f",
                },
                p.similarity
            )
        })
        .collect();
    hows.sort();
    let script = if hit.matched_name.is_ascii() {
        "latin"
    } else {
        "script"
    };
    // The unmatched words by length only (a one- or two-letter word says what kind of
    // token it was taken for).
    let reading = accord_screen::normalize::normalize(query, Some(hit.schema));
    let lengths = |words: &[String]| -> String {
        words
            .iter()
            .map(|w| {
                let token = reading.tokens.iter().find(|t| &t.text == w);
                format!(
                    "{} {:?}{}",
                    w.chars().count(),
                    token.map(|t| t.kind),
                    if token.is_some_and(|t| t.abjad) {
                        " abjad"
                    } else {
                        ""
                    }
                )
            })
            .collect::<Vec<_>>()
            .join("+")
    };
    format!(
        "{:?} {:?} {script} | {} | unmatched q{} ({}) c{} | name {:.2} → {:.2}",
        name.method,
        hit.schema,
        hows.join(", "),
        name.unmatched_query.len(),
        lengths(&name.unmatched_query),
        name.unmatched_candidate.len(),
        name.score,
        hit.score,
    )
}

fn main() {
    let dir = samples_dir();
    let candidates = samples(&dir);
    if candidates.is_empty() {
        println!("skipped: sanctions samples not found at {}", dir.display());
        return;
    }
    let start = Instant::now();
    let index = Index::build(candidates.clone());
    println!(
        "samples: {} entities, {} names (UN list included), index built in {:.2} s",
        candidates.len(),
        index.n_names(),
        start.elapsed().as_secs_f64()
    );
    if let Ok(name) = std::env::var("ACCORD_DEBUG_QUERY") {
        let settings = Settings {
            threshold: 0.0,
            limit: 8,
            ..Settings::default()
        };
        for hit in index.screen(
            &Query {
                name,
                ..Query::default()
            },
            &settings,
        ) {
            println!(
                "    {:.3} {} {} | {}",
                hit.score, hit.candidate_id, hit.matched_name, hit.explanation
            );
        }
        return;
    }
    let un: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| c.id.starts_with("un:"))
        .collect();
    if std::env::var_os("ACCORD_SKIP_TYPOS").is_none() {
        typo_recall(
            &index,
            &un,
            std::env::var_os("ACCORD_SHOW_MISSES").is_some(),
        );
    }
    let n = std::env::var("ACCORD_BENCH_PERSONS")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(50_000);
    false_alerts(
        &index,
        &candidates,
        n,
        std::env::var_os("ACCORD_SHOW_ALERTS").is_some(),
    );
}
