//! Shared fixtures of the ledger CLI tests: keys and a roster on disk, signed entries, and
//! a fresh store of each kind (SQLite file, PostgreSQL schema).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use accord_core::id::{AgreementId, IndicatorId, ParticipantId, UnitId};
use accord_core::statement::{Confidentiality, Evidence, Method, Observation, Quantity, Statement};
use accord_core::time::Period;
use accord_ledger::entry::{Body, Entry, SignedEntry};
use accord_ledger::note::SignerKey;
use accord_ledger::roster::{Member, RegisteredKey, Role, Roster};
use base64::Engine as _;

pub const ORIGIN: &str = "accord.example/agreement-1";

pub fn evidence(i: u64) -> Statement {
    Statement::Evidence(Evidence {
        indicator: IndicatorId::new("stockpile").unwrap(),
        period: Period::new(
            jiff::civil::date(2026, 1, 1),
            jiff::civil::date(2026, 3, 31),
        )
        .unwrap(),
        value: Observation::Quantity(Quantity::new(i as f64, UnitId::new("kg").unwrap()).unwrap()),
        method: Method::OnSiteInspection,
        attachments: vec![],
        confidentiality: Confidentiality::Public,
        note: None,
        escrow_until: None,
    })
}

/// Key files and a roster file in a directory.
pub struct Setup {
    pub log_key: PathBuf,
    pub log_vkey: String,
    pub monitor_key: PathBuf,
    pub monitor_public: String,
    pub second_key: PathBuf,
    pub target_key: PathBuf,
    pub roster: PathBuf,
    pub monitor: SignerKey,
}

impl Setup {
    pub fn new(dir: &Path) -> Self {
        let write = |name: &str, key: &SignerKey| {
            let p = dir.join(name);
            std::fs::write(&p, format!("{}\n", key.to_private_string())).unwrap();
            p
        };
        let log = SignerKey::from_seed(ORIGIN, [100; 32]).unwrap();
        let monitor = SignerKey::from_seed("iaea", [101; 32]).unwrap();
        let second = SignerKey::from_seed("audit-firm", [102; 32]).unwrap();
        let target = SignerKey::from_seed("target", [103; 32]).unwrap();
        let authority = SignerKey::from_seed("treasury", [104; 32]).unwrap();
        let b64 = |k: &SignerKey| base64::engine::general_purpose::STANDARD.encode(k.public_key());
        let mut participants = BTreeMap::new();
        for (id, role, key) in [
            ("iaea", Role::Monitor, &monitor),
            ("audit-firm", Role::Monitor, &second),
            ("target", Role::Target, &target),
            ("treasury", Role::Authority, &authority),
        ] {
            participants.insert(
                ParticipantId::new(id).unwrap(),
                Member {
                    role,
                    standing: role == Role::Authority,
                    keys: vec![RegisteredKey {
                        public_key: b64(key),
                        valid_from: "2020-01-01T00:00:00Z".parse().unwrap(),
                        valid_until: None,
                        ended_because: None,
                    }],
                },
            );
        }
        let roster = Roster {
            agreement: AgreementId::new("agreement-1").unwrap(),
            participants,
        };
        let roster_path = dir.join("roster.json");
        std::fs::write(&roster_path, serde_json::to_string_pretty(&roster).unwrap()).unwrap();
        Setup {
            log_key: write("log.key", &log),
            log_vkey: log.verifier().to_string(),
            monitor_key: write("iaea.key", &monitor),
            monitor_public: b64(&monitor),
            second_key: write("audit-firm.key", &second),
            target_key: write("target.key", &target),
            roster: roster_path,
            monitor,
        }
    }

    /// An evidence entry signed by the monitor.
    pub fn entry(&self, i: u64) -> SignedEntry {
        let p = ParticipantId::new("iaea").unwrap();
        Entry {
            origin: ORIGIN.into(),
            agreement: AgreementId::new("agreement-1").unwrap(),
            body: Body::Open(evidence(i)),
        }
        .sign(&[(&p, &self.monitor)])
    }
}

/// A fresh store of one kind (see `accord_store::testing`), by its URL.
pub struct TestStore {
    pub url: String,
    fresh: accord_store::testing::TestStore,
}

impl TestStore {
    fn of(fresh: accord_store::testing::TestStore) -> Self {
        TestStore {
            url: fresh.url.to_string(),
            fresh,
        }
    }

    pub fn sqlite() -> Self {
        Self::of(accord_store::testing::TestStore::sqlite())
    }

    /// A store in a fresh schema; `None` (skipped) when PostgreSQL is unreachable outside CI.
    pub fn postgres() -> Option<Self> {
        accord_store::testing::TestStore::postgres().map(Self::of)
    }

    /// Runs SQL directly against the store, bypassing Accord: the tamperer's tool.
    #[allow(dead_code)]
    pub fn execute(&self, sql: &str) {
        self.fresh.execute(sql);
    }

    /// Flips one bit of a byte of an entry's leaf, directly in the database.
    pub fn flip_leaf_byte(&self, index: i64, offset: usize) {
        self.fresh.flip_leaf_byte(index, offset);
    }
}

pub fn for_each_store(test: impl Fn(&TestStore)) {
    test(&TestStore::sqlite());
    if let Some(pg) = TestStore::postgres() {
        test(&pg);
    }
}
