//! The `tlog-policy` format, the quorum, and the check of cosigned checkpoints.

use proptest::prelude::*;

use super::*;
use crate::merkle::empty_root;
use crate::note::{self, SignerKey};
use crate::witness::tests::{ORIGIN, log_key, witness_key};

fn vkey(n: u8) -> String {
    witness_key(n).verifier().to_string()
}

/// The example of the spec (two organisations' witnesses), with real keys.
fn example() -> String {
    format!(
        "# the spec's example\n\
         log {log} https://log.example\n\
         \n\
         witness X1 {x1}\n\
         witness X2 {x2}\n\
         witness X3 {x3}\n\
         group X-witnesses 2 X1 X2 X3\n\
         \n\
         \twitness Y1 {y1}   https://y1.example/witness \n\
         witness Y2 {y2}\n\
         witness Y3 {y3}\n\
         group Y-witnesses any Y1 Y2 Y3\n\
         \n\
         group X-and-Y all X-witnesses Y-witnesses\n\
         quorum X-and-Y\n",
        log = log_key().verifier(),
        x1 = vkey(1),
        x2 = vkey(2),
        x3 = vkey(3),
        y1 = vkey(4),
        y2 = vkey(5),
        y3 = vkey(6),
    )
}

#[test]
fn the_spec_example_parses_and_round_trips() {
    let policy = WitnessPolicy::parse(&example()).unwrap();
    assert_eq!(policy.logs().len(), 1);
    assert_eq!(policy.logs()[0].url.as_deref(), Some("https://log.example"));
    assert_eq!(policy.witnesses().len(), 6);
    assert_eq!(
        policy.witnesses()[3].url.as_deref(),
        Some("https://y1.example/witness")
    );
    let names: Vec<(&str, usize)> = policy
        .groups()
        .iter()
        .map(|g| (g.name.as_str(), g.k()))
        .collect();
    assert_eq!(
        names,
        [("X-witnesses", 2), ("Y-witnesses", 1), ("X-and-Y", 2)]
    );
    assert_eq!(policy.quorum(), Some(Member::Group(2)));
    let text = policy.to_text();
    assert_eq!(WitnessPolicy::parse(&text).unwrap(), policy);
    assert!(text.contains("group Y-witnesses any Y1 Y2 Y3\n"), "{text}");
}

#[test]
fn the_quorum_is_two_x_and_one_y() {
    let policy = WitnessPolicy::parse(&example()).unwrap();
    for subset in 0u32..64 {
        let cosigned: Vec<usize> = (0..6).filter(|i| subset & (1 << i) != 0).collect();
        let xs = cosigned.iter().filter(|&&i| i < 3).count();
        let ys = cosigned.len() - xs;
        assert_eq!(
            policy.is_satisfied_by(&cosigned),
            xs >= 2 && ys >= 1,
            "{cosigned:?}"
        );
    }
}

