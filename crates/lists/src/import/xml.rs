//! Streaming XML: the file is read event by event, and only the element of one record (a
//! UN `INDIVIDUAL`, an EU `sanctionEntity`, …) is ever held as a tree.
//!
//! Invariants:
//! - A record tree is refused once it spans more than [`MAX_RECORD_BYTES`] of the file, so
//!   memory is bounded whatever the input.
//! - The end of the file inside an open element is reported as truncation, never as a
//!   short list; so is a file that ends before its root element.
//! - The root element must be the one of the format being read; anything but white space,
//!   comments and processing instructions after it closes (a second root: two files
//!   joined) is refused.

use std::collections::BTreeSet;
use std::io::{BufReader, Read};

use quick_xml::events::{BytesStart, Event};

use super::scan::End;
use crate::{ErrorKind, Format, ImportError, Location, MAX_RECORD_BYTES};

/// The most distinct child names of the root that are remembered (real formats have
/// fewer than ten).
const MAX_SECTIONS: usize = 64;

/// One element with its attributes, text and child elements (names without namespace
/// prefixes).
#[derive(Debug, Clone, Default)]
pub(crate) struct Node {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    /// The first child with this name.
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child with this name.
    pub fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of the first child with this name, or `""`.
    pub fn text_of(&self, name: &str) -> &str {
        self.child(name).map_or("", |c| c.text.trim())
    }

    /// The trimmed text of every child with this name (blank ones skipped).
    pub fn texts_of<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.children(name)
            .map(|c| c.text.trim())
            .filter(|t| !t.is_empty())
    }

    /// Every node at a path of child names (`["Names", "Name"]`).
    pub fn at_path<'a>(&'a self, path: &[&str]) -> Vec<&'a Node> {
        let mut nodes = vec![self];
        for name in path {
            nodes = nodes
                .into_iter()
                .flat_map(|n| n.children.iter().filter(|c| c.name == *name))
                .collect();
        }
        nodes
    }

    /// The trimmed value of an attribute, or `""`.
    pub fn attr(&self, name: &str) -> &str {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.trim())
    }
}

/// What the stream hands over: one record element.
pub(crate) struct Item {
    /// The record element.
    pub node: Node,
}

/// A streaming reader that yields the elements a format calls records.
pub(crate) struct XmlStream<R: Read> {
    reader: quick_xml::Reader<BufReader<R>>,
    buf: Vec<u8>,
    pub origin: String,
    path: Vec<String>,
    /// The root element (attributes only), once read.
    pub root: Option<Node>,
    /// How many records have been handed over (for error locations).
    pub count: u64,
    done: bool,
    record_path: String,
    record_offset: u64,
    /// The format read, and the name its root element must have.
    format: Format,
    root_name: &'static str,
    root_closed: bool,
    /// Any markup (declaration, comment, …) seen before the root.
    prolog: bool,
    /// The names of the root's child elements.
    sections: BTreeSet<String>,
}

impl<R: Read> XmlStream<R> {
    /// A stream over a file of `format`, whose root element is `root_name`.
    pub fn new(reader: R, origin: String, format: Format, root_name: &'static str) -> Self {
        let mut reader =
            quick_xml::Reader::from_reader(BufReader::with_capacity(64 * 1024, reader));
        reader.config_mut().check_end_names = true;
        XmlStream {
            reader,
            buf: Vec::new(),
            origin,
            path: Vec::new(),
            root: None,
            count: 0,
            done: false,
            record_path: String::new(),
            record_offset: 0,
            format,
            root_name,
            root_closed: false,
            prolog: false,
            sections: BTreeSet::new(),
        }
    }

    /// An error at the end of the file, for the checks made once it has been read.
    pub fn end_error(&self, end: &End, kind: ErrorKind) -> ImportError {
        ImportError::new(&self.origin, end.location(), kind)
    }

    /// Refuses a file whose root lacks a child element every complete file of the format
    /// has (its header, or a section that may be empty but is always there).
    pub fn require_sections(
        &self,
        end: &End,
        names: &[&str],
        publisher: &str,
    ) -> Result<(), ImportError> {
        match names.iter().find(|n| !self.sections.contains(**n)) {
            Some(missing) => Err(self.end_error(
                end,
                ErrorKind::Incomplete(format!(
                    "`{}` has no `{missing}`, which every file {publisher} publishes carries",
                    self.root_name
                )),
            )),
            None => Ok(()),
        }
    }

