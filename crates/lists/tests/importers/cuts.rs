//! The faulty copies of every sample list format, generated at test time: cut mid-record,
//! at a record boundary, inside the trailer, before the first record, reduced to the
//! header, emptied; a block zeroed, a block lost, a byte made invalid UTF-8, the file
//! joined to itself. Used by this crate's `faults` (each copy read by its importer) and by
//! `accord-store`'s `list_faults` (each copy imported into a store), which includes this
//! file by path; the including crate provides `samples()` at its root.
#![allow(dead_code)]

use std::path::PathBuf;

use accord_lists::Format;

/// How a sample's records sit in its bytes.
#[derive(Clone, Copy)]
pub(crate) enum Layout {
    /// One record per line after this many header lines.
    Lines { header: usize },
    /// Records are these elements.
    Elements(&'static [&'static str]),
}

pub(crate) struct Sample {
    pub path: PathBuf,
    pub name: String,
    pub format: Format,
    pub layout: Layout,
}

pub(crate) fn samples() -> Vec<Sample> {
    let mut found = Vec::new();
    // Also included by the store's fault suite: the path works from either crate.
    let fixtures = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../lists/tests/fixtures"
    ));
    // No real copy of these two layouts is available: our fixtures stand in.
    let ours = [
        (
            "sdn_legacy.xml",
            Format::OfacXml,
            Layout::Elements(&["sdnEntry"]),
        ),
        (
            "ofsi_2022.csv",
            Format::UkOfsiCsv,
            Layout::Lines { header: 2 },
        ),
    ];
    for (file, format, layout) in ours {
        found.push(Sample {
            path: fixtures.join(file),
            name: format!("fixtures/{file}"),
            format,
            layout,
        });
    }
    let Some(dir) = crate::samples() else {
        return found;
    };
    let real: [(&str, Format, Layout); 14] = [
        (
            "un_sc/UN_consolidated.xml",
            Format::UnXml,
            Layout::Elements(&["INDIVIDUAL", "ENTITY"]),
        ),
        (
            "ofac_sdn_csv/sdn.csv",
            Format::OfacCsv,
            Layout::Lines { header: 0 },
        ),
        (
            "ofac_sdn_csv/add.csv",
            Format::OfacCsvAddresses,
            Layout::Lines { header: 0 },
        ),
        (
            "ofac_sdn_csv/alt.csv",
            Format::OfacCsvAliases,
            Layout::Lines { header: 0 },
        ),
        (
            "ofac_sdn_csv/sdn_comments.csv",
            Format::OfacCsvComments,
            Layout::Lines { header: 0 },
        ),
        (
            "ofac_cons_csv/cons_prim.csv",
            Format::OfacCsv,
            Layout::Lines { header: 0 },
        ),
        (
            "ofac_advanced_xml/sample_sdn_advanced.xml",
            Format::OfacAdvancedXml,
            Layout::Elements(&["DistinctParty", "SanctionsEntry"]),
        ),
        (
            "eu_fsf/sample_eu_fsf.xml",
            Format::EuXml,
            Layout::Elements(&["sanctionEntity"]),
        ),
        (
            "eu_fsf/EUSanctionsShort.csv",
            Format::EuCsv,
            Layout::Lines { header: 1 },
        ),
        (
            "uk_ofsi/sanctionsconlist.csv",
            Format::UkOfsiCsv,
            Layout::Lines { header: 2 },
        ),
        (
            "uk_fcdo/sample_uk_sanctions.xml",
            Format::UkFcdoXml,
            Layout::Elements(&["Designation"]),
        ),
        (
            "us_csl/csl.csv",
            Format::UsCslCsv,
            Layout::Lines { header: 1 },
        ),
        (
            "us_bis_dpl/dpl.txt",
            Format::BisDplTsv,
            Layout::Lines { header: 1 },
        ),
        (
            "opensanctions_ftm/entities.ftm.json",
            Format::FtmJson,
            Layout::Lines { header: 0 },
        ),
    ];
    for (file, format, layout) in real {
        found.push(Sample {
            path: dir.join(file),
            name: file.to_owned(),
            format,
            layout,
        });
    }
    found
}

/// A record's bytes: `start..end` is its content, `end..next` its line end (if any).
#[derive(Clone, Copy, Debug)]
struct Span {
    start: usize,
    end: usize,
    next: usize,
}

fn find(bytes: &[u8], what: &[u8], from: usize) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(what.len())
        .position(|w| w == what)
        .map(|i| i + from)
}