#[test]
fn bad_policies_are_refused_with_line_and_column() {
    let (w1, w2, log) = (vkey(1), vkey(2), log_key().verifier().to_string());
    let cases = [
        (
            format!("witness a {w1}\nquorum b\n"),
            "2:8: `b` is not defined above this line",
        ),
        (
            format!("witness a {w1}\nwitness a {w2}\nquorum a\n"),
            "2:9: the name `a` is already defined",
        ),
        (
            format!("witness none {w1}\nquorum none\n"),
            "1:9: `none` is reserved: it names the empty quorum",
        ),
        (
            format!("witness a {w1}\nwitness b {w1}\nquorum a\n"),
            &format!("2:11: the public key of `{w1}` is already listed"),
        ),
        (
            format!("witness a {log}\nquorum a\n"),
            &format!(
                "1:11: `{log}` is not a witness key: witnesses cosign with a tlog-cosignature (0x04) key"
            ),
        ),
        (
            format!("log {w1}\nquorum none\n"),
            &format!(
                "1:5: `{w1}` is not a log key: a log signs checkpoints with an Ed25519 (0x01) key"
            ),
        ),
        (
            format!("witness a {w1}\nwitness b {w2}\ngroup g 3 a b\nquorum g\n"),
            "3:9: `3` is not a threshold for 2 members: use `all`, `any` or 1 to 2",
        ),
        (
            format!("witness a {w1}\ngroup g 0 a\nquorum g\n"),
            "2:9: `0` is not a threshold for 1 members: use `all`, `any` or 1 to 1",
        ),
        (
            format!("witness a {w1}\ngroup g 01 a\nquorum g\n"),
            "2:9: `01` is not a threshold for 1 members: use `all`, `any` or 1 to 1",
        ),
        (
            format!("witness a {w1}\ngroup g any a a\nquorum g\n"),
            "2:15: `a` is listed twice in this group",
        ),
        (
            format!("witness a {w1}\ngroup g any a c\nquorum g\n"),
            "2:15: `c` is not defined above this line",
        ),
        (
            format!("witness a {w1}\ngroup g any none\nquorum g\n"),
            "2:13: `none` is not defined above this line",
        ),
        (
            format!("witness a {w1}\ngroup g any\nquorum a\n"),
            "2:1: expected `group <name> <all|any|k> <member>...`",
        ),
        (
            format!("witness a {w1}\nquorum a\nquorum a\n"),
            "3:1: the quorum is already set",
        ),
        (
            format!("witness a {w1}\nquorum a b\n"),
            "2:1: expected `quorum <name>`",
        ),
        (
            format!("witness a {w1}\n"),
            "2:1: the policy has no `quorum` line",
        ),
        (
            format!("witnesses a {w1}\nquorum none\n"),
            "1:1: unknown keyword `witnesses`: expected `log`, `witness`, `group` or `quorum`",
        ),
        (
            format!("witness a {w1}\r\nquorum a\n"),
            &format!(
                "1:{}: control character 0x0d: only tab and newline are allowed",
                11 + w1.len()
            ),
        ),
        (
            "  witness a b+12345678+AAAA\nquorum none\n".to_owned(),
            "1:13: `b+12345678+AAAA` is not a key: expected `name+hex8+base64` (or `PRIVATE+KEY+name+hex8+base64`)",
        ),
        (
            "log\nquorum none\n".to_owned(),
            "1:1: expected `log <vkey> [<url>]`",
        ),
    ];
    for (text, expected) in cases {
        let err = WitnessPolicy::parse(&text).unwrap_err();
        assert_eq!(err.to_string(), expected, "{text}");
    }
}

#[test]
fn k_of_n_policies() {
    let named = |n: u8| (format!("w{n}"), witness_key(n).verifier());
    let policy = WitnessPolicy::k_of_n(2, [named(1), named(2), named(3)]).unwrap();
    assert!(!policy.is_satisfied_by(&[1]));
    assert!(policy.is_satisfied_by(&[0, 2]));
    assert!(WitnessPolicy::parse(&policy.to_text()).unwrap() == policy);
    let none = WitnessPolicy::k_of_n(0, [named(1)]).unwrap();
    assert!(none.is_satisfied_by(&[]));
    assert!(none.to_text().ends_with("quorum none\n"));
    assert!(matches!(
        WitnessPolicy::k_of_n(4, [named(1), named(2), named(3)]),
        Err(PolicyProblem::BadThreshold { .. })
    ));
    assert!(matches!(
        WitnessPolicy::k_of_n(1, []),
        Err(PolicyProblem::BadThreshold { .. })
    ));
    // A policy still being built is satisfied by nothing.
    let mut building = WitnessPolicy::new();
    building
        .add_witness("w1", witness_key(1).verifier(), None)
        .unwrap();
    assert!(!building.is_satisfied_by(&[0]));
}

fn cosigned(signers: &[u8], timestamp: u64) -> String {
    let body = Checkpoint {
        origin: ORIGIN.into(),
        size: 0,
        root: empty_root(),
        extensions: vec![],
    };
    let mut note = body.sign(&log_key()).unwrap();
    for n in signers {
        note = note::add_signatures(&note, &[&witness_key(*n)], timestamp).unwrap();
    }
    note
}

