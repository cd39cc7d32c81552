//! Checked against the Go reference code (`golang.org/x/mod/sumdb/note` and `sumdb/tlog`),
//! both ways: what Go signs or proves, Rust verifies; what Rust signs or proves, Go
//! verifies; and what one refuses, the other refuses too.
//!
//! The Go program is built from `tests/go-oracle/main.go` with Debian's `golang-1.19-go`
//! and `golang-golang-x-mod-dev` (`.ci/run` installs them). Where they are missing the
//! tests say they are skipped — except in CI (`CI` set), where that is a failure.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::OnceLock;

use accord_ledger::checkpoint::{self, Checkpoint};
use accord_ledger::merkle::{self, Hash, MemoryTree, leaf_hash};
use accord_ledger::note::{self, SignerKey, TYPE_COSIGNATURE, VerifierKey};
use accord_ledger::witness::{AddCheckpoint, TrustedLog, Witness, WitnessState, submit};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};

const GO: &str = "/usr/lib/go-1.19/bin/go";
const GOPATH: &str = "/usr/share/gocode";
const X_MOD: &str = "/usr/share/gocode/src/golang.org/x/mod/sumdb/tlog";

/// Builds the oracle once per test run; `None` (with a note) where Go is not installed.
fn oracle_binary() -> Option<&'static Path> {
    static BINARY: OnceLock<Option<PathBuf>> = OnceLock::new();
    BINARY.get_or_init(build).as_deref()
}

fn build() -> Option<PathBuf> {
    if !Path::new(GO).exists() || !Path::new(X_MOD).exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "Go 1.19 or golang.org/x/mod is missing in CI: .ci/run must install golang-1.19-go and golang-golang-x-mod-dev"
        );
        eprintln!(
            "skipped: the Go reference code is not installed (apt-get install golang-1.19-go golang-golang-x-mod-dev)"
        );
        return None;
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("go-oracle");
    std::fs::create_dir_all(&dir).unwrap();
    let binary = dir.join("go-oracle");
    let output = Command::new(GO)
        .args(["build", "-o"])
        .arg(&binary)
        .arg("main.go")
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/go-oracle"))
        .env("GO111MODULE", "off")
        .env("GOPATH", GOPATH)
        .env("GOCACHE", dir.join("cache"))
        .env("CGO_ENABLED", "0")
        .env("GOFLAGS", "")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "go build failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(binary)
}

/// A running oracle: one JSON request per line, one JSON answer per line.
struct Go {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Go {
    fn start() -> Option<Self> {
        let mut child = Command::new(oracle_binary()?)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Some(Self {
            child,
            stdin,
            stdout,
        })
    }

    fn call(&mut self, request: Value) -> Value {
        writeln!(self.stdin, "{request}").unwrap();
        self.stdin.flush().unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap()
    }

    /// Calls and insists on success.
    fn ok(&mut self, request: Value) -> Value {
        let answer = self.call(request.clone());
        assert_eq!(answer["ok"], true, "{request} -> {answer}");
        answer
    }

