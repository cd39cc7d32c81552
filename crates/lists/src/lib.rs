//! Official sanctions list importers, name screening and in-force queries.
