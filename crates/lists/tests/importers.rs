//! Importers against the real samples in `../shared/data/sanctions` (skipped, saying so,
//! when the folder is absent) and against our own small fixtures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use accord_lists::{Designation, ErrorKind, Format, Schema, read, sniff};

fn samples() -> Option<PathBuf> {
    let dir = std::env::var_os("ACCORD_SANCTIONS_DATA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/sanctions"),
        PathBuf::from,
    );
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: sanctions samples not found at {}", dir.display());
        None
    }
}

/// Reads a file, detecting its format, and returns its records.
fn import(path: &std::path::Path) -> (Format, Vec<Designation>) {
    let file = std::fs::File::open(path).unwrap();
    let origin = path.display().to_string();
    let (format, reader) = sniff(file, &origin).unwrap();
    let records = read(format, reader, &origin)
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|e| panic!("{e}"));
    (format, records)
}

fn ids(records: &[Designation]) -> BTreeSet<&str> {
    records.iter().map(|d| d.source_id.as_str()).collect()
}

fn schemas(records: &[Designation]) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for d in records {
        *counts
            .entry(d.schema.map_or("none", Schema::as_str))
            .or_default() += 1;
    }
    counts
}

#[test]
fn every_sample_reads_with_the_documented_record_count() {
    let Some(dir) = samples() else { return };
    // (file, format, records yielded, distinct identifiers)
    let cases: [(&str, Format, usize, usize); 14] = [
        ("un_sc/UN_consolidated.xml", Format::UnXml, 1003, 1003),
        ("ofac_sdn_csv/sdn.csv", Format::OfacCsv, 8976, 8976),
        ("ofac_sdn_csv/add.csv", Format::OfacCsvAddresses, 13837, 0),
        ("ofac_sdn_csv/alt.csv", Format::OfacCsvAliases, 11910, 0),
        (
            "ofac_sdn_csv/sdn_comments.csv",
            Format::OfacCsvComments,
            5,
            5,
        ),
        ("ofac_cons_csv/cons_prim.csv", Format::OfacCsv, 442, 442),
        ("us_csl/csl.csv", Format::UsCslCsv, 115, 0),
        ("us_bis_dpl/dpl.txt", Format::BisDplTsv, 546, 0),
        ("opensanctions_ftm/entities.ftm.json", Format::FtmJson, 7, 7),
        (
            "uk_ofsi/sanctionsconlist.csv",
            Format::UkOfsiCsv,
            9487,
            2106,
        ),
        ("eu_fsf/EUSanctionsShort.csv", Format::EuCsv, 999, 93),
        ("eu_fsf/sample_eu_fsf.xml", Format::EuXml, 5, 5),
        ("uk_fcdo/sample_uk_sanctions.xml", Format::UkFcdoXml, 5, 5),
        (
            "ofac_advanced_xml/sample_sdn_advanced.xml",
            Format::OfacAdvancedXml,
            8,
            4,
        ),
    ];
    for (file, expected_format, n_records, n_ids) in cases {
        let (format, records) = import(&dir.join(file));
        assert_eq!(format, expected_format, "{file}");
        assert_eq!(records.len(), n_records, "{file}");
        if n_ids > 0 {
            assert_eq!(ids(&records).len(), n_ids, "{file}");
        }
        eprintln!(
            "{file}: {} records, {} ids",
            records.len(),
            ids(&records).len()
        );
    }
}

#[test]
fn un_sample_keeps_the_publishers_facts() {
    let Some(dir) = samples() else { return };
    let (_, records) = import(&dir.join("un_sc/UN_consolidated.xml"));
    let counts = schemas(&records);
    assert_eq!(counts.get("person"), Some(&730));
    assert_eq!(counts.get("organization"), Some(&273));
    let badege = records.iter().find(|d| d.source_id == "CDi.001").unwrap();
    assert_eq!(badege.caption(), "ERIC BADEGE");
    assert_eq!(badege.programmes, ["DRC"]);
    assert_eq!(badege.listed_on.unwrap().to_string(), "2012-12-31");
    assert_eq!(badege.birth_dates[0].date.to_string(), "1971");
    assert!(badege.remarks[0].starts_with("He fled to Rwanda"));
    // Empty placeholder aliases are skipped.
    assert_eq!(badege.names.len(), 1);
}

