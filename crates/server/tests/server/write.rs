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

/// Entries submitted at once, one by one and in batches, are each answered with what the
/// store holds for them: its index (each once), record time, leaf hash and id — now that
/// a new entry's answer comes from the writer's receipt rather than a read of the store.
#[test]
fn receipts_of_entries_submitted_at_once_are_what_the_store_holds() {
    both(async |f| {
        let url = format!("{}/v1/statements", f.base);
        let token = f.tokens[&Role::Monitor].clone();
        let post = |body: String| {
            let (client, url, token) = (super::support::client(), url.clone(), token.clone());
            tokio::spawn(async move {
                let answer = client
                    .post(&url)
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                let status = answer.status().as_u16();
                let text = answer.text().await.unwrap();
                (
                    status,
                    serde_json::from_str::<serde_json::Value>(&text).unwrap(),
                )
            })
        };
        let entry = |i: u32| signed(ORIGIN, evidence(f64::from(i)), "iaea", &key(3));
        let mut singles = Vec::new();
        for i in 0..24 {
            singles.push(post(format!("{{\"entry\": \"{}\"}}", entry(i))));
        }
        let mut batches = Vec::new();
        for b in 0..2 {
            let items: Vec<String> = (0..8)
                .map(|j| format!("{{\"entry\": \"{}\"}}", entry(100 + b * 8 + j)))
                .collect();
            batches.push(post(format!("[{}]", items.join(", "))));
        }
        let mut receipts = Vec::new();
        for single in singles {
            let (status, receipt) = single.await.unwrap();
            assert_eq!(status, 201, "{}: {receipt}", f.kind);
            receipts.push(receipt);
        }
        for batch in batches {
            let (status, answer) = batch.await.unwrap();
            assert_eq!(status, 200, "{}: {answer}", f.kind);
            for result in answer["results"].as_array().unwrap() {
                assert_eq!(result["status"], 201, "{result}");
                receipts.push(result.clone());
            }
        }
        // The same entry again: its first index and record time, read back.
        let again = f
            .submit(
                Some(Role::Monitor),
                &format!("{{\"entry\": \"{}\"}}", entry(5)),
            )
            .await;
        assert_eq!(again.status, 200, "{}", again.body);
        assert_eq!(again.json()["duplicate"], true);
        receipts.push(again.json());

        assert_eq!(f.log_size(), 40);
        let mut indices: Vec<u64> = receipts[..40]
            .iter()
            .map(|r| r["index"].as_u64().unwrap())
            .collect();
        indices.sort_unstable();
        assert_eq!(indices, (0..40).collect::<Vec<u64>>());
        f.blocking(|store| {
            let mut ledger = store.ledger(Some(ORIGIN)).unwrap();
            for receipt in &receipts {
                let index = receipt["index"].as_u64().unwrap();
                let (logged, leaf_hash) = ledger.entry(index).unwrap();
                let id: String = logged
                    .signed
                    .id()
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                assert_eq!(receipt["origin"], ORIGIN);
                assert_eq!(receipt["entry_id"], id, "#{index}");
                assert_eq!(
                    receipt["recorded_at"],
                    serde_json::to_value(logged.recorded_at).unwrap(),
                    "#{index}"
                );
                assert_eq!(
                    receipt["leaf_hash"],
                    accord_ledger::checkpoint::encode_hash(&leaf_hash),
                    "#{index}"
                );
            }
        });
    });
}
