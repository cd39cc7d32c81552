//! The ledger against independent implementations, both ways:
//!
//! - [`go`] — the Go reference code, `golang.org/x/mod/sumdb/note` and `sumdb/tlog`, built
//!   offline from Debian's packages into a small program (`tests/go-oracle/main.go`) that
//!   signs, verifies, proves and checks on request: signed notes, checkpoints, inclusion and
//!   consistency proofs, witness requests and cosignatures.
//! - [`cosignatures`] — the `sigsum` crate verifying our checkpoints, inclusion proofs and
//!   `tlog-cosignature/v1` cosignatures under its own policy engine, and its quorum
//!   against ours.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cosignatures;
mod go;