#[test]
fn ofac_csv_quirks_are_tolerated() {
    let Some(dir) = samples() else { return };
    let (_, records) = import(&dir.join("ofac_sdn_csv/sdn.csv"));
    let first = &records[0];
    assert_eq!(first.source_id, "36");
    assert_eq!(first.caption(), "AEROCARIBBEAN AIRLINES");
    assert_eq!(first.schema, Some(Schema::Organization));
    assert_eq!(first.programmes, ["CUBA"]);
    assert!(first.remarks.is_empty(), "`-0- ` must read as empty");
    let multi = records.iter().find(|d| d.programmes.len() > 1).unwrap();
    assert!(
        multi.programmes.iter().all(|p| !p.contains(']')),
        "{:?}",
        multi.programmes
    );
}

#[test]
fn ofsi_sample_decodes_windows_1252() {
    let Some(dir) = samples() else { return };
    let (format, records) = import(&dir.join("uk_ofsi/sanctionsconlist.csv"));
    assert_eq!(format, Format::UkOfsiCsv);
    let text: String = records
        .iter()
        .flat_map(|d| d.remarks.iter())
        .cloned()
        .collect();
    assert!(
        text.contains('\u{2019}'),
        "0x92 must decode to a right single quote"
    );
    assert!(!text.contains('\u{FFFD}'));
}

#[test]
fn truncated_samples_fail_with_the_file_named() {
    let Some(dir) = samples() else { return };
    for file in [
        "un_sc/UN_consolidated.xml",
        "ofac_sdn_csv/sdn.csv",
        "uk_ofsi/sanctionsconlist.csv",
        "eu_fsf/sample_eu_fsf.xml",
        "uk_fcdo/sample_uk_sanctions.xml",
        "ofac_advanced_xml/sample_sdn_advanced.xml",
        "us_csl/csl.csv",
        "us_bis_dpl/dpl.txt",
        "opensanctions_ftm/entities.ftm.json",
        "eu_fsf/EUSanctionsShort.csv",
    ] {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        for cut in [bytes.len() * 2 / 3, bytes.len() - 7] {
            let truncated = &bytes[..cut];
            let (format, reader) = sniff(truncated, file).unwrap();
            let result: Result<Vec<_>, _> = read(format, reader, file).collect();
            let err = result.expect_err(&format!("{file} cut at {cut} must fail"));
            assert_eq!(err.origin, file);
            assert!(err.to_string().contains(file), "{err}");
        }
    }
}

#[test]
fn a_byte_order_mark_changes_nothing() {
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files = vec![
        fixtures.join("sdn_legacy.xml"),
        fixtures.join("ofsi_2022.csv"),
    ];
    if let Some(dir) = samples() {
        for file in [
            "un_sc/UN_consolidated.xml",
            "ofac_sdn_csv/sdn_comments.csv",
            "ofac_cons_csv/cons_prim.csv",
            "us_csl/csl.csv",
            "us_bis_dpl/dpl.txt",
            "opensanctions_ftm/entities.ftm.json",
            "eu_fsf/EUSanctionsShort.csv",
            "eu_fsf/sample_eu_fsf.xml",
            "uk_fcdo/sample_uk_sanctions.xml",
            "ofac_advanced_xml/sample_sdn_advanced.xml",
        ] {
            files.push(dir.join(file));
        }
    }
    for path in files {
        let origin = path.display().to_string();
        let plain = std::fs::read(&path).unwrap();
        let mut marked = b"\xEF\xBB\xBF".to_vec();
        marked.extend_from_slice(&plain);
        let (format, reader) = sniff(marked.as_slice(), &origin).unwrap();
        let mut records = read(format, reader, &origin);
        let with_mark: Vec<_> = records
            .by_ref()
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{e}"));
        let declared = records.finish(accord_lists::IfEmpty::Refuse).unwrap();
        let (_, without) = import(&path);
        assert_eq!(with_mark, without, "{origin}");
        assert_eq!(declared.n_records(), without.len() as u64);
    }
}

#[test]
fn fixtures_read() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let (format, records) = import(&dir.join("sdn_legacy.xml"));
    assert_eq!(format, Format::OfacXml);
    assert_eq!(records.len(), 3);
    let vessel = records
        .iter()
        .find(|d| d.schema == Some(Schema::Vessel))
        .unwrap();
    assert!(
        vessel
            .identifiers
            .iter()
            .any(|i| i.kind == "imo" && i.value == "9123456")
    );
    let person = records.iter().find(|d| d.source_id == "10001").unwrap();
    assert_eq!(person.caption(), "ROE, Jane");
    assert_eq!(person.birth_dates[0].date.to_string(), "1960-04-14");
    assert_eq!(person.programmes, ["IRGC", "SDGT"]);
}

