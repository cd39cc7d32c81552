//! The condition language (phase entry, triggers, renewal) and date rules, parsed with spans.
//!
//! A small hand-written lexer and recursive-descent parser. Precedence: `not` binds tighter
//! than `and`, which binds tighter than `or`; parentheses group. The grammar (EBNF) is in
//! `docs/agreement-format.md`; in short:
//!
//! ```text
//! all(enrichment_cap, stockpile_cap) compliant for 2 reviews
//! any(c1, c2) noncompliant and dispute(c1) exhausted
//! atleast(2; c1, c2, c3) compliant or not phase(p1) reached
//! event(adoption) occurred and date(earliest(adoption + P90D, 2026-06-30)) passed
//! ```
//!
//! The parser only knows the syntax. Every identifier it reads is returned as a
//! [`Reference`] (its kind — commitment, phase, event or stage — and its span), so that the
//! caller checks it against the agreement's declarations and points at the exact word.
//!
//! INVARIANT: spans are byte ranges into the text given to [`parse_condition`] /
//! [`parse_date_rule`]; the parser never panics, whatever the input (it is fuzzed), and its
//! recursion depth is bounded by [`MAX_DEPTH`].

use std::ops::Range;

use accord_core::id::{CommitmentId, EventId, IdError, PhaseId, StageId};
use accord_core::rule::{CommitmentStatus, Condition, DateRule, DisputeState, Quantifier};
use accord_core::time::{CalendarDuration, Date, Moment, MomentError};

/// Deeper nesting than this is refused (it is never needed and would risk the stack).
pub const MAX_DEPTH: usize = 64;

/// What an identifier in a condition or date rule must name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RefKind {
    /// A commitment.
    Commitment,
    /// A phase.
    Phase,
    /// An event.
    Event,
    /// A dispute stage.
    Stage,
}

/// An identifier used in a condition or date rule, to be checked against the declarations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// What it must name.
    pub kind: RefKind,
    /// The identifier as written.
    pub id: String,
    /// Where it is written.
    pub span: Range<usize>,
}

/// A syntax error in a condition or date rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// The diagnostic code, when not the caller's general one (`accord::unknown_zone`).
    pub code: Option<&'static str>,
    /// Where.
    pub span: Range<usize>,
    /// What is wrong.
    pub message: String,
    /// What to write instead.
    pub help: Option<String>,
}

/// The result of parsing: the value and the identifiers it uses.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed<T> {
    /// The parsed value.
    pub value: T,
    /// Every identifier used, in order.
    pub references: Vec<Reference>,
}

/// Parses a condition.
///
/// ```
/// use accord_spec::condition::parse_condition;
/// let parsed = parse_condition("all(c1, c2) compliant for 2 reviews").unwrap();
/// assert_eq!(parsed.references.len(), 2);
/// assert!(parse_condition("all(c1 c2) compliant").is_err());
/// ```
pub fn parse_condition(text: &str) -> Result<Parsed<Condition>, SyntaxError> {
    let mut p = Parser::new(text)?;
    let value = p.condition(0)?;
    p.end("a condition")?;
    Ok(Parsed {
        value,
        references: p.references,
    })
}

/// Parses a date rule: `2026-01-15`, `adoption`, `adoption + P90D`, `phase(p2) - P30D`,
/// `stage(panel) + P15D`, `earliest(a, b)`, `latest(a, b)`.
pub fn parse_date_rule(text: &str) -> Result<Parsed<DateRule>, SyntaxError> {
    let mut p = Parser::new(text)?;
    let value = p.date_rule(0)?;
    p.end("a date rule")?;
    Ok(Parsed {
        value,
        references: p.references,
    })
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    LParen,
    RParen,
    Comma,
    Semicolon,
    Plus,
    Minus,
    End,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Word(w) => format!("`{w}`"),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::Comma => "`,`".into(),
            Tok::Semicolon => "`;`".into(),
            Tok::Plus => "`+`".into(),
            Tok::Minus => "`-`".into(),
            Tok::End => "the end of the text".into(),
        }
    }
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

