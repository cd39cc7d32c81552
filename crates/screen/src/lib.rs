//! Name screening for Accord: does this name (with what else is known) belong to a
//! designated entity, how sure are we, and why?
//!
//! A pure library: no files, no network, no clock. The caller builds an [`Index`] from
//! [`Candidate`]s (the lists crate fills them from designations) and asks it [`Query`]s;
//! every [`Hit`] carries a score in `[0, 1]` and an [`Explanation`] of the features that
//! produced it. [`score_pair`] compares two bare names, for calibrating a threshold on
//! labelled pairs.
//!
//! ```
//! use accord_screen::{Candidate, CandidateName, Index, NameKind, Query, Schema, Settings};
//!
//! let index = Index::build(vec![Candidate {
//!     id: "ofac-1".into(),
//!     schema: Schema::Person,
//!     names: vec![CandidateName { value: "Владимир Путин".into(), kind: NameKind::Primary }],
//!     identifiers: vec![],
//!     birth_dates: vec!["1952-10-07".parse().unwrap()],
//!     countries: vec!["ru".into()],
//! }]);
//! let query = Query { name: "PUTIN, Vladimir".into(), ..Query::default() };
//! let hits = index.screen(&query, &Settings::default());
//! assert_eq!(hits[0].candidate_id, "ofac-1");
//! assert!(hits[0].score > 0.95);
//! ```
//!
//! The pipeline: [`normalize`] (scripts, transliteration, legal forms, particles) →
//! [`compare`] (token alignment, independent of word order) → [`index`] (blocking,
//! shortlist, scoring, date-of-birth and country adjustments).

pub mod abjad;
pub mod batch;
pub mod candidate;
pub mod compare;
pub mod country;
pub mod hit;
pub mod index;
pub mod normalize;
pub mod similarity;

pub use candidate::{
    Candidate, CandidateName, FieldError, Identifier, NameKind, PartialDate, Query, Schema,
};
pub use compare::{NameMatch, NameMethod, TokenMatchKind, TokenPair, score_pair, score_pair_value};
pub use hit::{Adjustment, Explanation, Hit, IdentifierMatch};
pub use index::{DEFAULT_THRESHOLD, Index, Settings};
