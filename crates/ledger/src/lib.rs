//! The evidence ledger: RFC 9162 Merkle maths, signed notes, checkpoints, signed entries.
