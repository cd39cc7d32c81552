//! Hundreds of mutated agreement files, generated at test time from the bundled examples
//! (issue #12, point 6): every one is either accepted or refused with diagnostics that
//! point inside the file (line and column), never a panic; the answer does not depend on
//! the run; and the edits that break the file by construction are always refused.
//!
//! The generator is seeded, so a failure names the file, the kind of edit and the seed
//! that reproduce it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use accord_spec::{Severity, check_bytes, render_text, to_json};

/// Per example file and kind of edit.
const ROUNDS: usize = 8;

/// The kinds of edit a careless or hostile author makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edit {
    /// The file cut at a character boundary (a save interrupted).
    Truncate,
    /// A line removed.
    DeleteLine,
    /// A line written twice (a duplicate key, a duplicated table header).
    DuplicateLine,
    /// Two neighbouring lines swapped (a key moved into the wrong table).
    SwapLines,
    /// A value replaced by one of another type.
    WrongType,
    /// A key misspelt by one character.
    MisspellKey,
    /// One byte changed to another printable one.
    FlipByte,
    /// An unclosed array after a key: broken TOML by construction.
    BrokenSyntax,
    /// A byte that is not UTF-8: an unreadable file by construction.
    InvalidUtf8,
}

const EDITS: [Edit; 9] = [
    Edit::Truncate,
    Edit::DeleteLine,
    Edit::DuplicateLine,
    Edit::SwapLines,
    Edit::WrongType,
    Edit::MisspellKey,
    Edit::FlipByte,
    Edit::BrokenSyntax,
    Edit::InvalidUtf8,
];

impl Edit {
    /// Whether every file this edit makes must be refused.
    fn always_breaks(self) -> bool {
        matches!(self, Edit::BrokenSyntax | Edit::InvalidUtf8)
    }
}

/// A small deterministic generator (SplitMix64): the suite must be reproducible from its
/// seed, and needs no statistical quality.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn examples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 4,
        "the bundled examples are missing from {}",
        dir.display()
    );
    files
}

fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// Lines that hold `key = value` (not comments, not table headers).
fn key_lines(text: &str) -> Vec<usize> {
    lines(text)
        .iter()
        .enumerate()
        .filter(|(_, line)| {
            let line = line.trim_start();
            !line.starts_with('#') && !line.starts_with('[') && line.contains(" = ")
        })
        .map(|(i, _)| i)
        .collect()
}

fn mutate(text: &str, edit: Edit, rng: &mut Rng) -> Vec<u8> {
    let mut all = lines(text)
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    let keys = key_lines(text);
    let pick_key = |rng: &mut Rng| keys[rng.below(keys.len())];
    match edit {
        Edit::Truncate => {
            let mut cut = rng.below(text.len());
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            return text.as_bytes()[..cut].to_vec();
        }
        Edit::DeleteLine => {
            all.remove(rng.below(all.len()));
        }
        Edit::DuplicateLine => {
            let i = rng.below(all.len());
            all.insert(i, all[i].clone());
        }
        Edit::SwapLines => {
            let i = rng.below(all.len() - 1);
            all.swap(i, i + 1);
        }
        Edit::WrongType => {
            let i = pick_key(rng);
            let (key, _) = all[i].split_once(" = ").unwrap_or((&all[i], ""));
            let values = [
                "12",
                "true",
                "\"text\"",
                "[1, 2]",
                "{ a = 1 }",
                "1979-05-27",
            ];
            all[i] = format!("{key} = {}\n", values[rng.below(values.len())]);
        }
        Edit::MisspellKey => {
            let i = pick_key(rng);
            let line = all[i].clone();
            let indent = line.len() - line.trim_start().len();
            let key_len = line.trim_start().find([' ', '=']).unwrap_or(1).max(1);
            let at = indent + rng.below(key_len);
            if line.is_char_boundary(at) && line.is_char_boundary(at + 1) {
                all[i] = format!("{}q{}", &line[..at], &line[at + 1..]);
            }
        }
        Edit::FlipByte => {
            let mut bytes = text.as_bytes().to_vec();
            let at = rng.below(bytes.len());
            bytes[at] = b"!\"#%&'()*+,-./:;<=>?@[]{}aZ09 "[rng.below(30)];
            return bytes;
        }
        Edit::BrokenSyntax => {
            let i = pick_key(rng);
            let (key, _) = all[i].split_once(" = ").unwrap_or((&all[i], ""));
            all[i] = format!("{key} = [1, 2\n");
        }
        Edit::InvalidUtf8 => {
            let mut bytes = text.as_bytes().to_vec();
            let mut at = rng.below(bytes.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            bytes.insert(at, 0xFF);
            return bytes;
        }
    }
    all.concat().into_bytes()
}

/// What one mutated file gave.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Accepted,
    Refused,
}

