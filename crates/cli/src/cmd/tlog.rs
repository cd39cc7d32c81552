//! `accord tlog`: RFC 9162 Merkle tree maths on the command line (issue #3).
//!
//! Hashes are accepted as standard base64 or as 64 hexadecimal characters; a proof is a
//! comma-separated list of hashes, and the empty proof is written `--proof ''`.

use std::path::PathBuf;
use std::process::ExitCode;

use accord_ledger::checkpoint::{decode_hex, encode_hash, encode_hex, parse_hash};
use accord_ledger::merkle::{self, Hash};
use miette::{IntoDiagnostic as _, WrapErr as _};

/// Subcommands of `accord tlog`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Read one leaf per line (hex bytes; an empty line is an empty leaf) and print the
    /// tree size and root.
    Root {
        /// The file of leaves (`-` for standard input).
        file: PathBuf,
    },
    /// Check that a leaf hash is at an index of a tree with a given size and root.
    VerifyInclusion {
        /// The tree size.
        #[arg(long)]
        size: u64,
        /// The leaf's index (from 0).
        #[arg(long)]
        index: u64,
        /// The tree's root hash.
        #[arg(long)]
        root: String,
        /// The leaf's hash (`SHA-256(0x00 || leaf)`).
        #[arg(long)]
        leaf_hash: String,
        /// The proof hashes, comma-separated, leaf sibling first (`''` for none).
        #[arg(long, allow_hyphen_values = true)]
        proof: String,
    },
    /// Check that a tree extends an older one.
    VerifyConsistency {
        /// The old tree's size.
        #[arg(long)]
        old_size: u64,
        /// The new tree's size.
        #[arg(long)]
        new_size: u64,
        /// The old tree's root.
        #[arg(long)]
        old_root: String,
        /// The new tree's root.
        #[arg(long)]
        new_root: String,
        /// The proof hashes, comma-separated (`''` for none).
        #[arg(long, allow_hyphen_values = true)]
        proof: String,
    },
}

fn hash_arg(what: &str, text: &str) -> miette::Result<Hash> {
    parse_hash(text)
        .into_diagnostic()
        .wrap_err_with(|| format!("invalid {what}"))
}

/// Parses a comma-separated proof; the empty string is the empty proof.
pub fn proof_arg(text: &str) -> miette::Result<Vec<Hash>> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .enumerate()
        .map(|(i, h)| hash_arg(&format!("proof hash {} of `--proof`", i + 1), h))
        .collect()
}

/// Runs `accord tlog`.
pub fn run(command: Command) -> miette::Result<ExitCode> {
    match command {
        Command::Root { file } => {
            let text = super::key::read_input(&file)?;
            let mut leaves = Vec::new();
            for (n, line) in text.lines().enumerate() {
                let line = line.trim();
                let bytes = decode_hex(line)
                    .ok_or_else(|| miette::miette!("line {}: `{line}` is not hex bytes", n + 1))?;
                leaves.push(merkle::leaf_hash(&bytes));
            }
            let root = merkle::root(&leaves);
            println!("size {}", leaves.len());
            println!("root {}", encode_hash(&root));
            println!("root-hex {}", encode_hex(&root));
            Ok(ExitCode::SUCCESS)
        }
        Command::VerifyInclusion {
            size,
            index,
            root,
            leaf_hash,
            proof,
        } => {
            let root = hash_arg("`--root`", &root)?;
            let leaf = hash_arg("`--leaf-hash`", &leaf_hash)?;
            let proof = proof_arg(&proof)?;
            merkle::verify_inclusion(&leaf, index, size, &proof, &root)
                .into_diagnostic()
                .wrap_err("inclusion proof refused")?;
            println!("ok: leaf {index} is in the tree of size {size}");
            Ok(ExitCode::SUCCESS)
        }
        Command::VerifyConsistency {
            old_size,
            new_size,
            old_root,
            new_root,
            proof,
        } => {
            let old_root = hash_arg("`--old-root`", &old_root)?;
            let new_root = hash_arg("`--new-root`", &new_root)?;
            let proof = proof_arg(&proof)?;
            merkle::verify_consistency(old_size, new_size, &old_root, &new_root, &proof)
                .into_diagnostic()
                .wrap_err("consistency proof refused")?;
            println!("ok: the tree of size {new_size} extends the tree of size {old_size}");
            Ok(ExitCode::SUCCESS)
        }
    }
}
