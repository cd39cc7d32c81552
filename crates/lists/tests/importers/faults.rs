//! Corrupted and truncated copies of every sample list format, generated at test time: cut
//! mid-record, at a record boundary, inside the trailer, before the first record, reduced
//! to the header, emptied; a block zeroed, a block lost, a byte made invalid UTF-8, the
//! file joined to itself. Each copy is read with its format named (as `--format` does)
//! and must be refused with an error naming the file and a position in it — except the
//! cases a format gives no way to detect, which are listed, must read as exactly the
//! shorter or tolerated file, and are printed as such (the store's guard covers them; see
//! `docs/design.md`).
//!
//! The figures are printed per file and in total: tried, refused with a clear error,
//! undetectable in the file. `ACCORD_FAULTS_VERBOSE=1` prints every error as well.

use std::path::{Path, PathBuf};

use accord_lists::{Contents, Emptiness, ErrorKind, Format, IfEmpty, ImportError, Location, read};

/// How a sample's records sit in its bytes.
#[derive(Clone, Copy)]
enum Layout {
    /// One record per line after this many header lines.
    Lines { header: usize },
    /// Records are these elements.
    Elements(&'static [&'static str]),
}

struct Sample {
    path: PathBuf,
    name: String,
    format: Format,
    layout: Layout,
}

