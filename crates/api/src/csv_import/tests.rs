use super::*;

fn catalogue() -> Vec<IndicatorDef> {
    rops_store::reference::parse(rops_store::reference::SAMPLE_REGION)
        .unwrap()
        .indicators
}

fn csv(text: &[u8]) -> Result<Parsed, FieldErrors> {
    parse(
        text,
        Source::Csv { encoding: None },
        Stream::Owes,
        &catalogue(),
    )
}

fn fields(r: Result<Parsed, FieldErrors>) -> Vec<String> {
    r.unwrap_err()
        .into_vec()
        .into_iter()
        .map(|e| e.field)
        .collect()
}

#[test]
fn long_and_wide_with_either_separator_and_a_bom() {
    let long = "\u{feff}period,indicator,value\n2024-Q1,jobs_created,4\n2024-Q1,enterprises_created,1\n2024-Q2,jobs_created,2\n";
    let p = csv(long.as_bytes()).unwrap();
    let b = p.batches;
    assert_eq!(b.len(), 2);
    assert!(p.warnings.is_empty());
    assert_eq!(b[0].values["jobs_created"], Some(Decimal::from_u64(4)));
    assert_eq!(b[0].origin["enterprises_created"], (3, "value".to_owned()));
    let wide = "period;jobs_created;enterprises_created\r\n2024-Q1;4;1\r\n2024-Q2;2,0;\r\n";
    let b = csv(wide.as_bytes()).unwrap().batches;
    assert_eq!(
        b[1].values.get("enterprises_created"),
        None,
        "an empty cell leaves the value alone"
    );
    assert_eq!(b[1].values["jobs_created"], Some(Decimal::from_u64(2)));
    assert_eq!(b[1].origin["jobs_created"], (3, "jobs_created".to_owned()));
}

#[test]
fn names_every_bad_line_and_column() {
    let bad = "period,jobs_created,enterprises_created\n2024-Q1,4,x\n2024-Q5,1,1\n2024-Q2,1\n";
    assert_eq!(
        fields(csv(bad.as_bytes())),
        ["rows[2].enterprises_created", "rows[3].period", "rows[4]"]
    );
    assert_eq!(fields(csv(b"a,b\n1,2\n")), ["rows[1]"]);
    assert_eq!(fields(csv(b"period,indicator,value\n")), ["file"]);
    assert_eq!(fields(csv(b"")), ["file"]);
    let twice = "period,indicator,value\n2024-Q1,jobs_created,1\n2024-Q1,jobs_created,2\n";
    assert_eq!(fields(csv(twice.as_bytes())), ["rows[3].value"]);
}

#[test]
fn an_unknown_indicator_is_blamed_on_its_column_and_named() {
    let bad = "period,indicator,value\n2024-Q1,jobs_created,1\n2024-Q1,bogus,2\n2024-Q7,bogus,x\n";
    let errors = csv(bad.as_bytes()).unwrap_err().into_vec();
    let got: Vec<(&str, &str)> = errors
        .iter()
        .map(|e| (e.field.as_str(), e.message.as_str()))
        .collect();
    assert_eq!(got[0].0, "rows[3].indicator");
    assert!(
        got[0]
            .1
            .starts_with("line 3, indicator: unknown indicator `bogus`;"),
        "{got:?}"
    );
    assert_eq!(
        got[1..].iter().map(|g| g.0).collect::<Vec<_>>(),
        ["rows[4].period", "rows[4].indicator", "rows[4].value"],
        "every cell of a line is checked"
    );
}

#[test]
fn windows_1250_with_semicolons_crlf_and_polish_numbers() {
    // `okres;wskaźnik;wartość;;` as Polish Excel saves it: ź is 0x9F, ś 0x9C, ć 0xE6.
    let mut bytes = b"okres;wska\x9Fnik;warto\x9C\xE6;;\r\n".to_vec();
    bytes.extend_from_slice(b"2024-Q1;jobs_created;1\xA0250,00;;\r\n");
    bytes.extend_from_slice(b"2024-Q1;animators_employed;\"2\";;\r\n;;;;\r\n;;;;\r\n");
    let p = csv(&bytes).unwrap();
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    assert_eq!(
        p.batches[0].values["jobs_created"],
        Some(Decimal::from_u64(1250))
    );
    assert_eq!(
        p.batches[0].values["animators_employed"],
        Some(Decimal::from_u64(2))
    );
    let declared = parse(
        "period;indicator;value\n2024-Q1;jobs_created;4\n".as_bytes(),
        Source::Csv {
            encoding: encoding(Some("cp1250")).unwrap(),
        },
        Stream::Owes,
        &catalogue(),
    );
    assert_eq!(declared.unwrap().batches.len(), 1);
    assert!(encoding(Some("windows-1250")).unwrap().is_some());
    assert!(encoding(Some("UTF-8")).unwrap().is_none());
    assert!(encoding(Some("koi8-r")).is_err());
}

