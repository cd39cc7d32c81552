//! Pretty JSON written into a caller's buffer, byte for byte as [`crate::pretty`] writes it
//! (`serde_json`'s two-space pretty printer), for the documents served many times a second
//! (the state of a 1M-entry agreement is 145 KB).
//!
//! Why not `serde_json::to_writer_pretty`: its printer writes a line's indentation as one
//! two-byte write per level, after the newline in a write of its own, and every string
//! (every key too) goes through its byte-by-byte escaping loop, each piece a write through
//! `io::Write` that can fail: a 145 KB state was tens of thousands of tiny copies, and the
//! escaping loop alone 12 % of a new state's answer. Here a serializer of its own writes
//! into the `Vec` directly: a newline and its indentation are one copy from a run of
//! spaces, and a string is looked at sixteen bytes at a time for a byte to escape (none, in
//! nearly every string of a state) and then copied whole.

use serde::ser::{self, Serialize};

/// The error of a value that cannot be written (a map key that is not a string).
pub type Error = serde_json::Error;

/// Writes `value` as pretty JSON at the end of `out`: the bytes of [`crate::pretty`].
pub fn pretty_into(value: &impl Serialize, out: &mut Vec<u8>) -> Result<(), Error> {
    let mut writer = Writer {
        out,
        level: 0,
        has_value: false,
        scratch: String::new(),
    };
    value.serialize(&mut writer)
}

/// A newline and the deepest indentation written in one copy; deeper lines (none in
/// Accord's documents) write the rest two spaces at a time.
const LINE: &[u8; 1 + 2 * 32] =
    b"\n                                                                ";

/// `serde_json`'s pretty serializer, with its default two-space indent: same output.
struct Writer<'a> {
    out: &'a mut Vec<u8>,
    /// How deep the value being written is nested.
    level: usize,
    /// Whether the array or object being written has a value yet (else it closes on
    /// the same line: `[]`, `{}`), as `serde_json::ser::PrettyFormatter` keeps it.
    has_value: bool,
    /// Where a `Display` value (`collect_str`) is formatted before it is escaped.
    scratch: String,
}

impl Writer<'_> {
    /// A newline and the current indentation.
    fn new_line(&mut self) {
        let spaces = 2 * self.level;
        let at_once = spaces.min(LINE.len() - 1);
        self.out.extend_from_slice(&LINE[..=at_once]);
        for _ in 0..(spaces - at_once) / 2 {
            self.out.extend_from_slice(b"  ");
        }
    }

    fn open(&mut self, bracket: u8) {
        self.level += 1;
        self.has_value = false;
        self.out.push(bracket);
    }

    fn close(&mut self, bracket: u8) {
        self.level -= 1;
        if self.has_value {
            self.new_line();
        }
        self.out.push(bracket);
    }

    /// Before an array's value or an object's key: the comma after the one before, and
    /// its line.
    fn item(&mut self, first: bool) {
        if !first {
            self.out.push(b',');
        }
        self.new_line();
    }

    /// An object's key: a string as it is; a number or a boolean quoted (as `serde_json`
    /// writes keys); anything else is not a key.
    fn key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), Error> {
        let at = self.out.len();
        key.serialize(&mut *self)?;
        match self.out.get(at) {
            Some(b'"') => Ok(()),
            Some(b'-' | b'0'..=b'9' | b't' | b'f') => {
                self.out.insert(at, b'"');
                self.out.push(b'"');
                Ok(())
            }
            _ => Err(ser::Error::custom("key must be a string")),
        }
    }

    /// One entry of an object: its key, then its value.
    fn entry<K, V>(&mut self, first: bool, key: &K, value: &V) -> Result<(), Error>
    where
        K: ?Sized + Serialize,
        V: ?Sized + Serialize,
    {
        self.item(first);
        self.key(key)?;
        self.out.extend_from_slice(b": ");
        value.serialize(&mut *self)?;
        self.has_value = true;
        Ok(())
    }

    /// A number, through `serde_json` (`itoa`, `ryu`: its digits exactly).
    fn number(&mut self, value: impl Serialize) -> Result<(), Error> {
        serde_json::to_writer(&mut *self.out, &value)
    }
}

