//! Domain model and evaluation engine of Accord: pure, no I/O.