/// Checks one mutated file and asserts what holds of every answer.
fn check_one(name: &str, bytes: &[u8]) -> Outcome {
    let (source, checked) = check_bytes(bytes);
    let (_, again) = check_bytes(bytes);
    assert_eq!(
        checked.diagnostics, again.diagnostics,
        "{name}: the same file checked twice gave different diagnostics"
    );
    assert_eq!(
        checked.agreement.is_some(),
        !checked.has_errors(),
        "{name}: an agreement is returned exactly when there is no error"
    );
    let line_count = source.lines().count().max(1);
    for d in to_json(name, &source, &checked.diagnostics) {
        assert!(
            d.line >= 1 && d.line <= line_count + 1 && d.column >= 1,
            "{name}: diagnostic {} points outside the file at {}:{}",
            d.code,
            d.line,
            d.column
        );
        assert!(
            !d.message.is_empty(),
            "{name}: diagnostic {} says nothing",
            d.code
        );
    }
    let text = render_text(name, &source, &checked.diagnostics);
    for d in checked
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
    {
        assert!(
            text.contains(&d.message),
            "{name}: the rendered text lacks the message {:?}",
            d.message
        );
    }
    if checked.has_errors() {
        assert!(
            text.contains(&format!("{name}:")),
            "{name}: the rendered errors do not start with file:line:column"
        );
        Outcome::Refused
    } else {
        Outcome::Accepted
    }
}

#[test]
fn mutated_agreement_files_are_refused_with_a_location_or_accepted_never_a_panic() {
    let seed = std::env::var("ACCORD_MUTATION_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED_AC0D_u64);
    let (mut tried, mut refused, mut accepted) = (0, 0, 0);
    for path in examples() {
        let text = std::fs::read_to_string(&path).unwrap();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        for (k, edit) in EDITS.into_iter().enumerate() {
            for round in 0..ROUNDS {
                let mut rng = Rng(seed ^ ((k as u64) << 32) ^ round as u64 ^ text.len() as u64);
                let bytes = mutate(&text, edit, &mut rng);
                let name = format!("{file}~{edit:?}{round}");
                let outcome = check_one(&name, &bytes);
                tried += 1;
                match outcome {
                    Outcome::Refused => refused += 1,
                    Outcome::Accepted => accepted += 1,
                }
                assert!(
                    !edit.always_breaks() || outcome == Outcome::Refused,
                    "{name} (seed {seed:#x}) breaks the file by construction but was accepted"
                );
            }
        }
    }
    println!(
        "mutated agreements: {tried} tried, {refused} refused with file:line:column \
         diagnostics, {accepted} accepted (edits that leave a valid agreement), 0 panics"
    );
    assert!(tried >= 300, "only {tried} mutated files were tried");
    // Most edits to a strict format must be caught; a suite where nearly everything passes
    // would mean the mutations no longer reach the checker.
    assert!(
        refused * 2 > tried,
        "only {refused} of {tried} mutated files were refused"
    );
}
