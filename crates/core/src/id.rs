//! Identifiers of the things an agreement names.
//!
//! An identifier is what a policy officer writes in an agreement file (`enrichment_cap`,
//! `iaea`, `phase-2`) and what every statement in the log refers to. Identifiers are
//! compared byte for byte; they are ASCII so that they read the same in every script and
//! sort the same on every machine.
//!
//! INVARIANT: every identifier value is 1 to 64 bytes of `[A-Za-z0-9_.-]` and starts with
//! a letter or digit — [`validate`] is the only way in (serde included).

use std::fmt;

/// Why a string is not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The string is empty.
    #[error("an identifier cannot be empty")]
    Empty,
    /// The string is longer than 64 bytes.
    #[error("identifier `{0}` is longer than 64 characters")]
    TooLong(String),
    /// The string has a character outside `[A-Za-z0-9_.-]` or does not start with a letter or digit.
    #[error(
        "identifier `{0}` may only use letters, digits, `_`, `-` and `.`, and must start with a letter or digit"
    )]
    BadCharacter(String),
}

/// Checks that `s` is a valid identifier.
pub fn validate(s: &str) -> Result<(), IdError> {
    if s.is_empty() {
        return Err(IdError::Empty);
    }
    if s.len() > 64 {
        return Err(IdError::TooLong(s.to_owned()));
    }
    let mut chars = s.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    if !first_ok
        || !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return Err(IdError::BadCharacter(s.to_owned()));
    }
    Ok(())
}

macro_rules! identifier {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Makes an identifier, checking its form.
            pub fn new(s: impl Into<String>) -> Result<Self, IdError> {
                let s = s.into();
                validate(&s)?;
                Ok(Self(s))
            }

            /// The identifier as written.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                Self::new(s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                Self::new(s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

identifier!(
    /// An agreement, e.g. `jcpoa-style-2026`.
    AgreementId
);
identifier!(
    /// A party or a monitor: anyone who signs statements in an agreement's log.
    ParticipantId
);
identifier!(
    /// A commitment the target undertakes.
    CommitmentId
);
identifier!(
    /// An indicator that makes a commitment measurable.
    IndicatorId
);
identifier!(
    /// A phase of the relief schedule.
    PhaseId
);
identifier!(
    /// A relief action of a phase.
    ActionId
);
identifier!(
    /// A humanitarian exemption.
    ExemptionId
);
identifier!(
    /// A regression rule (snapback trigger).
    TriggerId
);
identifier!(
    /// A dispute opened in the log.
    DisputeId
);
identifier!(
    /// A stage of the dispute process.
    StageId
);
identifier!(
    /// A named event whose date other dates are computed from, e.g. `adoption`.
    EventId
);
identifier!(
    /// A sanctions measure of a regime (asset freeze, sectoral prohibition, ...).
    MeasureId
);
identifier!(
    /// A sanctions regime of one jurisdiction.
    RegimeId
);
identifier!(
    /// A unit of measure declared by an agreement, e.g. `kg_u`, `kg_uf6`.
    UnitId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_forms_officers_write() {
        for ok in ["iaea", "enrichment_cap", "phase-2", "C1", "v1.2"] {
            assert!(IndicatorId::new(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_empty_long_and_odd_identifiers() {
        assert_eq!(IndicatorId::new(""), Err(IdError::Empty));
        assert!(matches!(
            IndicatorId::new("a".repeat(65)),
            Err(IdError::TooLong(_))
        ));
        for bad in ["-x", "_x", "a b", "é", "a/b"] {
            assert!(
                matches!(IndicatorId::new(bad), Err(IdError::BadCharacter(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn serde_goes_through_validation() {
        let err = serde_json::from_str::<PhaseId>("\"not ok\"").unwrap_err();
        assert!(err.to_string().contains("may only use"), "{err}");
        let id: PhaseId = serde_json::from_str("\"p1\"").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"p1\"");
    }
}