#[test]
fn numbers_as_spreadsheets_write_them() {
    for (cell, want) in [
        ("1 250,00", Some("1250.00")),
        ("1\u{a0}250,5", Some("1250.5")),
        ("12\u{202f}345\u{202f}678", Some("12345678")),
        ("-1 250", Some("-1250")),
        ("4,00", Some("4.00")),
        ("1250.5", Some("1250.5")),
        ("1.25e3", Some("1.25e3")),
        ("12 50", None),
        ("1,250.5", None),
        ("1,2,3", None),
        ("1 250,5 0", None),
    ] {
        assert_eq!(number_text(cell).as_deref(), want, "{cell}");
    }
    let quoted = "period,indicator,value\n2024-Q1,jobs_created,\"4,00\"\n";
    assert_eq!(
        csv(quoted.as_bytes()).unwrap().batches[0].values["jobs_created"],
        Some(Decimal::from_u64(4))
    );
}

#[test]
fn descriptive_columns_are_ignored_with_a_warning_and_the_name_without() {
    let long = "period;indicator;value;nazwa wskaźnika;uwagi\n2024-Q1;jobs_created;4;Liczba miejsc pracy;ok\n";
    let p = csv(long.as_bytes()).unwrap();
    let warned: Vec<&str> = p.warnings.iter().map(|w| w.field.as_str()).collect();
    assert_eq!(warned, ["rows[1].uwagi"]);
    let wide = "Nazwa;period;jobs_created;jobs_creatd\nx;2024-Q1;4;5\n";
    let p = csv(wide.as_bytes()).unwrap();
    let warned: Vec<&str> = p.warnings.iter().map(|w| w.field.as_str()).collect();
    assert_eq!(warned, ["rows[1].Nazwa", "rows[1].jobs_creatd"]);
    assert_eq!(p.batches[0].values.len(), 1);
    assert_eq!(
        fields(csv(b"period,jobs_creatd\n2024-Q1,4\n")),
        ["rows[1].jobs_creatd"],
        "a header without a single indicator is refused"
    );
    let stray = "period,,indicator,value,\n2024-Q1,,jobs_created,4,\n2024-Q2,x,jobs_created,4,\n2024-Q3,y,jobs_created,4,\n";
    let p = csv(stray.as_bytes()).unwrap();
    assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    assert_eq!(p.warnings[0].field, "rows[3]");
    assert!(
        p.warnings[0].message.contains("column B"),
        "{:?}",
        p.warnings
    );
    // A cell beyond the header is an error: `1,5` unquoted is two cells, not 1.5.
    let shifted = "period,indicator,value\n2024-Q1,jobs_created,1,5\n";
    assert_eq!(fields(csv(shifted.as_bytes())), ["rows[2]"]);
}

