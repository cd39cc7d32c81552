//! The agreement file format: parsing with spans, validation, diagnostics, JSON Schema.