#[test]
fn checkpoints_are_checked_against_the_policy() {
    let policy = WitnessPolicy::parse(&example()).unwrap();
    let ok = policy.verify(&cosigned(&[1, 3, 5], 42), &[]).unwrap();
    assert_eq!(ok.log, ORIGIN);
    assert_eq!(
        ok.cosigned_by,
        [
            ("X1".to_owned(), 42),
            ("X3".to_owned(), 42),
            ("Y2".to_owned(), 42)
        ]
    );
    let short = policy.verify(&cosigned(&[1, 4, 5], 42), &[]).unwrap_err();
    assert_eq!(
        short.to_string(),
        "the checkpoint is not witnessed: the quorum `X-and-Y` needs more than the cosignatures of `X1`, `Y1`, `Y2`"
    );
    let bare = policy.verify(&cosigned(&[], 42), &[]).unwrap_err();
    assert_eq!(
        bare.to_string(),
        "the checkpoint is not witnessed: the quorum `X-and-Y` needs more than no cosignature"
    );
    // Cosignatures by witnesses outside the policy do not count and do not hurt.
    let stranger =
        SignerKey::from_seed_of_type("witness.example/stranger", TYPE_COSIGNATURE, [99; 32])
            .unwrap();
    let with_stranger = note::add_signatures(&cosigned(&[1, 2, 4], 42), &[&stranger], 42).unwrap();
    assert!(policy.verify(&with_stranger, &[]).is_ok());
    // A policy witness's cosignature that does not verify rejects the checkpoint.
    let good = cosigned(&[1, 2, 4], 42);
    let mut parsed = note::parse_note(&good).unwrap();
    let last = parsed.signatures.len() - 1;
    parsed.signatures[last].signature[20] ^= 1;
    let damaged = format!(
        "{}\n{}",
        parsed.text,
        parsed
            .signatures
            .iter()
            .map(crate::witness::signature_line)
            .collect::<String>()
    );
    assert!(matches!(
        policy.verify(&damaged, &[]),
        Err(WitnessedError::Note(_))
    ));
    // Not signed by a log of the policy.
    let empty = WitnessPolicy::k_of_n(0, []).unwrap();
    assert!(matches!(
        empty.verify(&good, &[]),
        Err(WitnessedError::Note(_))
    ));
    assert!(empty.verify(&good, &[log_key().verifier()]).is_ok());
    // A log key whose name is not the origin.
    let misnamed = SignerKey::from_seed("accord.example/elsewhere", [1; 32]).unwrap();
    let body = Checkpoint {
        origin: ORIGIN.into(),
        size: 0,
        root: empty_root(),
        extensions: vec![],
    };
    let note = body.sign(&misnamed).unwrap();
    assert!(matches!(
        empty.verify(&note, &[misnamed.verifier()]),
        Err(WitnessedError::WrongOrigin { .. })
    ));
    // Only witnesses signed: no log.
    let only_witness = note::sign_note(&body.body(), &[&witness_key(1)], 1).unwrap();
    assert_eq!(
        policy.verify(&only_witness, &[]),
        Err(WitnessedError::NotSignedByLog)
    );
}

/// A random well-formed policy: `n` witnesses and groups over what precedes them.
fn policies() -> impl Strategy<Value = WitnessPolicy> {
    (
        1usize..7,
        proptest::collection::vec((any::<u8>(), any::<u64>()), 0..6),
        any::<u8>(),
    )
        .prop_map(|(n, groups, quorum)| {
            let mut p = WitnessPolicy::new();
            for i in 0..n {
                p.add_witness(&format!("w{i}"), witness_key(i as u8).verifier(), None)
                    .unwrap();
            }
            let mut names: Vec<String> = (0..n).map(|i| format!("w{i}")).collect();
            for (g, (k, pick)) in groups.into_iter().enumerate() {
                let members: Vec<&str> = names
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| pick & (1 << (i % 64)) != 0)
                    .map(|(_, m)| m.as_str())
                    .collect();
                if members.is_empty() {
                    continue;
                }
                let threshold = match k % 4 {
                    0 => "all".to_owned(),
                    1 => "any".to_owned(),
                    _ => (1 + k as usize % members.len()).to_string(),
                };
                let name = format!("g{g}");
                p.add_group(&name, &threshold, &members).unwrap();
                names.push(name);
            }
            let q = quorum as usize % (names.len() + 1);
            p.set_quorum(names.get(q).map_or("none", String::as_str))
                .unwrap();
            p
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn policies_round_trip_through_text(policy in policies()) {
        let text = policy.to_text();
        prop_assert_eq!(WitnessPolicy::parse(&text).unwrap(), policy);
    }

    /// More cosignatures never turn a witnessed checkpoint into an unwitnessed one.
    #[test]
    fn quorums_are_monotone(policy in policies(), a in any::<u8>(), b in any::<u8>()) {
        let set = |bits: u8| (0..8).filter(|i| bits & (1 << i) != 0).collect::<Vec<usize>>();
        let (small, large) = (set(a & b), set(a | b));
        if policy.is_satisfied_by(&small) {
            prop_assert!(policy.is_satisfied_by(&large));
        }
    }

    #[test]
    fn parsing_never_panics(text in "(log|witness|group|quorum|none|any|all|[0-9]|#| |\t|\n|\r|[a-z+/=]{1,8}){0,40}") {
        if let Ok(policy) = WitnessPolicy::parse(&text) {
            prop_assert_eq!(WitnessPolicy::parse(&policy.to_text()).unwrap(), policy);
        }
    }
}