fn samples() -> Vec<Sample> {
    let mut found = Vec::new();
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
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
    let Some(dir) = super::samples() else {
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
enum Expect {
    /// Be refused with a clear error.
    Refused,
    /// Read without error as this many records: the format cannot tell (why).
    Undetectable(u64, &'static str),
}

struct Case {
    label: String,
    bytes: Vec<u8>,
    expect: Expect,
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
fn cases(sample: &Sample, bytes: &[u8]) -> Vec<Case> {
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

/// Reads a copy with its format named; the records read, or the error.
fn outcome(format: Format, bytes: &[u8], origin: &str) -> Result<Contents, ImportError> {
    let mut records = read(format, bytes, origin);
    for record in records.by_ref() {
        record?;
    }
    records.finish(IfEmpty::Refuse).map(|d| d.contents)
}

/// Whether the error is clear: names the file, a position within the copy, and a kind
/// that says what is wrong with the file (not an I/O failure or a caller's mistake).
fn clear(err: &ImportError, origin: &str, copy: &[u8]) -> Result<(), String> {
    let text = err.to_string();
    if err.origin != origin || !text.contains(&format!("`{origin}`")) {
        return Err(format!("does not name the file: {text}"));
    }
    let lines = copy.iter().filter(|b| **b == b'\n').count() as u64 + 1;
    let len = copy.len() as u64;
    let within = match &err.location {
        Location::Line(n) | Location::Byte { line: n, .. } if *n == 0 || *n > lines => false,
        Location::Byte { offset, .. } | Location::Element { offset, .. } => *offset <= len,
        Location::Line(_) => true,
        Location::End { bytes, .. } => *bytes == len,
        Location::File | Location::Record(_) | Location::Content => false,
    };
    if !within {
        return Err(format!(
            "no position within the file ({:?}): {text}",
            err.location
        ));
    }
    match err.kind {
        ErrorKind::Io(_) | ErrorKind::Unread(_) | ErrorKind::WrongSource(_) => {
            Err(format!("not a fault of the file: {text}"))
        }
        _ => Ok(()),
    }
}

#[test]
fn every_faulty_copy_of_every_sample_is_refused_or_known_undetectable() {
    // `ACCORD_FAULTS_VERBOSE=1` prints every error, to review their wording.
    let verbose = std::env::var_os("ACCORD_FAULTS_VERBOSE").is_some();
    let (mut tried, mut refused, mut undetectable) = (0, 0, 0);
    let mut failures = Vec::new();
    let mut formats = std::collections::HashSet::new();
    for sample in samples() {
        let bytes = std::fs::read(&sample.path).unwrap();
        formats.insert(sample.format);
        let (mut n_refused, mut n_undetectable, mut notes) = (0, 0, Vec::new());
        let all = cases(&sample, &bytes);
        for case in &all {
            let origin = format!("{} ({})", sample.name, case.label);
            match (outcome(sample.format, &case.bytes, &origin), &case.expect) {
                (Err(err), Expect::Refused) => match clear(&err, &origin, &case.bytes) {
                    Ok(()) => {
                        n_refused += 1;
                        if verbose {
                            eprintln!("    {err}");
                        }
                    }
                    Err(why) => failures.push(why),
                },
                (Ok(Contents::Records(n)), Expect::Undetectable(expected, why))
                    if n == *expected =>
                {
                    n_undetectable += 1;
                    notes.push(format!("{}: {why}", case.label));
                }
                (got, expected) => {
                    failures.push(format!("{origin}: expected {expected:?}, got {got:?}"))
                }
            }
        }
        eprintln!(
            "{} ({}): {} tried, {n_refused} refused with a clear error, {n_undetectable} undetectable in the file",
            sample.name,
            sample.format,
            all.len()
        );
        for note in notes {
            eprintln!("    undetectable: {note}");
        }
        tried += all.len();
        refused += n_refused;
        undetectable += n_undetectable;
    }
    eprintln!(
        "faulty list copies: {tried} tried, {refused} refused with a clear error, {undetectable} undetectable in the file (left to the store's guard), {} wrong; {} of {} formats",
        failures.len(),
        formats.len(),
        Format::ALL.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    if super::samples().is_some() {
        assert_eq!(
            formats.len(),
            Format::ALL.len(),
            "every format has a sample"
        );
    }
}

#[test]
fn an_empty_file_is_its_own_outcome_and_accepted_only_when_asked() {
    for format in Format::ALL {
        for (bytes, emptiness) in [
            (&b""[..], Emptiness::NoContent),
            (&b"\xEF\xBB\xBF\n\n"[..], Emptiness::NoContent),
        ] {
            let mut records = read(format, bytes, "empty");
            assert!(records.next().is_none(), "{format}");
            let err = records.finish(IfEmpty::Refuse).unwrap_err();
            assert_eq!(err.kind, ErrorKind::Empty(emptiness), "{format}");
            assert!(err.to_string().contains("allows it explicitly"), "{err}");
            let mut records = read(format, bytes, "empty");
            let declared = records.finish(IfEmpty::Accept).unwrap();
            assert_eq!(declared.contents, Contents::Empty(emptiness), "{format}");
        }
    }
    // Detection, as `lists import` without `--format` and `lists update` use it: an empty
    // body is its own error, not an unknown format.
    let err = accord_lists::sniff(&b""[..], "body").err().unwrap();
    assert_eq!(err.kind, ErrorKind::Empty(Emptiness::NoContent));
    // White space longer than what detection reads is not known to be empty.
    let mut padded = vec![b' '; 20 * 1024];
    padded.extend_from_slice(b"{\"id\":\"a\",\"schema\":\"Person\",\"properties\":{}}\n");
    let err = accord_lists::sniff(padded.as_slice(), "padded")
        .err()
        .unwrap();
    assert!(matches!(err.kind, ErrorKind::UnknownFormat(_)), "{err}");
}

#[test]
fn a_header_only_file_is_empty_not_a_list() {
    let csl_header = "source,entity_number,type,programs,name,title,addresses,federal_register_notice,start_date,end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,source_information_url,ids\n";
    let frames: [(Format, &str); 5] = [
        (Format::UsCslCsv, csl_header),
        (Format::OfacCsv, "\x1a"),
        (
            Format::UnXml,
            "<CONSOLIDATED_LIST dateGenerated=\"2026-02-27T00:00:09.554Z\"><INDIVIDUALS/><ENTITIES/></CONSOLIDATED_LIST>",
        ),
        (
            Format::EuXml,
            "<export xmlns=\"http://eu.europa.ec/fpi/fsd/export\" generationDate=\"2026-08-05T16:47:04\"></export>\n",
        ),
        (
            Format::OfacXml,
            "<sdnList><publshInformation><Publish_Date>03/14/2026</Publish_Date><Record_Count>0</Record_Count></publshInformation></sdnList>",
        ),
    ];
    for (format, text) in frames {
        let mut records = read(format, text.as_bytes(), "frame");
        let err = records.finish(IfEmpty::Refuse).unwrap_err();
        assert_eq!(
            err.kind,
            ErrorKind::Empty(Emptiness::NoRecords),
            "{format}: {err}"
        );
        let declared = read(format, text.as_bytes(), "frame")
            .finish(IfEmpty::Accept)
            .unwrap();
        assert_eq!(declared.contents, Contents::Empty(Emptiness::NoRecords));
    }
}

#[test]
fn errors_name_the_place_a_copy_stops() {
    let sdn =
        "36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n";
    let cut = read(Format::OfacCsv, sdn.as_bytes(), "sdn.csv")
        .finish(IfEmpty::Refuse)
        .unwrap_err();
    assert_eq!(
        cut.to_string(),
        "`sdn.csv`, the end of the file (byte 81, line 1): the file is incomplete (it does not end with OFAC's end-of-file byte 0x1A, which ends every complete OFAC CSV file: it was cut, perhaps exactly at a row boundary, or is not OFAC's own file); download it again"
    );
    let zeroed = format!("{sdn}37,\"B\0\0\0");
    let err = read(Format::OfacCsv, zeroed.as_bytes(), "sdn.csv")
        .finish(IfEmpty::Refuse)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "`sdn.csv`, line 2 (byte 86): the file is damaged: byte 0x00, a control character no list file contains; download it again"
    );
    let fixture = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sdn_legacy.xml"),
    )
    .unwrap();
    let start = fixture.rfind("  <sdnEntry>").unwrap();
    let end = fixture.rfind("</sdnEntry>").unwrap() + "</sdnEntry>\n".len();
    let closed_early = format!("{}{}", &fixture[..start], &fixture[end..]);
    let err = read(Format::OfacXml, closed_early.as_bytes(), "SDN.XML")
        .finish(IfEmpty::Refuse)
        .unwrap_err();
    assert!(
        matches!(
            err.kind,
            ErrorKind::CountMismatch {
                declared: 3,
                found: 2,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string()
            .starts_with("`SDN.XML`, the end of the file (byte "),
        "{err}"
    );
}
