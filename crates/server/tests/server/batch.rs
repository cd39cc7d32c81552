//! `POST /v1/statements` with an array: each entry answered on its own, in order; a
//! request that cannot be read or a caller who may not submit refused as a whole, with
//! nothing written.

use accord_server::Role;

use super::support::{ORIGIN, both, evidence, key, signed};

fn batch(entries: &[String]) -> String {
    let items: Vec<String> = entries
        .iter()
        .map(|e| format!("{{\"entry\": \"{e}\"}}"))
        .collect();
    format!("[{}]", items.join(", "))
}

#[test]
fn each_entry_of_a_batch_gets_its_own_result_in_order() {
    both(async |f| {
        let earlier = signed(ORIGIN, evidence(1.0), "iaea", &key(3));
        let first = f
            .submit(
                Some(Role::Monitor),
                &format!("{{\"entry\": \"{earlier}\"}}"),
            )
            .await;
        assert_eq!(first.status, 201, "{}", first.body);

        let body = batch(&[
            signed(ORIGIN, evidence(2.0), "iaea", &key(3)),
            // Signed with a key the roster does not hold for `iaea`.
            signed(ORIGIN, evidence(3.0), "iaea", &key(7)),
            signed(ORIGIN, evidence(4.0), "iaea", &key(3)),
            earlier,
            // Signed by `arden` only: the monitor's token does not act for it.
            signed(ORIGIN, evidence(5.0), "arden", &key(4)),
            "zz".to_owned(),
        ]);
        let answer = f.submit(Some(Role::Monitor), &body).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        let results = answer.json()["results"].as_array().unwrap().clone();
        let statuses: Vec<u64> = results
            .iter()
            .map(|r| r["status"].as_u64().unwrap())
            .collect();
        assert_eq!(statuses, [201, 422, 201, 200, 403, 422], "{}", answer.body);
        assert_eq!(results[1]["type"], "urn:accord:problem:entry-refused");
        assert_eq!(results[3]["index"], 0);
        assert_eq!(results[3]["duplicate"], true);
        assert_eq!(results[4]["type"], "urn:accord:problem:not-a-signer");
        assert_eq!(results[5]["type"], "urn:accord:problem:malformed-entry");
        // The two new entries took the next two indexes, in the batch's order.
        assert_eq!(results[0]["index"], 1, "{}", answer.body);
        assert_eq!(results[2]["index"], 2, "{}", answer.body);
        assert_eq!(f.log_size(), 3);
        // As a single entry's answer, the batch's carries the write-ahead log position
        // after its commits on PostgreSQL (to read one's writes from a standby), none on
        // SQLite; nor does a batch of which nothing was logged.
        let position = |a: &super::support::Answer| {
            a.headers
                .get("accord-commit-lsn")
                .map(|v| v.to_str().unwrap().to_owned())
        };
        let lsn = position(&answer);
        match f.kind {
            "postgres" => {
                let lsn = lsn.expect("a PostgreSQL batch's answer carries Accord-Commit-Lsn");
                let (high, low) = lsn.split_once('/').unwrap();
                assert!(
                    u32::from_str_radix(high, 16).is_ok() && u32::from_str_radix(low, 16).is_ok(),
                    "{lsn}"
                );
            }
            _ => assert_eq!(lsn, None),
        }
        let refused = f
            .submit(
                Some(Role::Monitor),
                &batch(&[signed(ORIGIN, evidence(6.0), "iaea", &key(7))]),
            )
            .await;
        assert_eq!(refused.status, 200, "{}", refused.body);
        assert_eq!(position(&refused), None, "{}", refused.body);
    });
}

#[test]
fn a_batch_is_refused_whole_when_it_cannot_be_read_or_submitted() {
    both(async |f| {
        let one = signed(ORIGIN, evidence(1.0), "iaea", &key(3));
        let body = batch(std::slice::from_ref(&one));
        f.submit(None, &body).await.problem(401, "unauthorised");
        f.submit(Some(Role::Public), &body)
            .await
            .problem(403, "forbidden");
        f.submit(Some(Role::Monitor), "[]")
            .await
            .problem(422, "invalid-body");
        f.submit(Some(Role::Monitor), "[1, 2]")
            .await
            .problem(422, "invalid-body");
        f.submit(Some(Role::Monitor), "[{\"entry\": \"zz\", \"extra\": 1}]")
            .await
            .problem(422, "invalid-body");
        f.submit(Some(Role::Monitor), "[{\"entry\": ")
            .await
            .problem(400, "malformed-json");
        let many = batch(&vec!["zz".to_owned(); 1001]);
        let detail = f
            .submit(Some(Role::Monitor), &many)
            .await
            .problem(422, "invalid-body");
        assert!(detail.contains("1001"), "{detail}");
        assert_eq!(f.log_size(), 0);
    });
}