fn lex(text: &str) -> Result<Vec<(Tok, Range<usize>)>, SyntaxError> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let single = match c {
            c if c.is_whitespace() => continue,
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            ',' => Some(Tok::Comma),
            ';' => Some(Tok::Semicolon),
            '+' => Some(Tok::Plus),
            '-' => Some(Tok::Minus),
            _ => None,
        };
        if let Some(tok) = single {
            out.push((tok, i..i + 1));
            continue;
        }
        if c.is_ascii_alphanumeric() {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if !is_word_char(d) {
                    break;
                }
                end = j + d.len_utf8();
                chars.next();
            }
            // A stated instant (`2026-11-09T00:01-05:00`, `...T00:01[America/New_York]`)
            // is one word up to a space, a comma or a parenthesis.
            if text.get(i..end).is_some_and(starts_an_instant) {
                while let Some(&(j, d)) = chars.peek() {
                    if d.is_whitespace() || matches!(d, ',' | '(' | ')') {
                        break;
                    }
                    end = j + d.len_utf8();
                    chars.next();
                }
            }
            out.push((Tok::Word(text[i..end].to_owned()), i..end));
            continue;
        }
        return Err(SyntaxError {
code: None,
            span: i..i + c.len_utf8(),
            message: format!("unexpected character `{c}`"),
            help: Some(
                "identifiers use letters, digits, `_`, `-` and `.`; combine conditions with `and`, `or`, `not` and parentheses".into(),
            ),
        });
    }
    out.push((Tok::End, text.len()..text.len()));
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, Range<usize>)>,
    pos: usize,
    references: Vec<Reference>,
}

type R<T> = Result<T, SyntaxError>;

const STATUSES: [&str; 4] = ["compliant", "noncompliant", "contested", "unverified"];
const DISPUTE_STATES: [&str; 5] = ["open", "exhausted", "upheld", "overturned", "none"];
const FUNCTIONS: [&str; 7] = ["all", "any", "atleast", "dispute", "phase", "event", "date"];

impl Parser {
    fn new(text: &str) -> R<Self> {
        Ok(Self {
            toks: lex(text)?,
            pos: 0,
            references: Vec::new(),
        })
    }

    fn peek(&self) -> &Tok {
        self.toks.get(self.pos).map_or(&Tok::End, |(t, _)| t)
    }

    fn span(&self) -> Range<usize> {
        self.toks
            .get(self.pos)
            .or_else(|| self.toks.last())
            .map_or(0..0, |(_, s)| s.clone())
    }

