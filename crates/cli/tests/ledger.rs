//! End-to-end tests of `accord key`, `accord note`, `accord tlog` and `accord ledger`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/ledger.rs"]
mod ledger_common;

use std::path::Path;
use std::process::Command;

use accord_ledger::merkle;
use accord_ledger::note::SignerKey;
use ledger_common::*;

fn accord() -> Command {
    Command::new(env!("CARGO_BIN_EXE_accord"))
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Out {
    let o = accord().args(args).output().unwrap();
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8(o.stdout).unwrap(),
        stderr: String::from_utf8(o.stderr).unwrap(),
    }
}

fn field<'a>(out: &'a str, name: &str) -> &'a str {
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no `{name}` in\n{out}"))
}

#[test]
fn key_generate_writes_a_private_key_and_prints_the_verifier() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.key");
    let out = run(&[
        "key",
        "generate",
        "accord.example/log",
        "--out",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let vkey = out.stdout.trim();
    assert!(vkey.starts_with("accord.example/log+"), "{vkey}");
    let private = std::fs::read_to_string(&path).unwrap();
    let signer = SignerKey::parse(private.trim()).unwrap();
    assert_eq!(signer.verifier().to_string(), vkey);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // Never overwritten.
    let again = run(&[
        "key",
        "generate",
        "accord.example/log",
        "--out",
        path.to_str().unwrap(),
    ]);
    assert_eq!(again.code, 1);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), private);
    // Names with spaces or `+` are refused.
    let bad = run(&[
        "key",
        "generate",
        "a+b",
        "--out",
        dir.path().join("x").to_str().unwrap(),
    ]);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("not valid"), "{}", bad.stderr);
}