    /// Checks an element met outside any record: the root (its name), a child of the
    /// root (remembered), or a second root (refused).
    fn open(&mut self, node: &Node) -> Result<(), ImportError> {
        if self.root_closed {
            return Err(self.error(ErrorKind::Corrupt(format!(
                "a second root element `{}` after `{}` closed: two files joined, or not the publisher's file",
                node.name, self.root_name
            ))));
        }
        if self.root.is_none() {
            if node.name != self.root_name {
                return Err(self.error(ErrorKind::NotFormat {
                    format: self.format,
                    found: format!(
                        "its root element is `{}`, not `{}`",
                        node.name, self.root_name
                    ),
                }));
            }
            self.root = Some(node.clone());
        } else if self.path.len() == 1
            && self.sections.len() < MAX_SECTIONS
            && !self.sections.contains(&node.name)
        {
            self.sections.insert(node.name.clone());
        }
        Ok(())
    }

    /// Refuses text outside the root element (white space is fine).
    fn outside_text(&self, text: &[u8]) -> Result<(), ImportError> {
        if !self.path.is_empty() || text.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        Err(match self.root {
            None => self.error(ErrorKind::NotFormat {
                format: self.format,
                found: "it has text before any XML element: it is not XML".into(),
            }),
            Some(_) => self.error(ErrorKind::Corrupt(format!(
                "text after the root element `{}` closed: two files joined, or not the publisher's file",
                self.root_name
            ))),
        })
    }

    /// The place of the record last handed over.
    pub fn location(&self) -> Location {
        Location::Element {
            path: self.record_path.clone(),
            index: self.count,
            offset: self.record_offset,
        }
    }

    fn offset(&self) -> u64 {
        self.reader.buffer_position()
    }

    /// An error at the current place in the file (outside the root: at the root).
    pub fn error(&self, kind: ErrorKind) -> ImportError {
        let path = if self.path.is_empty() {
            self.root_name.to_owned()
        } else {
            self.path.join("/")
        };
        ImportError::new(
            &self.origin,
            Location::Element {
                path,
                index: self.count,
                offset: self.offset(),
            },
            kind,
        )
    }

    fn xml_error(&self, e: &quick_xml::Error) -> ImportError {
        match e {
            quick_xml::Error::Syntax(_) | quick_xml::Error::IllFormed(_) if self.at_eof_hint(e) => {
                self.error(ErrorKind::Truncated(e.to_string()))
            }
            quick_xml::Error::Encoding(_) => self.error(ErrorKind::Encoding(e.to_string())),
            _ => self.error(ErrorKind::Xml(e.to_string())),
        }
    }

    fn at_eof_hint(&self, e: &quick_xml::Error) -> bool {
        let message = e.to_string();
        message.contains("unclosed") || message.contains("end of") || message.contains("missing")
    }

    fn mark_record(&mut self, name: &str, offset: u64) {
        self.record_path = if self.path.is_empty() {
            name.to_owned()
        } else {
            format!("{}/{name}", self.path.join("/"))
        };
        self.record_offset = offset;
    }

    /// The next record: an element for which `is_record(path, name)` holds. Elements that
    /// are not records are walked through (their text is ignored).
    pub fn next_item(
        &mut self,
        is_record: impl Fn(&[String], &str) -> bool,
    ) -> Option<Result<Item, ImportError>> {
        if self.done {
            return None;
        }
        let result = self.next_item_inner(&is_record);
        if !matches!(result, Some(Ok(_))) {
            self.done = true;
        }
        result
    }

    fn next_item_inner(
        &mut self,
        is_record: &dyn Fn(&[String], &str) -> bool,
    ) -> Option<Result<Item, ImportError>> {
        loop {
            self.buf.clear();
            let event = match self.reader.read_event_into(&mut self.buf) {
                Ok(event) => event.into_owned(),
                Err(e) => return Some(Err(self.xml_error(&e))),
            };
            match event {
                Event::Start(start) => {
                    let node = match node_from_start(&start) {
                        Ok(node) => node,
                        Err(kind) => return Some(Err(self.error(kind))),
                    };
                    if let Err(e) = self.open(&node) {
                        return Some(Err(e));
                    }
                    if is_record(&self.path, &node.name) {
                        self.count += 1;
                        let start_offset = self.offset();
                        self.mark_record(&node.name, start_offset);
                        return Some(self.read_tree(node, start_offset).map(|node| Item { node }));
                    }
                    self.path.push(node.name);
                }
                Event::Empty(start) => {
                    let node = match node_from_start(&start) {
                        Ok(node) => node,
                        Err(kind) => return Some(Err(self.error(kind))),
                    };
                    if let Err(e) = self.open(&node) {
                        return Some(Err(e));
                    }
                    if self.path.is_empty() {
                        self.root_closed = true;
                    }
                    if is_record(&self.path, &node.name) {
                        self.count += 1;
                        self.mark_record(&node.name, self.offset());
                        return Some(Ok(Item { node }));
                    }
                }
                Event::End(_) => {
                    self.path.pop();
                    if self.path.is_empty() {
                        self.root_closed = true;
                    }
                }
                Event::Text(text) => {
                    if let Err(e) = self.outside_text(text[..].as_bytes()) {
                        return Some(Err(e));
                    }
                }
                Event::CData(_) | Event::GeneralRef(_) => {
                    if let Err(e) = self.outside_text(b"&") {
                        return Some(Err(e));
                    }
                }
                Event::Eof => return self.at_eof(),
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {
                    self.prolog = true;
                }
            }
        }
    }