/// What `serde_json` escapes: control characters, the quote and the backslash.
fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// `value` as a JSON string, escaped as `serde_json` escapes it.
fn string(out: &mut Vec<u8>, value: &str) {
    let bytes = value.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // Sixteen bytes at a time, without stopping at the first (the fold vectorises): a
    // chunk with nothing to escape is copied whole.
    for chunk in bytes.chunks(16) {
        if chunk.iter().fold(false, |any, &b| any | needs_escape(b)) {
            escaped(out, chunk);
        } else {
            out.extend_from_slice(chunk);
        }
    }
    out.push(b'"');
}

/// Bytes with something to escape, written escaped (`serde_json`'s escapes: the short
/// ones where JSON has them, else `\u00XX` in lowercase hex).
fn escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        let short = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            0x08 => b'b',
            0x0c => b'f',
            b'\n' => b'n',
            b'\r' => b'r',
            b'\t' => b't',
            _ if b < 0x20 => b'u',
            _ => {
                out.push(b);
                continue;
            }
        };
        if short == b'u' {
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]);
        } else {
            out.extend_from_slice(&[b'\\', short]);
        }
    }
}

/// An array or object being written, and whether the next value is its first.
struct Compound<'w, 'a> {
    writer: &'w mut Writer<'a>,
    first: bool,
}

impl Compound<'_, '_> {
    fn element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.writer.item(self.first);
        self.first = false;
        value.serialize(&mut *self.writer)?;
        self.writer.has_value = true;
        Ok(())
    }

    fn field<T: ?Sized + Serialize>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        self.writer.entry(self.first, key, value)?;
        self.first = false;
        Ok(())
    }
}

impl<'w, 'a> ser::Serializer for &'w mut Writer<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'w, 'a>;
    type SerializeTuple = Compound<'w, 'a>;
    type SerializeTupleStruct = Compound<'w, 'a>;
    type SerializeTupleVariant = Compound<'w, 'a>;
    type SerializeMap = Compound<'w, 'a>;
    type SerializeStruct = Compound<'w, 'a>;
    type SerializeStructVariant = Compound<'w, 'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        string(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        string(self.out, v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        let mut seq = ser::Serializer::serialize_seq(self, Some(v.len()))?;
        for b in v {
            ser::SerializeSeq::serialize_element(&mut seq, b)?;
        }
        ser::SerializeSeq::end(seq)
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.open(b'{');
        self.entry(true, variant, value)?;
        self.close(b'}');
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'w, 'a>, Error> {
        self.open(b'[');
        Ok(Compound {
            writer: self,
            first: true,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'w, 'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'w, 'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'w, 'a>, Error> {
        self.variant_open(variant);
        self.serialize_seq(Some(len))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'w, 'a>, Error> {
        self.open(b'{');
        Ok(Compound {
            writer: self,
            first: true,
        })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Compound<'w, 'a>, Error> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'w, 'a>, Error> {
        self.variant_open(variant);
        self.serialize_map(Some(len))
    }
    fn collect_str<T: ?Sized + std::fmt::Display>(self, value: &T) -> Result<(), Error> {
        use std::fmt::Write as _;
        let mut text = std::mem::take(&mut self.scratch);
        text.clear();
        let written = write!(text, "{value}");
        if written.is_ok() {
            string(self.out, &text);
        }
        self.scratch = text;
        written.map_err(|_| ser::Error::custom("a value failed to format"))
    }
}

impl Writer<'_> {
    /// The start of a tuple or struct variant, `{"variant": `, before its array or object.
    fn variant_open(&mut self, variant: &str) {
        self.open(b'{');
        self.item(true);
        string(self.out, variant);
        self.out.extend_from_slice(b": ");
    }

    /// The end of a tuple or struct variant, after its array or object.
    fn variant_close(&mut self) {
        self.has_value = true;
        self.close(b'}');
    }
}

impl ser::SerializeSeq for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.writer.close(b']');
        Ok(())
    }
}

impl ser::SerializeTuple for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.writer.close(b']');
        self.writer.variant_close();
        Ok(())
    }
}

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), Error> {
        self.writer.item(self.first);
        self.first = false;
        self.writer.key(key)
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.writer.out.extend_from_slice(b": ");
        value.serialize(&mut *self.writer)?;
        self.writer.has_value = true;
        Ok(())
    }
    fn end(self) -> Result<(), Error> {
        self.writer.close(b'}');
        Ok(())
    }
}

impl ser::SerializeStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }
    fn end(self) -> Result<(), Error> {
        self.writer.close(b'}');
        Ok(())
    }
}