    fn bump(&mut self) -> (Tok, Range<usize>) {
        let t = self
            .toks
            .get(self.pos)
            .cloned()
            .unwrap_or((Tok::End, self.span()));
        if self.pos < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    fn error<T>(&self, message: String, help: Option<&str>) -> R<T> {
        Err(SyntaxError {
            code: None,
            span: self.span(),
            message,
            help: help.map(str::to_owned),
        })
    }

    fn expect(&mut self, tok: Tok, what: &str) -> R<Range<usize>> {
        if *self.peek() == tok {
            return Ok(self.bump().1);
        }
        self.error(
            format!(
                "expected {}, found {}",
                tok.describe(),
                self.peek().describe()
            ),
            Some(what),
        )
    }

    fn end(&mut self, what: &str) -> R<()> {
        match self.peek() {
            Tok::End => Ok(()),
            other => {
                let found = other.describe();
                self.error(
                    format!("unexpected {found} after {what}"),
                    Some("combine conditions with `and`, `or` and `not`"),
                )
            }
        }
    }

    fn depth_check(&self, depth: usize) -> R<()> {
        if depth > MAX_DEPTH {
            return self.error(
                format!("nested more than {MAX_DEPTH} levels deep"),
                Some("split the condition into simpler parts"),
            );
        }
        Ok(())
    }

    fn is_word(&self, word: &str) -> bool {
        matches!(self.peek(), Tok::Word(w) if w == word)
    }

    fn condition(&mut self, depth: usize) -> R<Condition> {
        self.depth_check(depth)?;
        let first = self.and(depth)?;
        if !self.is_word("or") {
            return Ok(first);
        }
        let mut any = vec![first];
        while self.is_word("or") {
            self.bump();
            any.push(self.and(depth)?);
        }
        Ok(Condition::Or { any })
    }

    fn and(&mut self, depth: usize) -> R<Condition> {
        let first = self.unary(depth)?;
        if !self.is_word("and") {
            return Ok(first);
        }
        let mut all = vec![first];
        while self.is_word("and") {
            self.bump();
            all.push(self.unary(depth)?);
        }
        Ok(Condition::And { all })
    }

    fn unary(&mut self, depth: usize) -> R<Condition> {
        self.depth_check(depth)?;
        if self.is_word("not") {
            self.bump();
            let inner = self.unary(depth + 1)?;
            return Ok(Condition::Not {
                not: Box::new(inner),
            });
        }
        self.atom(depth)
    }

    fn atom(&mut self, depth: usize) -> R<Condition> {
        if *self.peek() == Tok::LParen {
            self.bump();
            let inner = self.condition(depth + 1)?;
            self.expect(Tok::RParen, "close the parenthesis")?;
            return Ok(inner);
        }
        let (tok, span) = self.bump();
        let Tok::Word(word) = tok else {
            self.pos -= 1;
            return self.error(
                format!("expected a condition, found {}", tok.describe()),
                Some("write e.g. `c1 compliant`, `all(c1, c2) compliant for 2 reviews` or `phase(p1) reached`"),
            );
        };
        if matches!(word.as_str(), "and" | "or") {
            self.pos -= 1;
            return self.error(
                format!("expected a condition, found `{word}`"),
                Some("`and` and `or` go between two conditions"),
            );
        }
        if *self.peek() != Tok::LParen {
            // `c1 compliant`: a single commitment.
            let id = self.reference(RefKind::Commitment, word, span)?;
            return self.status_tail(Quantifier::All, vec![commitment(id)?]);
        }
        self.bump();
        match word.as_str() {
            "all" | "any" => {
                let ids = self.id_list(RefKind::Commitment)?;
                let q = if word == "all" {
                    Quantifier::All
                } else {
                    Quantifier::Any
                };
                self.status_tail(q, ids)
            }
            "atleast" => {
                let (n, n_span) = self.integer("the number of commitments")?;
                self.expect(
                    Tok::Semicolon,
                    "write `atleast(2; c1, c2, c3)`: the number, a `;`, then the commitments",
                )?;
                let ids = self.id_list(RefKind::Commitment)?;
                if n == 0 || n as usize > ids.len() {
                    return Err(SyntaxError {
                        code: None,
                        span: n_span,
                        message: format!(
                            "`atleast({n}; ...)` names {} commitment{}, so it {}",
                            ids.len(),
                            if ids.len() == 1 { "" } else { "s" },
                            if n == 0 {
                                "always holds"
                            } else {
                                "can never hold"
                            }
                        ),
                        help: Some(format!(
                            "use a number from 1 to {} (or `all(...)` / `any(...)`)",
                            ids.len()
                        )),
                    });
                }
                self.status_tail(Quantifier::AtLeast(n), ids)
            }
            "dispute" => {
                let id = self.single_id(RefKind::Commitment)?;
                let (state_word, state_span) = self.word("a dispute state")?;
                let state = match state_word.as_str() {
                    "open" => DisputeState::Open,
                    "exhausted" => DisputeState::Exhausted,
                    "upheld" => DisputeState::Upheld,
                    "overturned" => DisputeState::Overturned,
                    "none" => DisputeState::None,
                    other => {
                        return Err(unknown_word(
                            state_span,
                            "dispute state",
                            other,
                            &DISPUTE_STATES,
                        ));
                    }
                };
                Ok(Condition::Dispute {
                    commitment: commitment(id)?,
                    state,
                })
            }
            "phase" => {
                let id = self.single_id(RefKind::Phase)?;
                self.keyword("reached", "write `phase(p1) reached`")?;
                Ok(Condition::PhaseReached {
                    phase: PhaseId::new(id.0).map_err(|e| id_error(&id.1, e))?,
                })
            }
            "event" => {
                let id = self.single_id(RefKind::Event)?;
                self.keyword("occurred", "write `event(adoption) occurred`")?;
                Ok(Condition::EventOccurred {
                    event: EventId::new(id.0).map_err(|e| id_error(&id.1, e))?,
                })
            }
            "date" => {
                let date = self.date_rule(depth + 1)?;
                self.expect(Tok::RParen, "close the parenthesis of `date(...)`")?;
                self.keyword("passed", "write `date(adoption + P90D) passed`")?;
                Ok(Condition::DatePassed { date })
            }
            other => Err(unknown_word(span, "function", other, &FUNCTIONS)),
        }
    }

    fn status_tail(
        &mut self,
        quantifier: Quantifier,
        commitments: Vec<CommitmentId>,
    ) -> R<Condition> {
        let (word, span) = self.word("a commitment status")?;
        let status = match word.as_str() {
            "compliant" => CommitmentStatus::Compliant,
            "noncompliant" => CommitmentStatus::Noncompliant,
            "contested" => CommitmentStatus::Contested,
            "unverified" => CommitmentStatus::Unverified,
            other => return Err(unknown_word(span, "commitment status", other, &STATUSES)),
        };
        let mut reviews = 1;
        if self.is_word("for") {
            self.bump();
            let (n, n_span) = self.integer("the number of reviews")?;
            if n == 0 {
                return Err(SyntaxError {
                    code: None,
                    span: n_span,
                    message:
                        "`for 0 reviews` means nothing: a status holds for at least one review"
                            .into(),
                    help: Some("write `for 1 review` or leave out `for ...`".into()),
                });
            }
            let (unit, unit_span) = self.word("`reviews`")?;
            if unit != "reviews" && unit != "review" {
                return Err(SyntaxError {
                    code: None,
                    span: unit_span,
                    message: format!("expected `reviews`, found `{unit}`"),
                    help: Some(
                        "conditions count consecutive reviews: write `for 2 reviews`".into(),
                    ),
                });
            }
            reviews = n;
        }
        Ok(Condition::Status {
            quantifier,
            commitments,
            status,
            reviews,
        })
    }

    fn word(&mut self, what: &str) -> R<(String, Range<usize>)> {
        match self.peek().clone() {
            Tok::Word(w) => {
                let span = self.bump().1;
                Ok((w, span))
            }
            other => self.error(format!("expected {what}, found {}", other.describe()), None),
        }
    }

    fn keyword(&mut self, keyword: &str, help: &str) -> R<()> {
        if self.is_word(keyword) {
            self.bump();
            return Ok(());
        }
        let found = self.peek().describe();
        self.error(format!("expected `{keyword}`, found {found}"), Some(help))
    }

    fn integer(&mut self, what: &str) -> R<(u32, Range<usize>)> {
        let (w, span) = self.word(what)?;
        match w.parse::<u32>() {
            Ok(n) => Ok((n, span)),
            Err(_) => Err(SyntaxError {
                code: None,
                span,
                message: format!("expected {what} (a whole number), found `{w}`"),
                help: None,
            }),
        }
    }

    fn reference(
        &mut self,
        kind: RefKind,
        word: String,
        span: Range<usize>,
    ) -> R<(String, Range<usize>)> {
        if matches!(word.as_str(), "and" | "or" | "not") {
            return Err(SyntaxError {
                code: None,
                span,
                message: format!("expected an identifier, found the keyword `{word}`"),
                help: None,
            });
        }
        self.references.push(Reference {
            kind,
            id: word.clone(),
            span: span.clone(),
        });
        Ok((word, span))
    }

    fn single_id(&mut self, kind: RefKind) -> R<(String, Range<usize>)> {
        let (w, span) = self.word(kind_name(kind))?;
        let id = self.reference(kind, w, span)?;
        self.expect(Tok::RParen, "one identifier goes between the parentheses")?;
        Ok(id)
    }

    fn id_list(&mut self, kind: RefKind) -> R<Vec<CommitmentId>> {
        let mut ids = Vec::new();
        loop {
            let (w, span) = self.word(kind_name(kind))?;
            let id = self.reference(kind, w, span)?;
            ids.push(commitment(id)?);
            match self.peek() {
                Tok::Comma => {
                    self.bump();
                }
                Tok::RParen => {
                    self.bump();
                    return Ok(ids);
                }
                other => {
                    let found = other.describe();
                    return self.error(
                        format!("expected `,` or `)`, found {found}"),
                        Some("separate identifiers with commas: `all(c1, c2)`"),
                    );
                }
            }
        }
    }

    fn date_rule(&mut self, depth: usize) -> R<DateRule> {
        self.depth_check(depth)?;
        let mut rule = self.date_term(depth)?;
        loop {
            let forward = match self.peek() {
                Tok::Plus => true,
                Tok::Minus => false,
                _ => return Ok(rule),
            };
            self.bump();
            let (w, span) = self.word("an ISO 8601 duration such as `P90D`")?;
            let by: CalendarDuration =
                w.parse()
                    .map_err(|e: accord_core::time::DurationError| SyntaxError {
                        code: None,
                        span,
                        message: e.to_string(),
                        help: Some(
                            "durations are ISO 8601: `P90D` (days), `P6M` (months), `P1Y`, `P2W`"
                                .into(),
                        ),
                    })?;
            rule = DateRule::Offset {
                base: Box::new(rule),
                by,
                forward,
            };
        }
    }

    fn date_term(&mut self, depth: usize) -> R<DateRule> {
        if *self.peek() == Tok::LParen {
            self.bump();
            let inner = self.date_rule(depth + 1)?;
            self.expect(Tok::RParen, "close the parenthesis")?;
            return Ok(inner);
        }
        let (w, span) = self.word("a date, an event or `earliest(...)`")?;
        if looks_like_date(&w) {
            return parse_date(&w, span).map(DateRule::On);
        }
        if starts_an_instant(&w) {
            return w
                .parse::<Moment>()
                .map(DateRule::At)
                .map_err(|e| moment_error(e, span));
        }
        if *self.peek() == Tok::LParen {
            self.bump();
            return match w.as_str() {
                "earliest" | "latest" => {
                    let mut rules = vec![self.date_rule(depth + 1)?];
                    while *self.peek() == Tok::Comma {
                        self.bump();
                        rules.push(self.date_rule(depth + 1)?);
                    }
                    self.expect(Tok::RParen, "close the parenthesis")?;
                    Ok(if w == "earliest" {
                        DateRule::Earliest(rules)
                    } else {
                        DateRule::Latest(rules)
                    })
                }
                "phase" => {
                    let id = self.single_id(RefKind::Phase)?;
                    Ok(DateRule::PhaseEntered(
                        PhaseId::new(id.0).map_err(|e| id_error(&id.1, e))?,
                    ))
                }
                "stage" => {
                    let id = self.single_id(RefKind::Stage)?;
                    Ok(DateRule::StageBegan(
                        StageId::new(id.0).map_err(|e| id_error(&id.1, e))?,
                    ))
                }
                other => Err(unknown_word(
                    span,
                    "date function",
                    other,
                    &["earliest", "latest", "phase", "stage"],
                )),
            };
        }
        // An event. `adoption-P30D` lexes as one word: say how to write it.
        if let Some((base, dur)) = w.rsplit_once("-P").or_else(|| w.rsplit_once("+P"))
            && !base.is_empty()
            && format!("P{dur}").parse::<CalendarDuration>().is_ok()
        {
            return Err(SyntaxError {
                code: None,
                span,
                message: format!("`{w}` is read as one identifier"),
                help: Some(format!("put spaces around the sign: `{base} - P{dur}`")),
            });
        }
        let id = self.reference(RefKind::Event, w, span)?;
        Ok(DateRule::Event(
            EventId::new(id.0).map_err(|e| id_error(&id.1, e))?,
        ))
    }
}

fn kind_name(kind: RefKind) -> &'static str {
    match kind {
        RefKind::Commitment => "a commitment",
        RefKind::Phase => "a phase",
        RefKind::Event => "an event",
        RefKind::Stage => "a dispute stage",
    }
}