/// The records of a sample, in file order, and where its header ends.
fn spans(bytes: &[u8], layout: Layout) -> (usize, Vec<Span>) {
    match layout {
        Layout::Lines { header } => {
            let mut spans = Vec::new();
            let mut start = 0;
            let mut header_end = 0;
            let mut line = 0;
            while start < bytes.len() {
                let newline = find(bytes, b"\n", start);
                let next = newline.map_or(bytes.len(), |n| n + 1);
                let mut end = newline.unwrap_or(bytes.len());
                if end > start && bytes[end - 1] == b'\r' {
                    end -= 1;
                }
                let content = &bytes[start..end];
                if line < header {
                    header_end = next;
                } else if !content.is_empty() && content != b"\x1a" {
                    spans.push(Span { start, end, next });
                }
                line += 1;
                start = next;
            }
            (header_end, spans)
        }
        Layout::Elements(names) => {
            let mut spans = Vec::new();
            for name in names {
                let open = format!("<{name}");
                let close = format!("</{name}>");
                let mut from = 0;
                while let Some(start) = find(bytes, open.as_bytes(), from) {
                    let after = bytes.get(start + open.len()).copied();
                    if !matches!(after, Some(b'>' | b' ' | b'\n' | b'\t')) {
                        from = start + open.len();
                        continue;
                    }
                    let end = find(bytes, close.as_bytes(), start).unwrap() + close.len();
                    spans.push(Span {
                        start,
                        end,
                        next: end,
                    });
                    from = end;
                }
            }
            spans.sort_by_key(|s| s.start);
            let header_end = spans.first().map_or(bytes.len(), |s| s.start);
            (header_end, spans)
        }
    }
}

/// What a faulty copy must do.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expect {
    /// Be refused with a clear error.
    Refused,
    /// Read without error as this many records: the format cannot tell (why).
    Undetectable(u64, &'static str),
}

pub(crate) struct Case {
    pub label: String,
    pub bytes: Vec<u8>,
    pub expect: Expect,
}

fn has_end_byte(format: Format) -> bool {
    matches!(
        format,
        Format::OfacCsv | Format::OfacCsvAddresses | Format::OfacCsvAliases
    )
}

fn is_xml(layout: Layout) -> bool {
    matches!(layout, Layout::Elements(_))
}

const NO_TRAILER: &str =
    "no trailer, count or closing: a cut at a record boundary looks like a shorter list";

/// The faulty copies of one sample.
pub(crate) fn cases(sample: &Sample, bytes: &[u8]) -> Vec<Case> {
    let (header_end, spans) = spans(bytes, sample.layout);
    assert!(spans.len() >= 3, "{}: too few records to cut", sample.name);
    let mut cases = Vec::new();
    let mut push = |label: String, bytes: Vec<u8>, expect: Expect| {
        cases.push(Case {
            label,
            bytes,
            expect,
        });
    };
    push("empty".into(), Vec::new(), Expect::Refused);
    push(
        "white space only".into(),
        b"\n \r\n\t\n".to_vec(),
        Expect::Refused,
    );
    match sample.layout {
        Layout::Lines { header: 0 } if has_end_byte(sample.format) => {
            push(
                "only the end byte".into(),
                b"\x1a".to_vec(),
                Expect::Refused,
            );
        }
        Layout::Lines { header: 0 } => {}
        Layout::Lines { .. } => {
            push(
                "header only".into(),
                bytes[..header_end].to_vec(),
                Expect::Refused,
            );
        }
        Layout::Elements(_) => {
            let mut frame = Vec::new();
            let mut at = 0;
            for span in &spans {
                frame.extend_from_slice(&bytes[at..span.start]);
                at = span.end;
            }
            frame.extend_from_slice(&bytes[at..]);
            push(
                "header only (every record removed)".into(),
                frame,
                Expect::Refused,
            );
            push(
                "cut before the first record".into(),
                bytes[..header_end].to_vec(),
                Expect::Refused,
            );
        }
    }
    let picks = [0, spans.len() / 2, spans.len() - 1];
    for (which, &i) in ["first", "middle", "last"].iter().zip(&picks) {
        let span = spans[i];
        let mid = span.start + (span.end - span.start) / 2;
        push(
            format!("cut inside the {which} record"),
            bytes[..mid].to_vec(),
            Expect::Refused,
        );
        push(
            format!("cut before the last byte of the {which} record"),
            bytes[..span.end - 1].to_vec(),
            Expect::Refused,
        );
    }
    for (which, &i) in
        ["first", "middle", "second-to-last"]
            .iter()
            .zip(&[0, spans.len() / 2, spans.len() - 2])
    {
        let expect = if is_xml(sample.layout) || has_end_byte(sample.format) {
            Expect::Refused
        } else {
            Expect::Undetectable(i as u64 + 1, NO_TRAILER)
        };
        push(
            format!("cut at the record boundary after the {which} record"),
            bytes[..spans[i].next].to_vec(),
            expect,
        );
    }
    trailer_cases(sample, bytes, &spans, &mut push);
    damage_cases(sample, bytes, &spans, &mut push);
    cases
}