impl ser::SerializeStructVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }
    fn end(self) -> Result<(), Error> {
        self.writer.close(b'}');
        self.writer.variant_close();
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

    /// Every shape of serde's data model, as a derived `Serialize` gives them.
    #[derive(serde::Serialize)]
    enum Shape {
        Unit,
        Newtype(Vec<u8>),
        Tuple(i8, Option<&'static str>, (), [u32; 0]),
        Struct { a: Option<i32>, b: Vec<Shape> },
    }

    #[derive(serde::Serialize)]
    #[serde(tag = "kind", rename_all = "snake_case")]
    enum Tagged {
        One { x: f64 },
        Two(Unit),
    }

    #[derive(serde::Serialize)]
    struct Unit;

    #[derive(serde::Serialize)]
    struct Newtype(char);

    #[derive(serde::Serialize)]
    struct Tuple(u128, i128, f32);

    #[derive(serde::Serialize)]
    struct Everything {
        shapes: Vec<Shape>,
        tagged: Vec<Tagged>,
        unit: Unit,
        newtype: Newtype,
        tuple: Tuple,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
        by_number: std::collections::BTreeMap<i64, bool>,
        by_bool: std::collections::BTreeMap<bool, ()>,
        by_char: std::collections::BTreeMap<char, Vec<()>>,
        by_unit_variant: std::collections::BTreeMap<&'static str, Shape>,
        floats: Vec<f64>,
        date: jiff::civil::Date,
        bytes: serde_json::Value,
    }

    fn everything() -> Everything {
        use Shape::*;
        Everything {
            shapes: vec![
                Unit,
                Newtype(vec![]),
                Newtype(vec![0, 255]),
                Tuple(-8, Some("tab\there"), (), []),
                Tuple(0, None, (), []),
                Struct { a: None, b: vec![] },
                Struct {
                    a: Some(-1),
                    b: vec![
                        Unit,
                        Struct {
                            a: Some(i32::MIN),
                            b: vec![Unit],
                        },
                    ],
                },
            ],
            tagged: vec![Tagged::One { x: 0.1 }, Tagged::Two(self::Unit)],
            unit: self::Unit,
            newtype: self::Newtype('\u{1f}'),
            tuple: self::Tuple(u128::MAX, i128::MIN, 1.5e-7),
            skipped: None,
            by_number: [(-3, true), (0, false), (i64::MAX, true)].into(),
            by_bool: [(false, ()), (true, ())].into(),
            by_char: [('"', vec![()]), ('é', vec![])].into(),
            by_unit_variant: [("k\\ey", Unit)].into(),
            floats: vec![0.0, -0.0, 1e16, 1.0 / 3.0, f64::NAN, f64::INFINITY, 5e-324],
            date: jiff::civil::date(2027, 6, 30),
            bytes: json!({"": [[], {}], "\u{7f}\u{80}\u{0}\u{8}\u{c}\r": "ünïcödé ☃ \u{10ffff}"}),
        }
    }

    #[test]
    fn every_shape_of_the_data_model_is_written_as_serde_json_writes_it() {
        let value = everything();
        let mut out = b"kept ".to_vec();
        pretty_into(&value, &mut out).unwrap();
        let expected = format!("kept {}", serde_json::to_string_pretty(&value).unwrap());
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }

    /// Strings of every length around the sixteen bytes looked at at once, with a byte to
    /// escape at every place in them, or none.
    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them_wherever_the_escape_falls() {
        for len in 0..40 {
            for at in 0..=len {
                for odd in ['"', '\\', '\n', '\u{1}', '\u{1f}', 'a', 'é'] {
                    let mut text: Vec<char> = "abcdefghijklmnopqrstuvwxyz0123456789ABCD"
                        .chars()
                        .take(len)
                        .collect();
                    if at < len {
                        text[at] = odd;
                    }
                    let text: String = text.into_iter().collect();
                    let (expected, written) = both(&json!([text, {text.clone(): 1}]));
                    assert_eq!(written, expected, "{text:?}");
                }
            }
        }
    }

    #[test]
    fn a_key_that_is_no_string_nor_number_is_an_error_as_in_serde_json() {
        let by_list: std::collections::BTreeMap<Vec<u8>, u8> = [(vec![1], 1)].into();
        let by_option: std::collections::BTreeMap<Option<u8>, u8> = [(None, 1)].into();
        let mut out = Vec::new();
        assert!(serde_json::to_string_pretty(&by_list).is_err());
        assert!(pretty_into(&by_list, &mut out).is_err());
        assert!(serde_json::to_string_pretty(&by_option).is_err());
        assert!(pretty_into(&by_option, &mut out).is_err());
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
