//! Submitting signed entries: the answer after the commit, the same answer for the same
//! entry again, the ledger's refusals with their reasons, and nothing written for them.

use accord_server::Role;

use super::support::{ORIGIN, both, evidence, key, signed};

#[test]
fn an_entry_is_answered_after_its_commit_and_once_only() {
    both(async |f| {
        let entry = signed(ORIGIN, evidence(1.0), "iaea", &key(3));
        let body = format!("{{\"entry\": \"{entry}\"}}");
        let first = f.submit(Some(Role::Monitor), &body).await;
        assert_eq!(first.status, 201, "{}: {}", f.kind, first.body);
        let receipt = first.json();
        assert_eq!(receipt["origin"], ORIGIN);
        assert_eq!(receipt["index"], 0);
        assert_eq!(receipt["duplicate"], false);
        // The acknowledged entry is in the store, with the leaf hash the answer gave.
        assert_eq!(f.log_size(), 1);
        let proof =
            f.blocking(|s| accord_app::ledger::inclusion(s, Some(ORIGIN), 0, None).unwrap());
        assert_eq!(
            receipt["leaf_hash"],
            accord_ledger::checkpoint::encode_hash(&proof.leaf_hash)
        );

        let again = f.submit(Some(Role::Monitor), &body).await;
        assert_eq!(again.status, 200, "{}", again.body);
        let again = again.json();
        assert_eq!(again["duplicate"], true);
        for field in ["index", "recorded_at", "leaf_hash", "entry_id"] {
            assert_eq!(again[field], receipt[field], "{field}");
        }
        assert_eq!(f.log_size(), 1);

        // Hex is accepted as well as base64; a second entry goes after the first.
        let bytes = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            signed(ORIGIN, evidence(2.0), "iaea", &key(3)),
        )
        .unwrap();
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let second = f
            .submit(Some(Role::Monitor), &format!("{{\"entry\": \"{hex}\"}}"))
            .await;
        assert_eq!(second.status, 201, "{}", second.body);
        assert_eq!(second.json()["index"], 1);
    });
}

#[test]
fn refused_entries_carry_the_ledgers_reason_and_write_nothing() {
    both(async |f| {
        // Signed with a key the roster does not hold for `iaea`.
        let forged = signed(ORIGIN, evidence(1.0), "iaea", &key(7));
        let detail = f
            .submit(Some(Role::Monitor), &format!("{{\"entry\": \"{forged}\"}}"))
            .await
            .problem(422, "entry-refused");
        assert!(detail.starts_with("entry refused: the key `"), "{detail}");
        assert!(detail.ends_with("is not registered for `iaea`"), "{detail}");

        // For a log this server does not have.
        let elsewhere = signed("accord.example/other", evidence(1.0), "iaea", &key(3));
        let detail = f
            .submit(
                Some(Role::Monitor),
                &format!("{{\"entry\": \"{elsewhere}\"}}"),
            )
            .await
            .problem(404, "no-such-log");
        assert_eq!(
            detail,
            "there is no log `accord.example/other` on this server"
        );

        // A token acts for its own participant only.
        let by_iaea = signed(ORIGIN, evidence(1.0), "iaea", &key(3));
        let detail = f
            .submit(Some(Role::Party), &format!("{{\"entry\": \"{by_iaea}\"}}"))
            .await
            .problem(403, "not-a-signer");
        assert_eq!(
            detail,
            "the token acts for `arden`, who did not sign this entry"
        );

        // Not an entry at all.
        f.submit(Some(Role::Monitor), "{\"entry\": \"zz\"}")
            .await
            .problem(422, "malformed-entry");
        f.submit(Some(Role::Monitor), "{\"entry\": \"AAAA\"}")
            .await
            .problem(422, "malformed-entry");
        assert_eq!(f.log_size(), 0, "{}", f.kind);
    });
}