#[test]
fn note_verify_accepts_known_signers_only() {
    let dir = tempfile::tempdir().unwrap();
    // The example of Go's sumdb/note documentation.
    let go_note = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    let file = dir.path().join("go.note");
    std::fs::write(&file, go_note).unwrap();
    let peter = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    let other = SignerKey::from_seed("other", [5; 32])
        .unwrap()
        .verifier()
        .to_string();
    let f = file.to_str().unwrap();
    let out = run(&["note", "verify", "--key", &other, "--key", peter, f]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "PeterNeumann\n");
    let out = run(&["note", "verify", "--key", &other, f]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("no trusted key signed the note"),
        "{}",
        out.stderr
    );
    // Altered text.
    std::fs::write(&file, go_note.replace("answer", "Answer")).unwrap();
    let out = run(&["note", "verify", "--key", peter, f]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("does not verify"), "{}", out.stderr);
    // Sign and verify with generated keys; the key may be given as a file.
    let key_file = dir.path().join("me.key");
    let generated = run(&[
        "key",
        "generate",
        "me.example",
        "--out",
        key_file.to_str().unwrap(),
    ]);
    let vkey_file = dir.path().join("me.pub");
    std::fs::write(&vkey_file, &generated.stdout).unwrap();
    let text = dir.path().join("text");
    std::fs::write(&text, "hello\nworld\n").unwrap();
    let signed = run(&[
        "note",
        "sign",
        "--key",
        key_file.to_str().unwrap(),
        text.to_str().unwrap(),
    ]);
    assert_eq!(signed.code, 0, "{}", signed.stderr);
    let note = dir.path().join("signed.note");
    std::fs::write(&note, &signed.stdout).unwrap();
    let out = run(&[
        "note",
        "verify",
        "--key",
        vkey_file.to_str().unwrap(),
        note.to_str().unwrap(),
    ]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "me.example\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn tlog_root_and_proofs_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let leaves = dir.path().join("leaves");
    // The RFC 6962 reference test leaves.
    std::fs::write(
        &leaves,
        "\n00\n10\n2021\n3031\n40414243\n5051525354555657\n606162636465666768696a6b6c6d6e6f\n",
    )
    .unwrap();
    let out = run(&["tlog", "root", leaves.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(field(&out.stdout, "size"), "8");
    assert_eq!(
        field(&out.stdout, "root-hex"),
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    );
    std::fs::write(&leaves, "zz\n").unwrap();
    assert_eq!(run(&["tlog", "root", leaves.to_str().unwrap()]).code, 1);

    // Proofs from an in-memory tree, checked by the CLI.
    let hashes: Vec<merkle::Hash> = (0..13u8).map(|i| merkle::leaf_hash(&[i])).collect();
    let tree = merkle::MemoryTree::from_leaves(hashes.clone());
    let hex = |h: &merkle::Hash| h.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let proof = merkle::inclusion_proof(&tree, 5, 13).unwrap();
    let joined = proof.iter().map(hex).collect::<Vec<_>>().join(",");
    let root = hex(&tree.root());
    let incl = |leaf: &str, proof: &str| {
        run(&[
            "tlog",
            "verify-inclusion",
            "--size",
            "13",
            "--index",
            "5",
            "--root",
            &root,
            "--leaf-hash",
            leaf,
            "--proof",
            proof,
        ])
    };
    let ok = incl(&hex(&hashes[5]), &joined);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    let wrong_leaf = incl(&hex(&hashes[4]), &joined);
    assert_eq!(wrong_leaf.code, 1);
    assert!(
        wrong_leaf
            .stderr
            .contains("does not lead to the given root"),
        "{}",
        wrong_leaf.stderr
    );
    let truncated = incl(&hex(&hashes[5]), &joined[..joined.rfind(',').unwrap()]);
    assert_eq!(truncated.code, 1);
    assert!(
        truncated.stderr.contains("truncated"),
        "{}",
        truncated.stderr
    );
    let trailing = incl(&hex(&hashes[5]), &format!("{joined},{}", hex(&hashes[0])));
    assert_eq!(trailing.code, 1);
    assert!(trailing.stderr.contains("trailing"), "{}", trailing.stderr);
    let short_hash = incl(&hex(&hashes[5]), &format!("{joined}ab"));
    assert_eq!(short_hash.code, 1);
    assert!(
        short_hash.stderr.contains("33 bytes long"),
        "{}",
        short_hash.stderr
    );
    let bad_root = run(&[
        "tlog",
        "verify-inclusion",
        "--size",
        "13",
        "--index",
        "5",
        "--root",
        "AAAA",
        "--leaf-hash",
        &hex(&hashes[5]),
        "--proof",
        &joined,
    ]);
    assert_eq!(bad_root.code, 1);
    assert!(
        bad_root.stderr.contains("invalid `--root`"),
        "{}",
        bad_root.stderr
    );
    // A one-leaf tree: the empty proof.
    let one = run(&[
        "tlog",
        "verify-inclusion",
        "--size",
        "1",
        "--index",
        "0",
        "--root",
        &hex(&hashes[0]),
        "--leaf-hash",
        &hex(&hashes[0]),
        "--proof",
        "",
    ]);
    assert_eq!(one.code, 0, "{}", one.stderr);

    // Consistency, in base64 this time.
    let b64 = |h: &merkle::Hash| accord_ledger::checkpoint::encode_hash(h);
    let cons = merkle::consistency_proof(&tree, 6, 13).unwrap();
    let joined = cons.iter().map(b64).collect::<Vec<_>>().join(",");
    let old_root = b64(&tree.root_at(6));
    let new_root = b64(&tree.root());
    let check = |old: &str, proof: &str| {
        run(&[
            "tlog",
            "verify-consistency",
            "--old-size",
            old,
            "--new-size",
            "13",
            "--old-root",
            &old_root,
            "--new-root",
            &new_root,
            "--proof",
            proof,
        ])
    };
    assert_eq!(check("6", &joined).code, 0);
    let wrong = check("7", &joined);
    assert_eq!(wrong.code, 1, "{}", wrong.stdout);
    // Size 0: the empty tree is a prefix of everything, with the empty proof and root.
    let empty = run(&[
        "tlog",
        "verify-consistency",
        "--old-size",
        "0",
        "--new-size",
        "13",
        "--old-root",
        &b64(&merkle::empty_root()),
        "--new-root",
        &new_root,
        "--proof",
        "",
    ]);
    assert_eq!(empty.code, 0, "{}", empty.stderr);
}

#[test]
fn ledger_end_to_end_on_both_stores() {
    for_each_store(|store| {
        let dir = tempfile::tempdir().unwrap();
        let setup = Setup::new(dir.path());
        let s = store.url.as_str();
        let out = run(&[
            "ledger",
            "init",
            "--store",
            s,
            "--origin",
            ORIGIN,
            "--roster",
            setup.roster.to_str().unwrap(),
            "--log-key",
            &setup.log_vkey,
        ]);
        assert_eq!(out.code, 0, "{}", out.stderr);

        // Three statements, one confidential, one co-signed by two monitors.
        let statement = dir.path().join("evidence.json");
        std::fs::write(&statement, serde_json::to_string(&evidence(1)).unwrap()).unwrap();
        let monitor = format!("iaea={}", setup.monitor_key.display());
        let second = format!("audit-firm={}", setup.second_key.display());
        let st = statement.to_str().unwrap();
        let a = run(&[
            "ledger",
            "append",
            "--store",
            s,
            "--statement",
            st,
            "--sign",
            &monitor,
        ]);
        assert_eq!(a.code, 0, "{}", a.stderr);
        assert!(a.stdout.starts_with("appended #0 "), "{}", a.stdout);
        let again = run(&[
            "ledger",
            "append",
            "--store",
            s,
            "--statement",
            st,
            "--sign",
            &monitor,
        ]);
        assert!(
            again.stdout.starts_with("duplicate #0 "),
            "{}",
            again.stdout
        );
        let b = run(&[
            "ledger",
            "append",
            "--store",
            s,
            "--statement",
            st,
            "--sign",
            &monitor,
            "--sign",
            &second,
        ]);
        assert!(
            b.stdout.starts_with("appended #1 "),
            "{}{}",
            b.stdout,
            b.stderr
        );
        let c = run(&[
            "ledger",
            "append",
            "--store",
            s,
            "--statement",
            st,
            "--sign",
            &monitor,
            "--confidential",
        ]);
        assert!(
            c.stdout.starts_with("appended #2 "),
            "{}{}",
            c.stdout,
            c.stderr
        );
        // The target may not sign a monitor's on-site inspection.
        let target = format!("target={}", setup.target_key.display());
        let refused = run(&[
            "ledger",
            "append",
            "--store",
            s,
            "--statement",
            st,
            "--sign",
            &target,
        ]);
        assert_eq!(refused.code, 1);
        assert!(refused.stderr.contains("self_report"), "{}", refused.stderr);

        // Pre-signed entries: a good one, a forged one, one with trailing garbage.
        let good = setup.entry(10).encode();
        let mut forged = setup.entry(11);
        forged.signatures[0].signature[5] ^= 1;
        let mut garbage = setup.entry(12).encode();
        garbage.push(0);
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        let lines = dir.path().join("entries");
        std::fs::write(
            &lines,
            format!(
                "{}\n{}\n{}\n",
                hex(&good),
                hex(&forged.encode()),
                hex(&garbage)
            ),
        )
        .unwrap();
        let out = run(&[
            "ledger",
            "append",
            "--store",
            s,
            "--entries",
            lines.to_str().unwrap(),
        ]);
        assert_eq!(out.code, 1);
        assert!(out.stdout.starts_with("appended #3 "), "{}", out.stdout);
        assert!(
            out.stderr
                .contains("line 2: entry refused: the signature of `iaea` does not verify"),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr
                .contains("line 3: malformed entry: malformed entry: 1 trailing bytes"),
            "{}",
            out.stderr
        );

        let key = setup.log_key.to_str().unwrap();
        let cp = run(&["ledger", "checkpoint", "--store", s, "--key", key]);
        assert_eq!(cp.code, 0, "{}", cp.stderr);
        assert!(
            cp.stdout.starts_with(&format!("{ORIGIN}\n4\n")),
            "{}",
            cp.stdout
        );
        let cp_file = dir.path().join("cp.note");
        std::fs::write(&cp_file, &cp.stdout).unwrap();
        let v = run(&[
            "note",
            "verify",
            "--key",
            &setup.log_vkey,
            cp_file.to_str().unwrap(),
        ]);
        assert_eq!(
            (v.code, v.stdout.as_str()),
            (0, format!("{ORIGIN}\n").as_str())
        );
        // A key that is not the log's cannot sign its checkpoints.
        let wrong = run(&[
            "ledger",
            "checkpoint",
            "--store",
            s,
            "--key",
            setup.monitor_key.to_str().unwrap(),
        ]);
        assert_eq!(wrong.code, 1);

        // Prove entry #1 and check the proof with `tlog verify-inclusion`.
        let p = run(&["ledger", "prove", "--store", s, "--index", "1"]);
        assert_eq!(p.code, 0, "{}", p.stderr);
        let v = run(&[
            "tlog",
            "verify-inclusion",
            "--size",
            field(&p.stdout, "size"),
            "--index",
            "1",
            "--root",
            field(&p.stdout, "root"),
            "--leaf-hash",
            field(&p.stdout, "leaf-hash"),
            "--proof",
            field(&p.stdout, "proof"),
        ]);
        assert_eq!(v.code, 0, "{}", v.stderr);
        let t = run(&[
            "ledger",
            "prove",
            "--store",
            s,
            "--index",
            "1",
            "--format",
            "tlog-proof",
        ]);
        assert!(
            t.stdout.starts_with("c2sp.org/tlog-proof@v1\nindex 1\n"),
            "{}",
            t.stdout
        );
        let beyond = run(&["ledger", "prove", "--store", s, "--index", "9"]);
        assert_eq!(beyond.code, 1);

        let c = run(&["ledger", "consistency", "--store", s, "--old-size", "2"]);
        assert_eq!(c.code, 0, "{}", c.stderr);
        let v = run(&[
            "tlog",
            "verify-consistency",
            "--old-size",
            "2",
            "--new-size",
            field(&c.stdout, "new-size"),
            "--old-root",
            field(&c.stdout, "old-root"),
            "--new-root",
            field(&c.stdout, "new-root"),
            "--proof",
            field(&c.stdout, "proof"),
        ]);
        assert_eq!(v.code, 0, "{}", v.stderr);

        let audit = run(&["ledger", "audit", "--store", s]);
        assert_eq!(audit.code, 0, "{}{}", audit.stdout, audit.stderr);
        assert!(
            audit.stdout.contains("audited 4 entries and 1 checkpoints"),
            "{}",
            audit.stdout
        );

        // Edit one byte of entry #2 directly in the database: the audit names it.
        store.flip_leaf_byte(2, 60);
        let audit = run(&["ledger", "audit", "--store", s]);
        assert_eq!(audit.code, 1, "{}", audit.stdout);
        assert!(audit.stdout.starts_with("entry #2: "), "{}", audit.stdout);
        assert!(
            audit.stdout.contains("checkpoint at size 4"),
            "{}",
            audit.stdout
        );
    });
}

#[test]
fn init_refuses_weak_keys_and_mismatched_log_keys() {
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup::new(dir.path());
    let db = format!("sqlite:{}", dir.path().join("l.db").display());
    let other = SignerKey::from_seed("not-the-origin", [1; 32])
        .unwrap()
        .verifier()
        .to_string();
    let out = run(&[
        "ledger",
        "init",
        "--store",
        &db,
        "--origin",
        ORIGIN,
        "--roster",
        setup.roster.to_str().unwrap(),
        "--log-key",
        &other,
    ]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("must match"), "{}", out.stderr);
    let weak = dir.path().join("weak.json");
    let mut identity = [0u8; 32];
    identity[0] = 1;
    use base64::Engine as _;
    let text = std::fs::read_to_string(&setup.roster).unwrap().replacen(
        &setup.monitor_public,
        &base64::engine::general_purpose::STANDARD.encode(identity),
        1,
    );
    std::fs::write(&weak, text).unwrap();
    let out = run(&[
        "ledger",
        "init",
        "--store",
        &db,
        "--origin",
        ORIGIN,
        "--roster",
        weak.to_str().unwrap(),
        "--log-key",
        &setup.log_vkey,
    ]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("small order"), "{}", out.stderr);
    assert!(
        !Path::new(&dir.path().join("l.db")).exists()
            || run(&["ledger", "audit", "--store", &db]).code == 1
    );
}

/// Issue #12 point 5: an origin no entry can carry (an entry's origin has at most
/// `MAX_ORIGIN_BYTES`) is refused by `init`, before any store is created.
#[test]
fn init_refuses_an_origin_no_append_can_use() {
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup::new(dir.path());
    let db = dir.path().join("long.db");
    let url = format!("sqlite:{}", db.display());
    let origin = format!(
        "accord.example/{}",
        "a".repeat(accord_ledger::entry::MAX_ORIGIN_BYTES)
    );
    let key = SignerKey::from_seed(&origin, [3; 32])
        .unwrap()
        .verifier()
        .to_string();
    let out = run(&[
        "ledger",
        "init",
        "--store",
        &url,
        "--origin",
        &origin,
        "--roster",
        setup.roster.to_str().unwrap(),
        "--log-key",
        &key,
    ]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stderr.contains(&format!(
            "the log origin is {} bytes: an origin must be 1 to {} bytes",
            origin.len(),
            accord_ledger::entry::MAX_ORIGIN_BYTES
        )),
        "{}",
        out.stderr
    );
    assert!(!db.exists());
}

#[test]
fn tlog_outputs_and_refusals_read_as_documented() {
    let dir = tempfile::tempdir().unwrap();
    let leaves = dir.path().join("leaves");
    std::fs::write(&leaves, "00\n01\n02\n").unwrap();
    let root = run(&["tlog", "root", leaves.to_str().unwrap()]);
    insta::assert_snapshot!("tlog_root", root.stdout);
    let empty = merkle::empty_root();
    let b64 = accord_ledger::checkpoint::encode_hash(&empty);
    let refused = run(&[
        "tlog",
        "verify-consistency",
        "--old-size",
        "0",
        "--new-size",
        "3",
        "--old-root",
        field(&root.stdout, "root"),
        "--new-root",
        field(&root.stdout, "root"),
        "--proof",
        "",
    ]);
    assert_eq!(refused.code, 1);
    // The rendered diagnostic: what was refused, and why.
    let why: Vec<&str> = refused
        .stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    insta::assert_snapshot!("tlog_size_zero_refused", why.join("\n"));
    let ok = run(&[
        "tlog",
        "verify-consistency",
        "--old-size",
        "0",
        "--new-size",
        "3",
        "--old-root",
        &b64,
        "--new-root",
        field(&root.stdout, "root"),
        "--proof",
        "",
    ]);
    insta::assert_snapshot!("tlog_size_zero_accepted", ok.stdout);
}