#[test]
fn unknown_format_and_wrong_encoding_are_named() {
    let err = sniff(&b"hello, world\n"[..], "notes.txt").err().unwrap();
    assert!(matches!(err.kind, ErrorKind::UnknownFormat(_)));
    assert!(err.to_string().contains("`notes.txt`"), "{err}");
    assert!(err.to_string().contains("name the format"), "{err}");
    let err = sniff(&b"\xFF\xFE<\x00"[..], "u16.xml").err().unwrap();
    assert!(matches!(err.kind, ErrorKind::Encoding(_)), "{err}");
}

#[test]
fn a_row_with_the_wrong_number_of_fields_names_its_line() {
    let csv = "36,\"A\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n37,\"B\",-0-\r\n";
    let err = read(Format::OfacCsv, csv.as_bytes(), "sdn.csv")
        .collect::<Result<Vec<_>, _>>()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "`sdn.csv`, line 2: 3 fields where an OFAC primary row has 12"
    );
}

#[test]
fn over_long_records_are_refused() {
    let mut line =
        String::from("{\"id\":\"x\",\"schema\":\"Person\",\"properties\":{\"notes\":[\"");
    line.push_str(&"a".repeat(accord_lists::MAX_RECORD_BYTES + 10));
    line.push_str("\"]}}\n");
    let err = read(Format::FtmJson, line.as_bytes(), "big.json")
        .next()
        .unwrap()
        .unwrap_err();
    assert!(matches!(err.kind, ErrorKind::TooLarge(_)), "{err}");
}

#[test]
fn over_long_rows_are_refused_before_they_are_buffered() {
    let mut csv = String::from("36,\"");
    csv.push_str(&"a".repeat(accord_lists::MAX_RECORD_BYTES + 100_000));
    csv.push_str("\",-0- \r\n");
    let err = read(Format::OfacCsv, csv.as_bytes(), "sdn.csv")
        .next()
        .unwrap()
        .unwrap_err();
    assert!(matches!(err.kind, ErrorKind::TooLarge(_)), "{err}");
}

#[test]
fn after_an_error_nothing_more_is_yielded() {
    let text = "{\"id\":\"a\",\"schema\":\"Person\",\"properties\":{}}\nnot json\n{\"id\":\"b\",\"schema\":\"Person\",\"properties\":{}}\n";
    let items: Vec<_> = read(Format::FtmJson, text.as_bytes(), "e.json").collect();
    assert_eq!(items.len(), 2);
    assert!(items[1].is_err());
}

mod never_panic {
    //! A stable-toolchain stand-in for the cargo-fuzz targets in `fuzz/`: random bytes and
    //! random mutations of valid files never make an importer panic or loop.
    use accord_lists::{Format, read};
    use proptest::prelude::*;