#[test]
fn xlsx_cells_are_numbers_or_text_read_like_csv() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["period", "indicator", "value"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "2024-Q1").unwrap();
    sheet.write_string(1, 1, "jobs_created").unwrap();
    sheet.write_number(1, 2, 4.0).unwrap();
    sheet.write_string(2, 0, "2024-Q1").unwrap();
    sheet.write_string(2, 1, "reintegration_plans").unwrap();
    sheet.write_string(2, 2, "1 250,00").unwrap();
    sheet.write_string(4, 0, "2024-Q1").unwrap();
    sheet.write_string(4, 1, "animators_employed").unwrap();
    sheet.write_number(4, 2, 0.1 + 0.2).unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let p = parse(&bytes, Source::Xlsx, Stream::Owes, &catalogue()).unwrap();
    let v = &p.batches[0].values;
    assert_eq!(
        v["jobs_created"],
        Some(Decimal::from_u64(4)),
        "4.0 is the count 4"
    );
    assert_eq!(v["reintegration_plans"], Some(Decimal::from_u64(1250)));
    assert_eq!(
        v["animators_employed"],
        Some(Decimal::parse("0.30000000000000004").unwrap()),
        "a float is read via its shortest text, exactly"
    );
    assert_eq!(
        p.batches[0].origin["animators_employed"],
        (5, "value".to_owned()),
        "the sheet's row number"
    );
    sheet_with_bad_cell_names_its_row();
    assert_eq!(
        fields(parse(
            b"PK\x03\x04 not a zip",
            Source::Xlsx,
            Stream::Owes,
            &catalogue()
        )),
        ["file"]
    );
}

fn sheet_with_bad_cell_names_its_row() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["period", "jobs_created"].iter().enumerate() {
        sheet.write_string(2, c as u16 + 1, *h).unwrap();
    }
    sheet.write_string(3, 1, "2024-Q1").unwrap();
    sheet.write_boolean(3, 2, true).unwrap();
    sheet.write_string(4, 1, "2024-Q2").unwrap();
    sheet.write_number(4, 2, 1250.5).unwrap();
    sheet.write_number(4, 4, 1.0).unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let errors = parse(&bytes, Source::Xlsx, Stream::Owes, &catalogue())
        .unwrap_err()
        .into_vec();
    let got: Vec<(&str, &str)> = errors
        .iter()
        .map(|e| (e.field.as_str(), e.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "rows[4].jobs_created",
                "line 4, jobs_created: `TRUE` is not a number"
            ),
            ("rows[5]", "line 5: has 5 cells; the header has 3"),
        ]
    );
}

#[test]
fn the_template_reads_back() {
    let cat = catalogue();
    let csv_bytes = template_csv(&cat, Stream::Owes, Some("2024-Q1")).unwrap();
    let text = String::from_utf8(csv_bytes).unwrap();
    assert!(text.starts_with("\u{feff}period;indicator;value;nazwa wskaźnika\r\n"));
    let filled = text.replace(";;", ";3;");
    let p = csv(filled.as_bytes()).unwrap();
    assert!(p.warnings.is_empty());
    assert_eq!(p.batches[0].values.len(), 10);
    let xlsx = template_xlsx(&cat, Stream::Owes, None).unwrap();
    let empty = parse(&xlsx, Source::Xlsx, Stream::Owes, &cat)
        .unwrap_err()
        .into_vec();
    assert_eq!(
        empty.len(),
        20,
        "each row lacks its period and value: {empty:?}"
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
    /// Fuzz: arbitrary bytes, and arbitrary CSV-shaped text, give batches or field errors
    /// naming a line, never a panic.
    #[test]
    fn any_file_is_read_or_refused(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
        let _ = csv(&bytes);
        let _ = parse(&bytes, Source::Xlsx, Stream::Owes, &catalogue());
    }

    #[test]
    fn any_csv_shape_is_read_or_refused(text in "(period|indicator|value|okres|2024-Q[0-5]|jobs_created|uwagi|[0-9 ,.;\"\r\n-]|\u{feff}|\u{a0}){0,80}") {
        match csv(text.as_bytes()) {
            Ok(p) => proptest::prop_assert!(!p.batches.is_empty()),
            Err(e) => proptest::prop_assert!(e.into_vec().iter().all(|f| f.field == "file" || f.field.starts_with("rows["))),
        }
    }
}

#[test]
fn a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_read() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "period").unwrap();
    // 600 different strings of 32,000 characters: ~19 MB of shared strings that deflate to
    // a few dozen KiB.
    for i in 0..600u32 {
        sheet
            .write_string(i + 1, 0, format!("{i}{}", "A".repeat(32_000)))
            .unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    assert!(
        bytes.len() < crate::app::BODY_LIMIT,
        "{} bytes",
        bytes.len()
    );
    let errors = parse(&bytes, Source::Xlsx, Stream::Owes, &catalogue())
        .unwrap_err()
        .into_vec();
    assert!(errors[0].message.contains("unpacks to"), "{errors:?}");
}