    /// The end of the file outside any record: fine after the root closed, or in a file
    /// with nothing in it (the caller tells "empty" from "a list"); truncation otherwise.
    fn at_eof(&self) -> Option<Result<Item, ImportError>> {
        if !self.path.is_empty() {
            let open = self.path.join("/");
            return Some(Err(self.error(ErrorKind::Truncated(format!(
                "the file ends inside `{open}`"
            )))));
        }
        if self.root.is_none() && self.prolog {
            return Some(Err(self.error(ErrorKind::Truncated(format!(
                "the file ends before its root element `{}`",
                self.root_name
            )))));
        }
        None
    }

    /// Reads the rest of a record element whose start tag has just been read.
    fn read_tree(&mut self, root: Node, start_offset: u64) -> Result<Node, ImportError> {
        let mut stack = vec![root];
        loop {
            if self.offset().saturating_sub(start_offset) > MAX_RECORD_BYTES as u64 {
                return Err(self.error(ErrorKind::TooLarge(MAX_RECORD_BYTES)));
            }
            self.buf.clear();
            let event = match self.reader.read_event_into(&mut self.buf) {
                Ok(event) => event,
                Err(e) => return Err(self.xml_error(&e)),
            };
            match event {
                Event::Start(start) => {
                    let node = node_from_start(&start).map_err(|k| self.error(k))?;
                    stack.push(node);
                }
                Event::Empty(start) => {
                    let node = node_from_start(&start).map_err(|k| self.error(k))?;
                    if let Some(parent) = stack.last_mut() {
                        parent.children.push(node);
                    }
                }
                Event::Text(text) => {
                    let content = text.xml10_content();
                    if let Some(node) = stack.last_mut() {
                        node.text.push_str(&content);
                    }
                }
                Event::CData(data) => {
                    let content = data.xml10_content().into_owned();
                    if let Some(node) = stack.last_mut() {
                        node.text.push_str(&content);
                    }
                }
                Event::GeneralRef(reference) => {
                    let resolved = match reference.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        Ok(None) => {
                            let name = reference.xml10_content();
                            match quick_xml::escape::resolve_predefined_entity(&name) {
                                Some(s) => s.to_owned(),
                                None => {
                                    let name = name.into_owned();
                                    return Err(self.error(ErrorKind::Xml(format!(
                                        "unknown entity `&{name};`"
                                    ))));
                                }
                            }
                        }
                        Err(e) => return Err(self.error(ErrorKind::Xml(e.to_string()))),
                    };
                    if let Some(node) = stack.last_mut() {
                        node.text.push_str(&resolved);
                    }
                }
                Event::End(_) => {
                    let Some(node) = stack.pop() else {
                        return Err(self.error(ErrorKind::Xml("unbalanced end tag".into())));
                    };
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(node),
                        None => return Ok(node),
                    }
                }
                Event::Eof => {
                    let open: Vec<&str> = stack.iter().map(|n| n.name.as_str()).collect();
                    return Err(self.error(ErrorKind::Truncated(format!(
                        "the file ends inside `{}`",
                        open.join("/")
                    ))));
                }
                _ => {}
            }
        }
    }
}

fn node_from_start(start: &BytesStart<'_>) -> Result<Node, ErrorKind> {
    let name = start.local_name().as_ref().to_owned();
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| ErrorKind::Xml(e.to_string()))?;
        let key = attr.key.local_name().as_ref().to_owned();
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| ErrorKind::Xml(e.to_string()))?
            .into_owned();
        attrs.push((key, value));
    }
    Ok(Node {
        name,
        attrs,
        text: String::new(),
        children: Vec::new(),
    })
}
