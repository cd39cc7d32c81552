//! Pretty JSON written into a caller's buffer, byte for byte as [`crate::pretty`] writes it
//! (`serde_json`'s two-space pretty printer), for the documents served many times a second
//! (the state of a 1M-entry agreement is 145 KB).
//!
//! Why not `serde_json::to_writer_pretty`: its printer writes a line's indentation as one
//! two-byte write per level, after the newline in a write of its own, so a 145 KB state
//! was tens of thousands of tiny copies. Here a newline and its indentation are one copy
//! from a run of spaces.

use std::io;

use serde_json::ser::Formatter;

/// Writes `value` as pretty JSON at the end of `out`: the bytes of [`crate::pretty`].
pub fn pretty_into(value: &impl serde::Serialize, out: &mut Vec<u8>) -> serde_json::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(out, Pretty::default());
    value.serialize(&mut serializer)
}

/// A newline and the deepest indentation written in one copy; deeper lines (none in
/// Accord's documents) write the rest two spaces at a time.
const LINE: &[u8; 1 + 2 * 32] =
    b"\n                                                                ";

/// `serde_json::ser::PrettyFormatter` with its default two-space indent: same output.
#[derive(Debug, Default)]
struct Pretty {
    /// How deep the value being written is nested.
    level: usize,
    /// Whether the array or object being written has a value yet (else it closes on
    /// the same line: `[]`, `{}`).
    has_value: bool,
}

impl Pretty {
    /// A newline and the current indentation.
    fn new_line<W: ?Sized + io::Write>(&self, writer: &mut W) -> io::Result<()> {
        let spaces = 2 * self.level;
        let at_once = spaces.min(LINE.len() - 1);
        writer.write_all(&LINE[..=at_once])?;
        for _ in 0..(spaces - at_once) / 2 {
            writer.write_all(b"  ")?;
        }
        Ok(())
    }

    fn open<W: ?Sized + io::Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        writer.write_all(bracket)
    }

    fn close<W: ?Sized + io::Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.new_line(writer)?;
        }
        writer.write_all(bracket)
    }

    fn item<W: ?Sized + io::Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        if !first {
            writer.write_all(b",")?;
        }
        self.new_line(writer)
    }
}

impl Formatter for Pretty {
    fn begin_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"[")
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.item(writer, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"{")
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.item(writer, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn both(value: &Value) -> (String, String) {
        let mut out = Vec::new();
        pretty_into(value, &mut out).unwrap();
        (crate::pretty(value), String::from_utf8(out).unwrap())
    }

    /// Nested `depth` deep, alternating arrays and objects, with empty ones and escapes on
    /// the way.
    fn nested(depth: usize) -> Value {
        (0..depth).fold(json!("leaf \"quoted\"\n"), |inner, i| {
            if i % 2 == 0 {
                json!([inner, [], {}, i, null, 1.5])
            } else {
                json!({"k": inner, "empty": {}, "list": [true, false], "n": -3})
            }
        })
    }

    #[test]
    fn writes_the_bytes_of_serde_jsons_pretty_printer_at_every_depth() {
        // Past the 32 levels written in one copy too.
        for depth in [0, 1, 2, 3, 8, 31, 32, 33, 34, 40] {
            let value = nested(depth);
            let (expected, written) = both(&value);
            assert_eq!(written, expected, "depth {depth}");
        }
    }

    #[test]
    fn scalars_and_empty_containers_alone_are_written_as_serde_json_writes_them() {
        for value in [
            json!(null),
            json!([]),
            json!({}),
            json!([[]]),
            json!({"a": []}),
        ] {
            let (expected, written) = both(&value);
            assert_eq!(written, expected);
        }
    }
}