    fn load(&mut self, leaves: &[Vec<u8>]) -> Hash {
        let data: Vec<String> = leaves.iter().map(|l| B64.encode(l)).collect();
        hash(&self.ok(json!({"op": "load", "leaves": data}))["root"])
    }
}

impl Drop for Go {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn hash(v: &Value) -> Hash {
    B64.decode(v.as_str().unwrap()).unwrap().try_into().unwrap()
}

fn hashes(v: &Value) -> Vec<Hash> {
    v.as_array()
        .map(|a| a.iter().map(hash).collect())
        .unwrap_or_default()
}

fn b64s(hs: &[Hash]) -> Vec<String> {
    hs.iter().map(|h| B64.encode(h)).collect()
}

/// A small deterministic generator, so that a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const TEXT: &str = "accord.example/agreement-1\n13\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

#[test]
fn notes_signed_in_go_open_in_rust_and_back() {
    let Some(mut go) = Go::start() else { return };
    // Go's key, used by Rust.
    let keys = go.ok(json!({"op": "keygen", "name": "accord.example/agreement-1"}));
    let (skey, vkey) = (
        keys["skey"].as_str().unwrap(),
        keys["vkey"].as_str().unwrap(),
    );
    let go_signer = SignerKey::parse(skey).unwrap();
    assert_eq!(go_signer.verifier().to_string(), vkey);
    assert_eq!(go_signer.to_private_string(), skey);
    let go_note = go.ok(json!({"op": "sign", "skeys": [skey], "text": TEXT}))["note"]
        .as_str()
        .unwrap()
        .to_owned();
    let opened = note::open_note(&go_note, &[VerifierKey::parse(vkey).unwrap()]).unwrap();
    assert_eq!(opened.text, TEXT);
    // Ed25519 is deterministic: the same key signs the same bytes.
    assert_eq!(note::sign_note(TEXT, &[&go_signer], 0).unwrap(), go_note);
    // Rust's key, used by Go.
    let ours = SignerKey::from_seed("accord.example/rust", [42; 32]).unwrap();
    let rust_note = note::sign_note(TEXT, &[&ours, &go_signer], 0).unwrap();
    let opened = go
        .ok(json!({"op": "open", "vkeys": [ours.verifier().to_string(), vkey], "note": rust_note}));
    assert_eq!(opened["text"], TEXT);
    assert_eq!(
        opened["signers"],
        json!(["accord.example/rust", "accord.example/agreement-1"])
    );
    let go_signed =
        go.ok(json!({"op": "sign", "skeys": [ours.to_private_string(), skey], "text": TEXT}));
    assert_eq!(go_signed["note"], rust_note);
    // A checkpoint Go signed opens as a checkpoint.
    let cp = checkpoint::open_checkpoint(&go_note, &go_signer.verifier(), &[]).unwrap();
    assert_eq!(cp.checkpoint.size, 13);
}

#[test]
fn cosignatures_made_in_rust_verify_in_go_and_back() {
    let Some(mut go) = Go::start() else { return };
    let log = SignerKey::from_seed("accord.example/agreement-1", [1; 32]).unwrap();
    let tree = MemoryTree::from_leaves((0..9u8).map(|i| leaf_hash(&[i])));
    let signed = Checkpoint {
        origin: log.name().into(),
        size: 9,
        root: tree.root(),
        extensions: vec![],
    }
    .sign(&log)
    .unwrap();
    // A cosigner key generated in Go, used by the Rust witness.
    let keys = go.ok(json!({"op": "cosigner_keygen", "name": "witness.example/go"}));
    let go_witness_key = SignerKey::parse(keys["skey"].as_str().unwrap()).unwrap();
    assert_eq!(
        go_witness_key.verifier().to_string(),
        keys["vkey"].as_str().unwrap()
    );
    assert_eq!(go_witness_key.verifier().kind(), TYPE_COSIGNATURE);
    let witness = Witness::new(
        vec![go_witness_key.clone()],
        vec![TrustedLog::from_key(log.verifier())],
    )
    .unwrap();
    let request = AddCheckpoint {
        old_size: 0,
        proof: vec![],
        checkpoint: signed.clone(),
    };
    let now = jiff::Timestamp::from_second(1_679_315_147).unwrap();
    let cosigned = witness
        .add_checkpoint(&WitnessState::new(), request.encode().as_bytes(), now)
        .unwrap();
    // Go opens the checkpoint with the answer appended, as the spec suggests clients do.
    let with_cosig = format!("{signed}{}", cosigned.body);
    let opened = go.ok(json!({"op": "open", "vkeys": [log.verifier().to_string(), keys["vkey"]], "note": with_cosig}));
    assert_eq!(
        opened["signers"],
        json!(["accord.example/agreement-1", "witness.example/go"])
    );
    // Go cosigns with a Rust key; Rust checks the line as a witness answer.
    let rust_witness =
        SignerKey::from_seed_of_type("witness.example/rust", TYPE_COSIGNATURE, [7; 32]).unwrap();
    let text = note::parse_note(&signed).unwrap().text;
    let go_cosigned = go.ok(json!({"op": "sign", "skeys": [rust_witness.to_private_string()], "text": text, "time": 1_700_000_001u64}));
    let line = go_cosigned["note"]
        .as_str()
        .unwrap()
        .strip_prefix(&format!("{text}\n"))
        .unwrap()
        .to_owned();
    let cosigs = submit::open_cosignatures(&signed, &line, &[rust_witness.verifier()]).unwrap();
    assert_eq!(cosigs[0].timestamp, 1_700_000_001);
    // Byte for byte what Rust makes with the same key and time.
    assert_eq!(
        note::add_signatures(&signed, &[&rust_witness], 1_700_000_001).unwrap(),
        format!("{signed}{line}")
    );
    // A cosignature with its timestamp changed fails in both.
    let parsed = note::parse_note(&format!("{text}\n{line}")).unwrap();
    let mut sig = parsed.signatures[0].clone();
    sig.signature[7] ^= 1;
    let mut bytes = sig.key_id.to_be_bytes().to_vec();
    bytes.extend_from_slice(&sig.signature);
    let forged = format!("\u{2014} {} {}\n", sig.name, B64.encode(bytes));
    assert!(submit::open_cosignatures(&signed, &forged, &[rust_witness.verifier()]).is_err());
    let answer = go.call(json!({"op": "open", "vkeys": [rust_witness.verifier().to_string()], "note": format!("{text}\n{forged}")}));
    assert_eq!(answer["ok"], false, "{answer}");
}

#[test]
fn inclusion_and_consistency_proofs_agree_with_go() {
    let Some(mut go) = Go::start() else { return };
    let mut rng = Rng(0x5eed_cafe);
    for n in [1u64, 2, 3, 7, 8, 9, 16, 31, 33, 64, 100, 129, 257] {
        let leaves: Vec<Vec<u8>> = (0..n)
            .map(|i| format!("entry {i} of {n}").into_bytes())
            .collect();
        let tree = MemoryTree::from_leaves(leaves.iter().map(|l| leaf_hash(l)));
        assert_eq!(go.load(&leaves), tree.root(), "root of {n}");
        for _ in 0..12 {
            let size = 1 + rng.below(n);
            let index = rng.below(size);
            assert_eq!(
                hash(&go.ok(json!({"op": "root_at", "size": size}))["root"]),
                tree.root_at(size)
            );
            // Inclusion: the same hashes; each side accepts the other's proof.
            let ours = merkle::inclusion_proof(&tree, index, size).unwrap();
            let theirs = hashes(
                &go.ok(json!({"op": "prove_inclusion", "index": index, "size": size}))["proof"],
            );
            assert_eq!(ours, theirs, "inclusion of {index} in {size}");
            let leaf = &leaves[index as usize];
            merkle::verify_inclusion(&leaf_hash(leaf), index, size, &theirs, &tree.root_at(size))
                .unwrap();
            go.ok(json!({"op": "check_inclusion", "leaf": B64.encode(leaf), "index": index, "size": size,
                "root": B64.encode(tree.root_at(size)), "proof": b64s(&ours)}));
            // Consistency, from a size 1..=size.
            let old = 1 + rng.below(size);
            let ours = merkle::consistency_proof(&tree, old, size).unwrap();
            let theirs = hashes(
                &go.ok(json!({"op": "prove_consistency", "old": old, "size": size}))["proof"],
            );
            assert_eq!(ours, theirs, "consistency {old} -> {size}");
            merkle::verify_consistency(old, size, &tree.root_at(old), &tree.root_at(size), &theirs)
                .unwrap();
            let check = json!({"op": "check_consistency", "old": old, "size": size,
                "old_root": B64.encode(tree.root_at(old)), "root": B64.encode(tree.root_at(size)), "proof": b64s(&ours)});
            go.ok(check.clone());
            // A damaged hash is refused by both.
            if !ours.is_empty() {
                let mut bad = ours.clone();
                let at = rng.below(bad.len() as u64) as usize;
                bad[at][rng.below(32) as usize] ^= 1 << rng.below(8);
                assert!(
                    merkle::verify_consistency(
                        old,
                        size,
                        &tree.root_at(old),
                        &tree.root_at(size),
                        &bad
                    )
                    .is_err()
                );
                let mut check = check;
                check["proof"] = json!(b64s(&bad));
                assert_eq!(go.call(check)["ok"], false);
            }
        }
    }
}

#[test]
fn go_sum_tree_notes_are_checkpoints() {
    let Some(mut go) = Go::start() else { return };
    let keys = go.ok(json!({"op": "keygen", "name": "sum.golang.org"}));
    let vkey = VerifierKey::parse(keys["vkey"].as_str().unwrap()).unwrap();
    for (size, seed) in [(0u64, 0u8), (1, 1), (20852163, 2)] {
        let root = if size == 0 {
            merkle::empty_root()
        } else {
            [seed; 32]
        };
        // Go's tree note is a checkpoint body with the origin `go.sum database tree`.
        let text =
            go.ok(json!({"op": "format_tree", "size": size, "root": B64.encode(root)}))["text"]
                .as_str()
                .unwrap()
                .to_owned();
        let cp = Checkpoint::parse_body(&text).unwrap();
        assert_eq!(
            (cp.origin.as_str(), cp.size, cp.root),
            ("go.sum database tree", size, root)
        );
        assert_eq!(cp.body(), text);
        let parsed = go.ok(json!({"op": "parse_tree", "text": cp.body()}));
        assert_eq!(
            (parsed["size"].as_u64().unwrap(), hash(&parsed["root"])),
            (size, root)
        );
        let signed = go.ok(json!({"op": "sign", "skeys": [keys["skey"]], "text": text}))["note"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            checkpoint::open_checkpoint(&signed, &vkey, &[])
                .unwrap()
                .checkpoint,
            cp
        );
    }
}

#[test]
fn witness_requests_cross_check() {
    let Some(mut go) = Go::start() else { return };
    let keys = go.ok(json!({"op": "keygen", "name": "accord.example/agreement-1"}));
    let (skey, vkey) = (
        keys["skey"].as_str().unwrap(),
        keys["vkey"].as_str().unwrap().to_owned(),
    );
    let log_key = SignerKey::parse(skey).unwrap();
    let leaves: Vec<Vec<u8>> = (0..50u32).map(|i| i.to_be_bytes().to_vec()).collect();
    let tree = MemoryTree::from_leaves(leaves.iter().map(|l| leaf_hash(l)));
    go.load(&leaves);
    let witness_key =
        SignerKey::from_seed_of_type("witness.example/w1", TYPE_COSIGNATURE, [5; 32]).unwrap();
    let witness = Witness::new(
        vec![witness_key.clone()],
        vec![TrustedLog::from_key(log_key.verifier())],
    )
    .unwrap();
    let mut state = WitnessState::new();
    let now = jiff::Timestamp::from_second(1_700_000_000).unwrap();
    let mut old = 0u64;
    for size in [6u64, 6, 17, 32, 49] {
        let text = Checkpoint {
            origin: log_key.name().into(),
            size,
            root: tree.root_at(size),
            extensions: vec![],
        }
        .body();
        let go_signed = go.ok(json!({"op": "sign", "skeys": [skey], "text": text}))["note"]
            .as_str()
            .unwrap()
            .to_owned();
        // The request the Rust log builds, checked by the Go-side checker.
        let ours = submit::request(&tree, &go_signed, old).unwrap().encode();
        let check = go.ok(json!({"op": "check_request", "body": ours, "vkeys": [vkey], "old_root": B64.encode(tree.root_at(old))}));
        assert_eq!(
            (check["old"].as_u64(), check["size"].as_u64()),
            (Some(old), Some(size))
        );
        // The request built from Go's proof, cosigned by the Rust witness.
        let go_proof = if old == 0 || old == size {
            vec![]
        } else {
            hashes(&go.ok(json!({"op": "prove_consistency", "old": old, "size": size}))["proof"])
        };
        let body = AddCheckpoint {
            old_size: old,
            proof: go_proof,
            checkpoint: go_signed.clone(),
        }
        .encode();
        assert_eq!(body, ours, "same bytes from both proofs");
        let cosigned = witness
            .add_checkpoint(&state, body.as_bytes(), now)
            .unwrap();
        state.apply(&cosigned.update).unwrap();
        let opened = go.ok(json!({"op": "open", "vkeys": [vkey, witness_key.verifier().to_string()], "note": format!("{go_signed}{}", cosigned.body)}));
        assert_eq!(
            opened["signers"],
            json!(["accord.example/agreement-1", "witness.example/w1"])
        );
        // A damaged proof: refused by both, with 422.
        let mut request = AddCheckpoint::parse(body.as_bytes()).unwrap();
        if let Some(h) = request.proof.first_mut() {
            h[0] ^= 0x80;
            let damaged = request.encode();
            let answer = go.call(json!({"op": "check_request", "body": damaged, "vkeys": [vkey], "old_root": B64.encode(tree.root_at(old))}));
            assert!(
                answer["error"].as_str().unwrap().starts_with("422"),
                "{answer}"
            );
            let refusal = witness.add_checkpoint(&state, damaged.as_bytes(), now);
            // (state has moved on to `size`, so the old size is now stale: 409 or 422.)
            assert!(refusal.is_err());
        }
        old = size;
    }
}

#[test]
fn mutated_notes_are_refused_by_both() {
    let Some(mut go) = Go::start() else { return };
    let log = SignerKey::from_seed("accord.example/agreement-1", [1; 32]).unwrap();
    let witness =
        SignerKey::from_seed_of_type("witness.example/w1", TYPE_COSIGNATURE, [2; 32]).unwrap();
    let signed = note::add_signatures(
        &note::sign_note(TEXT, &[&log], 0).unwrap(),
        &[&witness],
        1_700_000_000,
    )
    .unwrap();
    let vkeys = [log.verifier().to_string(), witness.verifier().to_string()];
    let known = [log.verifier(), witness.verifier()];
    let bytes = signed.as_bytes();
    let mut rng = Rng(0xacc0_4d00);
    let (mut both_refused, mut both_accepted, mut rust_stricter) = (0, 0, 0);
    for _ in 0..400 {
        let mut mutated = bytes.to_vec();
        let at = rng.below(mutated.len() as u64) as usize;
        match rng.below(3) {
            0 => mutated[at] ^= 1 << rng.below(8),
            1 => mutated[at] = b"\n -+=/aZ09"[rng.below(10) as usize],
            _ => mutated.truncate(at),
        }
        let Ok(text) = String::from_utf8(mutated) else {
            continue;
        };
        if text == signed {
            continue;
        }
        let rust = note::open_note(&text, &known);
        let answer = go.call(json!({"op": "open", "vkeys": vkeys, "note": text}));
        match (&rust, answer["ok"].as_bool().unwrap()) {
            (Ok(v), true) => {
                // Both accept: the same text, by the same signers (a mutation in a
                // signature line's name makes that signature unknown to both).
                assert_eq!(v.text, answer["text"].as_str().unwrap());
                let go_signers: Vec<String> =
                    serde_json::from_value(answer["signers"].clone()).unwrap();
                assert_eq!(v.signers, go_signers);
                assert_eq!(v.text, TEXT, "only what was signed is accepted");
                both_accepted += 1;
            }
            (Err(_), false) => both_refused += 1,
            // Rust is stricter than Go in documented ways (non-canonical base64, a repeated
            // signature, DEL); Go then accepts only what was signed.
            (Err(_), true) => {
                assert_eq!(
                    answer["text"].as_str().unwrap(),
                    TEXT,
                    "Go accepted a forgery:\n{text}"
                );
                rust_stricter += 1;
            }
            (Ok(_), false) => panic!("Rust accepts what Go refuses ({answer}):\n{text}"),
        }
    }
    eprintln!(
        "{both_refused} refused by both, {both_accepted} accepted by both, {rust_stricter} refused by Rust only"
    );
    assert!(
        both_refused > 200,
        "{both_refused} refused, {both_accepted} accepted"
    );
}