/// Cuts inside what follows the last record.
fn trailer_cases(
    sample: &Sample,
    bytes: &[u8],
    spans: &[Span],
    push: &mut impl FnMut(String, Vec<u8>, Expect),
) {
    if is_xml(sample.layout) {
        let last = bytes.iter().rposition(|b| *b == b'>').unwrap();
        push(
            "cut before the closing `>` of the root".into(),
            bytes[..last].to_vec(),
            Expect::Refused,
        );
    } else if has_end_byte(sample.format) {
        push(
            "the end byte 0x1A cut off".into(),
            bytes[..bytes.len() - 1].to_vec(),
            Expect::Refused,
        );
    }
    let last = spans.last().unwrap();
    if last.next > last.end {
        // A last row without its line end is refused as cut, unless it ends with a field's
        // closing quote: then it is whole (the real DPL file ends so), and nothing is lost.
        let expect = if has_end_byte(sample.format) || bytes[last.end - 1] != b'"' {
            Expect::Refused
        } else {
            Expect::Undetectable(
                spans.len() as u64,
                "only the last line end is missing, after a closing quote: every record is whole",
            )
        };
        push(
            "the last line end cut off".into(),
            bytes[..last.end].to_vec(),
            expect,
        );
    }
}

/// Damaged copies: zeroed block, lost block, invalid UTF-8, joined with itself.
fn damage_cases(
    sample: &Sample,
    bytes: &[u8],
    spans: &[Span],
    push: &mut impl FnMut(String, Vec<u8>, Expect),
) {
    let mid = bytes.len() / 2;
    let mut zeroed = bytes.to_vec();
    for b in zeroed.iter_mut().skip(mid).take(512) {
        *b = 0;
    }
    push(
        format!("512 zero bytes from byte {mid}"),
        zeroed,
        Expect::Refused,
    );

    let (a, b) = (spans[spans.len() / 2 - 1], spans[spans.len() / 2 + 1]);
    let from = a.start + (a.end - a.start) / 3;
    let to = b.start + (b.end - b.start) * 2 / 3;
    let mut lost = bytes[..from].to_vec();
    lost.extend_from_slice(&bytes[to..]);
    let mut joined_row = bytes[a.start..from].to_vec();
    joined_row.extend_from_slice(&bytes[to..b.end]);
    let well_formed = fields(sample.format, &joined_row)
        .is_some_and(|n| Some(n) == fields(sample.format, &bytes[a.start..a.end]));
    let expect = if well_formed {
        Expect::Undetectable(
            spans.len() as u64 - 2,
            "the lost block's ends fall inside free text of two rows: the joined row is well-formed",
        )
    } else {
        Expect::Refused
    };
    push(format!("bytes {from}..{to} lost"), lost, expect);

    let middle = spans[spans.len() / 2];
    let at = (middle.start..middle.end)
        .find(|i| {
            bytes[*i].is_ascii_alphabetic() && i - middle.start > (middle.end - middle.start) / 2
        })
        .unwrap();
    let mut invalid = bytes.to_vec();
    invalid[at] = 0xFF;
    let expect = if is_xml(sample.layout) || sample.format == Format::FtmJson {
        Expect::Refused
    } else {
        Expect::Undetectable(
            spans.len() as u64,
            "CSV text that is not UTF-8 is read as Windows-1252 (a documented tolerance)",
        )
    };
    push(format!("byte {at} made invalid UTF-8"), invalid, expect);

    let mut joined = bytes.to_vec();
    joined.extend_from_slice(bytes);
    let expect = match sample.format {
        Format::OfacCsvComments => Expect::Undetectable(
            2 * spans.len() as u64,
            "no header or end byte: identical rows that the store merges into the same remarks",
        ),
        Format::FtmJson if bytes.ends_with(b"\n") => Expect::Undetectable(
            2 * spans.len() as u64,
            "every entity twice: the store refuses the duplicate identifiers",
        ),
        _ => Expect::Refused,
    };
    push("the file joined to itself".into(), joined, expect);
}

/// The number of fields of one delimited row, read with the `csv` crate alone (not the
/// importer); `None` for formats that are not delimited rows.
fn fields(format: Format, row: &[u8]) -> Option<usize> {
    let split = |row: &[u8], delimiter: u8| {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(row);
        let mut record = csv::ByteRecord::new();
        let more = reader.read_byte_record(&mut record).ok()?;
        let done = !reader.read_byte_record(&mut csv::ByteRecord::new()).ok()?;
        (more && done).then_some(record)
    };
    match format {
        Format::FtmJson | Format::UnXml | Format::EuXml | Format::UkFcdoXml => None,
        Format::OfacXml | Format::OfacAdvancedXml => None,
        Format::EuCsv => {
            let outer = split(row, b'\t')?;
            split(outer.get(0)?, b';').map(|inner| inner.len())
        }
        Format::BisDplTsv => split(row, b'\t').map(|r| r.len()),
        _ => split(row, b',').map(|r| r.len()),
    }
}
