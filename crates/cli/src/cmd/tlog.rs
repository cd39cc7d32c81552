//! `accord tlog`: RFC 9162 Merkle tree maths on the command line (issue #3).
//!
//! Hashes are accepted as standard base64 or as 64 hexadecimal characters; a proof is a
//! comma-separated list of hashes, and the empty proof is written `--proof ''`.

use std::path::PathBuf;
use std::process::ExitCode;

use accord_app::tlog;
use accord_ledger::checkpoint::{encode_hash, encode_hex};

use crate::fail::OrReport as _;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Read one leaf per line (hex bytes; an empty line is an empty leaf) and print the
    /// tree size and root.
    Root {
        /// The file of leaves (`-` for standard input).
        file: PathBuf,
    },
    /// Check that a leaf hash is at an index of a tree with a given size and root.
    VerifyInclusion(Inclusion),
    /// Check that a tree extends an older one.
    VerifyConsistency(Consistency),
}

#[derive(Debug, clap::Args)]
pub struct Inclusion {
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
}

#[derive(Debug, clap::Args)]
pub struct Consistency {
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
}

pub fn run(command: Command) -> miette::Result<ExitCode> {
    match command {
        Command::Root { file } => {
            let (size, root) =
                tlog::root(&accord_app::read_text("leaves", &file).or_report()?).or_report()?;
            println!(
                "size {size}\nroot {}\nroot-hex {}",
                encode_hash(&root),
                encode_hex(&root)
            );
        }
        Command::VerifyInclusion(a) => {
            let root = tlog::hash("`--root`", &a.root).or_report()?;
            let leaf = tlog::hash("`--leaf-hash`", &a.leaf_hash).or_report()?;
            let proof = tlog::proof("`--proof`", &a.proof).or_report()?;
            tlog::verify_inclusion(&leaf, a.index, a.size, &proof, &root).or_report()?;
            println!("ok: leaf {} is in the tree of size {}", a.index, a.size);
        }
        Command::VerifyConsistency(c) => {
            let old_root = tlog::hash("`--old-root`", &c.old_root).or_report()?;
            let new_root = tlog::hash("`--new-root`", &c.new_root).or_report()?;
            let proof = tlog::proof("`--proof`", &c.proof).or_report()?;
            let (old, new) = ((c.old_size, &old_root), (c.new_size, &new_root));
            tlog::verify_consistency(old, new, &proof).or_report()?;
            let (old, new) = (c.old_size, c.new_size);
            println!("ok: the tree of size {new} extends the tree of size {old}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