    fn seeds() -> Vec<(Format, Vec<u8>)> {
        let fixture = std::fs::read(
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/sdn_legacy.xml"),
        )
        .unwrap();
        vec![
            (Format::OfacXml, fixture),
            (Format::OfacCsv, b"36,\"A\",-0- ,\"CUBA] [X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 1 Jan 1960; POB X.\"\r\n\x1a".to_vec()),
            (Format::FtmJson, b"{\"id\":\"a\",\"schema\":\"Person\",\"properties\":{\"name\":[\"A\"],\"birthDate\":[\"1960\"]}}\n".to_vec()),
            (Format::UnXml, b"<CONSOLIDATED_LIST dateGenerated=\"2026-01-01\"><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>A</FIRST_NAME><REFERENCE_NUMBER>X.1</REFERENCE_NUMBER><INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1950</FROM_YEAR><TO_YEAR>1955</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>".to_vec()),
            (Format::UkOfsiCsv, b"Last Updated,13/04/2018\nName 6,Name 1,Name 2,Name 3,Name 4,Name 5,Title,DOB,Town of Birth,Country of Birth,Nationality,Passport Details,NI Number,Position,Address 1,Address 2,Address 3,Address 4,Address 5,Address 6,Post/Zip Code,Country,Other Information,Group Type,Alias Type,Regime,Listed On,Last Updated,Group ID\nROE,Jane,,,,,,00/00/1980,,,,,,,,,,,,,,,,Individual,Prime Alias,X,01/04/2016,01/04/2016,1\n".to_vec()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn random_bytes(format_index in 0usize..14, data in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let format = Format::ALL[format_index];
            let mut records = read(format, data.as_slice(), "fuzz");
            for record in records.by_ref().take(10_000) {
                if record.is_err() { break; }
            }
            let _ = records.finish(accord_lists::IfEmpty::Accept);
            let _ = accord_lists::detect(&data, "fuzz");
        }

        #[test]
        fn mutated_files(seed in 0usize..5, cuts in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
            let (format, mut data) = seeds().swap_remove(seed);
            for (at, byte) in cuts {
                let i = at.index(data.len());
                data[i] = byte;
            }
            let mut records = read(format, data.as_slice(), "fuzz");
            for record in records.by_ref().take(10_000) {
                if record.is_err() { break; }
            }
            let _ = records.finish(accord_lists::IfEmpty::Accept);
        }
    }
}

#[test]
fn xml_samples_keep_programmes_dates_and_kinds() {
    let Some(dir) = samples() else { return };
    // OFAC Advanced: a party and its sanctions entry are two fragments of one identifier.
    let (_, records) = import(&dir.join("ofac_advanced_xml/sample_sdn_advanced.xml"));
    let mut merged: BTreeMap<String, Designation> = BTreeMap::new();
    for d in records {
        match merged.get_mut(&d.source_id) {
            Some(m) => m.absorb(d),
            None => {
                merged.insert(d.source_id.clone(), d);
            }
        }
    }
    let airline = &merged["36"];
    assert_eq!(airline.caption(), "AEROCARIBBEAN AIRLINES");
    assert_eq!(airline.programmes, ["CUBA"]);
    assert_eq!(airline.listed_on.unwrap().to_string(), "1986-12-10");
    assert_eq!(merged["2677"].schema, Some(Schema::Person));
    assert_eq!(merged["4238"].schema, Some(Schema::Vessel));
    assert_eq!(merged["15432"].schema, Some(Schema::Aircraft));
    assert!(merged["2677"].names.iter().any(|n| n.script == "Arab"));

    let (format, records) = import(&dir.join("eu_fsf/sample_eu_fsf.xml"));
    assert_eq!(format, Format::EuXml);
    let first = records.iter().find(|d| d.source_id == "191").unwrap();
    assert_eq!(first.programmes, ["TERR"]);
    assert!(
        first
            .identifiers
            .iter()
            .any(|i| i.kind == "eu_reference" && i.value == "EU.3579.2")
    );
    assert!(
        first
            .birth_dates
            .iter()
            .any(|b| b.date.to_string() == "1965-04-14")
    );
    assert_eq!(
        records
            .iter()
            .find(|d| d.source_id == "521")
            .unwrap()
            .listed_on
            .unwrap()
            .to_string(),
        "2001-01-25"
    );

    let (_, records) = import(&dir.join("uk_fcdo/sample_uk_sanctions.xml"));
    let first = records.iter().find(|d| d.source_id == "AFG0001").unwrap();
    assert_eq!(first.caption(), "HAJI KHAIRULLAH MONEY EXCHANGE");
    assert_eq!(first.measures, ["Asset freeze"]);
    assert_eq!(first.listed_on.unwrap().to_string(), "2012-06-29");
    let ship = records
        .iter()
        .find(|d| d.schema == Some(Schema::Vessel))
        .unwrap();
    assert!(
        ship.identifiers
            .iter()
            .any(|i| i.kind == "imo" && i.value == "9562233")
    );
}

#[test]
fn ofsi_2022_layout_reads_by_header_name() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let (format, records) = import(&dir.join("ofsi_2022.csv"));
    assert_eq!(format, Format::UkOfsiCsv);
    assert_eq!(records.len(), 3);
    assert_eq!(ids(&records).len(), 2);
    let mut jane = records[0].clone();
    jane.absorb(records[1].clone());
    jane.normalize();
    assert_eq!(jane.caption(), "Jane EXAMPLE");
    assert!(jane.names.iter().any(|n| n.script == "Cyrl"));
    assert!(
        jane.names
            .iter()
            .any(|n| n.full == "Janet EXAMPLE" && n.kind == accord_lists::NameKind::WeakAlias)
    );
    assert!(
        jane.identifiers
            .iter()
            .any(|i| i.kind == "passport" && i.value == "X1234567")
    );
    assert_eq!(jane.listed_on.unwrap().to_string(), "2022-03-15");
    assert_eq!(records[2].schema, Some(Schema::Organization));
    // A header of neither layout is refused.
    let other = "Last Updated,03/06/2026\nName 6,Name 1,Group ID\nA,B,1\n";
    let err = read(Format::UkOfsiCsv, other.as_bytes(), "x.csv")
        .next()
        .unwrap()
        .unwrap_err();
    assert!(err.to_string().contains("unexpected header"), "{err}");
}

#[path = "importers/faults.rs"]
mod faults;

#[path = "importers/cuts.rs"]
mod cuts;

#[path = "importers/declared.rs"]
mod declared;
