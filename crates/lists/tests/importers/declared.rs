//! What each sample declares about itself, and the check that a file belongs to the source
//! it is imported under.

use std::path::Path;

use accord_lists::{
    Contents, Declared, ErrorKind, Format, IfEmpty, KNOWN_SOURCES, PartialDate, Publisher,
    SourceMismatch, check_import, known_source, read, sniff,
};

fn declared(path: &Path) -> Declared {
    let origin = path.display().to_string();
    let (format, reader) = sniff(std::fs::File::open(path).unwrap(), &origin).unwrap();
    let mut records = read(format, reader, &origin);
    for record in records.by_ref() {
        record.unwrap();
    }
    records.finish(IfEmpty::Refuse).unwrap()
}

fn date(s: &str) -> Option<PartialDate> {
    PartialDate::parse_iso(s)
}

#[test]
fn every_sample_declares_its_date_count_and_lists() {
    let fixture =
        declared(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sdn_legacy.xml"));
    assert_eq!(fixture.published, date("2026-03-14"));
    assert_eq!(fixture.declared_records, Some(3));
    assert_eq!(fixture.contents, Contents::Records(3));

    let Some(dir) = super::samples() else { return };
    // (file, publication date, lists named)
    let cases: [(&str, Option<&str>, &[&str]); 14] = [
        ("un_sc/UN_consolidated.xml", Some("2026-02-27"), &[]),
        ("ofac_sdn_csv/sdn.csv", None, &[]),
        ("ofac_sdn_csv/add.csv", None, &[]),
        ("ofac_sdn_csv/alt.csv", None, &[]),
        ("ofac_sdn_csv/sdn_comments.csv", None, &[]),
        ("ofac_cons_csv/cons_prim.csv", None, &[]),
        (
            "us_csl/csl.csv",
            None,
            &[
                "Capta List (CAP) - Treasury Department",
                "Denied Persons List (DPL) - Bureau of Industry and Security",
                "Entity List (EL) - Bureau of Industry and Security",
                "ITAR Debarred (DTC) - State Department",
                "Nonproliferation Sanctions (ISN) - State Department",
                "Palestinian Legislative Council List (PLC) - Treasury Department",
                "Sectoral Sanctions Identifications List (SSI) - Treasury Department",
                "Specially Designated Nationals (SDN) - Treasury Department",
                "Unverified List (UVL) - Bureau of Industry and Security",
            ],
        ),
        ("us_bis_dpl/dpl.txt", None, &[]),
        ("opensanctions_ftm/entities.ftm.json", None, &["eu_fsf"]),
        ("uk_ofsi/sanctionsconlist.csv", Some("2018-04-13"), &[]),
        ("eu_fsf/EUSanctionsShort.csv", Some("2018-07-04"), &[]),
        ("eu_fsf/sample_eu_fsf.xml", Some("2026-08-05"), &[]),
        ("uk_fcdo/sample_uk_sanctions.xml", Some("2026-09-10"), &[]),
        (
            "ofac_advanced_xml/sample_sdn_advanced.xml",
            Some("2026-09-09"),
            &["SDN List"],
        ),
    ];
    for (file, published, lists) in cases {
        let d = declared(&dir.join(file));
        assert_eq!(d.published, published.and_then(date), "{file}");
        let named: Vec<&str> = d.lists.iter().map(String::as_str).collect();
        assert_eq!(named, lists, "{file}");
        assert!(d.n_records() > 0, "{file}");
        assert_eq!(d.declared_records, None, "{file}");
        // Every sample belongs to the source its format and name give it by default.
        let source = d.format.default_source(file);
        check_import(source, &[], std::slice::from_ref(&d))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
    }
}

#[test]
fn a_file_imported_under_another_publishers_source_is_refused() {
    let Some(dir) = super::samples() else { return };
    let csl = declared(&dir.join("us_csl/csl.csv"));
    let err = check_import("un-sc", &[], std::slice::from_ref(&csl)).unwrap_err();
    assert_eq!(err.origin, csl.origin);
    assert!(
        matches!(
            &err.kind,
            ErrorKind::WrongSource(m) if matches!(**m, SourceMismatch::Format {
                format: Format::UsCslCsv,
                expected: Publisher::UnSecurityCouncil,
                suggested: "us-csl",
                ..
            })
        ),
        "{err}"
    );
    assert!(
        err.to_string().ends_with(
            "its content: a `us-csl-csv` file (published by trade.gov (US Consolidated Screening List)) cannot be imported under `un-sc`, which is published by the UN Security Council as `un-xml`; import it under `us-csl` (the default for this file) or a source of its own"
        ),
        "{err}"
    );

    let un = declared(&dir.join("un_sc/UN_consolidated.xml"));
    assert!(check_import("un-sc", &[], std::slice::from_ref(&un)).is_ok());
    for source in ["eu-fsf", "ofac-sdn", "uk-ofsi", "us-csl", "opensanctions"] {
        assert!(
            check_import(source, &[], std::slice::from_ref(&un)).is_err(),
            "{source}"
        );
    }
    let ftm = declared(&dir.join("opensanctions_ftm/entities.ftm.json"));
    assert!(check_import("eu-fsf", &[], std::slice::from_ref(&ftm)).is_err());
    assert!(check_import("opensanctions", &[], &[ftm]).is_ok());
}

#[test]
fn the_sdn_and_the_consolidated_list_are_told_apart_where_the_file_names_them() {
    let Some(dir) = super::samples() else { return };
    let advanced = declared(&dir.join("ofac_advanced_xml/sample_sdn_advanced.xml"));
    assert!(check_import("ofac-sdn", &[], std::slice::from_ref(&advanced)).is_ok());
    let err = check_import("ofac-cons", &[], &[advanced]).unwrap_err();
    assert!(
        err.to_string().contains(
            "the file names the list `SDN List`, which is not part of `ofac-cons`; this is the SDN list: import it under `ofac-sdn`"
        ),
        "{err}"
    );
    // The legacy CSV names no list: either OFAC source takes it.
    let cons = declared(&dir.join("ofac_cons_csv/cons_prim.csv"));
    assert!(check_import("ofac-cons", &[], std::slice::from_ref(&cons)).is_ok());
    assert!(check_import("ofac-sdn", &[], &[cons]).is_ok());
}

#[test]
fn a_source_of_the_users_own_keeps_the_publisher_of_its_previous_import() {
    let Some(dir) = super::samples() else { return };
    let un = declared(&dir.join("un_sc/UN_consolidated.xml"));
    let csl = declared(&dir.join("us_csl/csl.csv"));
    let sdn = declared(&dir.join("ofac_sdn_csv/sdn.csv"));
    let advanced = declared(&dir.join("ofac_advanced_xml/sample_sdn_advanced.xml"));
    // The first import of a source of one's own sets its publisher.
    assert!(check_import("my-list", &[], std::slice::from_ref(&csl)).is_ok());
    let err = check_import("my-list", &[Format::UnXml], &[csl]).unwrap_err();
    assert!(
        matches!(
            &err.kind,
            ErrorKind::WrongSource(m) if matches!(**m, SourceMismatch::Publisher {
                previous: Publisher::UnSecurityCouncil,
                ..
            })
        ),
        "{err}"
    );
    assert!(check_import("my-list", &[Format::UnXml], std::slice::from_ref(&un)).is_ok());
    // Another format of the same publisher is the same list, identified alike.
    assert!(
        check_import(
            "my-ofac",
            &[Format::OfacCsv, Format::OfacCsvAliases],
            &[advanced]
        )
        .is_ok()
    );
    // One import, one publisher.
    let err = check_import("my-list", &[], &[sdn, un]).unwrap_err();
    assert!(
        matches!(
            &err.kind,
            ErrorKind::WrongSource(m) if matches!(**m, SourceMismatch::Mixed { .. })
        ),
        "{err}"
    );
}

#[test]
fn every_format_has_a_known_default_source_that_takes_it() {
    for format in Format::ALL {
        for file in ["list", "cons_prim.csv"] {
            let source = known_source(format.default_source(file)).unwrap();
            assert!(source.formats.contains(&format), "{format} {file}");
            assert_eq!(source.publisher, format.publisher(), "{format}");
        }
    }
    // And every known source is some format's default.
    for source in KNOWN_SOURCES {
        assert!(
            Format::ALL
                .iter()
                .any(|f| f.default_source("list") == source.name
                    || f.default_source("cons.csv") == source.name),
            "{}",
            source.name
        );
    }
}

#[test]
fn content_of_another_format_is_refused_for_the_format_named() {
    let csl = "source,entity_number,type,programs,name,title,addresses,federal_register_notice,start_date,end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,source_information_url,ids\n";
    let cases: [(Format, &str, &str); 4] = [
        (Format::UnXml, csl, "its content is a `us-csl-csv` file"),
        (
            Format::OfacCsv,
            "36,25,-0- ,\"Havana\",\"Cuba\",-0- \r\n\x1a",
            "its content is a `ofac-csv-add` file",
        ),
        (
            Format::UnXml,
            "<export generationDate=\"2026-01-01\"></export>",
            "its content is a `eu-xml` file",
        ),
        (
            Format::UnXml,
            "<?xml version=\"1.0\"?>\n<list><item/></list>",
            "its root element is `list`, not `CONSOLIDATED_LIST`",
        ),
    ];
    for (format, text, found) in cases {
        let err = read(format, text.as_bytes(), "f")
            .finish(IfEmpty::Refuse)
            .unwrap_err();
        assert!(
            matches!(err.kind, ErrorKind::NotFormat { .. }),
            "{format}: {err}"
        );
        assert!(err.to_string().contains(found), "{err}");
        assert!(err.to_string().starts_with("`f`, "), "{err}");
    }
}

#[test]
fn a_file_not_read_to_its_end_has_no_outcome() {
    let text = "{\"id\":\"a\",\"schema\":\"Person\",\"properties\":{}}\n{\"id\":\"b\",\"schema\":\"Person\",\"properties\":{}}\n";
    let mut records = read(Format::FtmJson, text.as_bytes(), "e.json");
    records.next().unwrap().unwrap();
    let err = records.finish(IfEmpty::Refuse).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unread(1));
    // An error that ended the file is the outcome.
    let mut records = read(Format::FtmJson, &b"{\"id\":"[..], "cut.json");
    assert!(records.next().unwrap().is_err());
    let err = records.finish(IfEmpty::Accept).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Truncated(_)), "{err}");
}
