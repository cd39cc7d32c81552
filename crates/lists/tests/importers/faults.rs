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

use std::path::Path;

use accord_lists::{Contents, Emptiness, ErrorKind, Format, IfEmpty, ImportError, Location, read};

use crate::cuts::{Expect, cases, samples};

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