fn commitment(id: (String, Range<usize>)) -> R<CommitmentId> {
    CommitmentId::new(id.0).map_err(|e| id_error(&id.1, e))
}

fn id_error(span: &Range<usize>, e: IdError) -> SyntaxError {
    SyntaxError {
        code: None,
        span: span.clone(),
        message: e.to_string(),
        help: None,
    }
}

fn unknown_word(span: Range<usize>, what: &str, word: &str, known: &[&str]) -> SyntaxError {
    SyntaxError {
        code: None,
        span,
        message: format!("unknown {what} `{word}`"),
        help: Some(crate::diagnostic::did_you_mean(
            word,
            known.iter().copied(),
            |all| format!("expected {}", crate::diagnostic::one_of(&all)),
        )),
    }
}

/// Whether a word has the shape `dddd-dd-dd` (so it is meant as a date).
pub(crate) fn looks_like_date(w: &str) -> bool {
    let b = w.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

/// Whether a word is a date followed by a time (`2026-11-09T…`): meant as an instant.
pub(crate) fn starts_an_instant(w: &str) -> bool {
    w.get(..10).is_some_and(looks_like_date) && matches!(w.as_bytes().get(10), Some(b'T' | b't'))
}

/// A moment that cannot be read, as a located error with its own code and a hint.
pub(crate) fn moment_error(e: MomentError, span: Range<usize>) -> SyntaxError {
    let (code, message, help) = match &e {
        MomentError::UnknownZone { zone, .. } => (
            "accord::unknown_zone",
            format!("`{zone}` is not a time zone of the tz database"),
            zone_help(zone),
        ),
        MomentError::Skipped { local, zone, before, after } => (
            "accord::skipped_time",
            format!("`{local}` does not exist in {zone}: clocks skipped from {before} to {after} that day"),
            format!("write a local time that exists that day, or the instant meant with an offset and no zone: `{local}{before}` (the old offset) or `{local}{after}` (the new one)"),
        ),
        MomentError::Ambiguous { local, zone, first, second } => (
            "accord::ambiguous_time",
            format!("`{local}` occurs twice in {zone} (clocks went back): at {first} and at {second}"),
            format!("write the one meant with its offset: `{local}{first}[{zone}]` (the first) or `{local}{second}[{zone}]` (the second)"),
        ),
        _ => (
            "accord::date",
            e.to_string(),
            "write a date (`2026-01-15`) or an instant with its zone (`2026-01-15T00:01[America/New_York]`, `2026-01-15T00:01-05:00`, `2026-01-15T00:00Z`)".to_owned(),
        ),
    };
    SyntaxError {
        code: Some(code),
        span,
        message,
        help: Some(help),
    }
}

/// What to write for an unknown zone: the nearest name of the bundled tz database, or how
/// zones are named.
pub(crate) fn zone_help(zone: &str) -> String {
    let names: Vec<String> = jiff::tz::TimeZoneDatabase::bundled()
        .available()
        .map(|n| n.to_string())
        .collect();
    crate::diagnostic::did_you_mean(zone, names.iter().map(String::as_str), |_| {
        "write an IANA name such as `Europe/London` or `America/New_York`".to_owned()
    })
}

/// Parses `YYYY-MM-DD`, refusing impossible dates such as `2026-02-30`.
pub(crate) fn parse_date(w: &str, span: Range<usize>) -> R<Date> {
    let bad = |message: String| SyntaxError {
        code: None,
        span: span.clone(),
        message,
        help: Some("dates are ISO 8601 calendar dates: `2026-01-15`".into()),
    };
    let (Some(y), Some(m), Some(d)) = (w.get(0..4), w.get(5..7), w.get(8..10)) else {
        return Err(bad(format!("`{w}` is not a date")));
    };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i16>(), m.parse::<i8>(), d.parse::<i8>()) else {
        return Err(bad(format!("`{w}` is not a date")));
    };
    Date::new(y, m, d).map_err(|_| bad(format!("`{w}` is not a day of the calendar")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(text: &str) -> Condition {
        parse_condition(text).unwrap().value
    }

    #[test]
    fn not_binds_tighter_than_and_than_or() {
        let cond = c("a compliant or not b compliant and phase(p1) reached");
        let Condition::Or { any } = cond else {
            panic!("{cond:?}")
        };
        assert_eq!(any.len(), 2);
        assert!(
            matches!(&any[1], Condition::And { all } if matches!(all[0], Condition::Not { .. }))
        );
    }

    #[test]
    fn spans_point_at_the_identifier() {
        let text = "any(c1, stockpile) noncompliant and dispute(c1) exhausted";
        let parsed = parse_condition(text).unwrap();
        let r = &parsed.references[1];
        assert_eq!(&text[r.span.clone()], "stockpile");
        assert_eq!(r.kind, RefKind::Commitment);
    }

    #[test]
    fn errors_point_at_the_mistake() {
        let e = parse_condition("all(c1, c2) complaint").unwrap_err();
        assert_eq!(e.span, 12..21);
        assert_eq!(e.help.as_deref(), Some("did you mean `compliant`?"));
        let e = parse_date_rule("adoption-P30D").unwrap_err();
        assert_eq!(
            e.help.as_deref(),
            Some("put spaces around the sign: `adoption - P30D`")
        );
        let e = parse_date_rule("2026-02-30").unwrap_err();
        assert!(e.message.contains("not a day"), "{e:?}");
        assert!(parse_condition(&"(".repeat(200)).is_err());
        assert!(parse_condition(&"not ".repeat(200)).is_err());
    }

    #[test]
    fn date_rules_nest() {
        let parsed =
            parse_date_rule("earliest(adoption + P90D, 2026-06-30, phase(p2) - P1M)").unwrap();
        assert!(matches!(parsed.value, DateRule::Earliest(ref v) if v.len() == 3));
        assert_eq!(parsed.references.len(), 2);
    }
}
