use super::*;

fn text(s: &str) -> Option<String> {
    Some(s.to_owned())
}

fn common() -> AddressFields {
    AddressFields { label: text("Home"), block: text("3"), street: text("Street 12"), ..AddressFields::default() }
}

fn fields_at_fault(e: &Invalid) -> Vec<&str> {
    e.0.iter().map(|p| p.field.as_str()).collect()
}

#[test]
fn a_house_needs_its_house_number_and_nothing_of_a_building() {
    let house = AddressDetails::parse(AddressKind::House, &AddressFields { house: text(" 14A "), avenue: text(""), ..common() })
        .expect("valid house");
    assert_eq!(house.premises, Premises::House { house: AddressText::from_stored("14A".into()) });
    assert_eq!(house.avenue, None, "a blank optional field is left out");

    let missing = AddressDetails::parse(AddressKind::House, &common()).expect_err("no house number");
    assert_eq!(fields_at_fault(&missing), ["house"]);
    assert_eq!(missing.0[0].problem, "is required for a house address");

    let with_flat = AddressFields { house: text("14"), building: text("7"), apartment: text("12"), ..common() };
    let e = AddressDetails::parse(AddressKind::House, &with_flat).expect_err("building does not apply");
    assert_eq!(fields_at_fault(&e), ["building", "apartment"]);
    assert!(e.0[0].problem.contains("does not apply to a house"));
}

#[test]
fn an_apartment_needs_building_floor_and_apartment() {
    let e = AddressDetails::parse(AddressKind::Apartment, &AddressFields { floor: text("2"), ..common() }).expect_err("incomplete");
    assert_eq!(fields_at_fault(&e), ["building", "apartment"]);
    assert!(e.0.iter().all(|p| p.problem == "is required for an apartment address"));

    let ok = AddressFields { building: text("7"), floor: text("G"), apartment: text("12"), ..common() };
    let flat = AddressDetails::parse(AddressKind::Apartment, &ok).expect("valid apartment");
    assert_eq!(flat.kind(), AddressKind::Apartment);
    assert_eq!(flat.premises.floor().map(AddressText::as_str), Some("G"));
    assert_eq!(flat.premises.office(), None);
}

#[test]
fn an_office_needs_building_floor_and_office() {
    let e = AddressDetails::parse(AddressKind::Office, &AddressFields { apartment: text("3"), ..common() }).expect_err("incomplete");
    assert_eq!(fields_at_fault(&e), ["building", "floor", "office", "apartment"]);

    let ok = AddressFields { building: text("Tower 2"), floor: text("14"), office: text("1403"), ..common() };
    let office = AddressDetails::parse(AddressKind::Office, &ok).expect("valid office");
    assert_eq!(office.premises.office().map(AddressText::as_str), Some("1403"));
}

#[test]
fn every_field_at_fault_is_named_at_once() {
    let fields = AddressFields {
        label: text("  "),
        block: None,
        street: text(&"s".repeat(101)),
        directions: text(&"d".repeat(501)),
        ..AddressFields::default()
    };
    let e = AddressDetails::parse(AddressKind::House, &fields).expect_err("invalid");
    assert_eq!(fields_at_fault(&e), ["label", "block", "street", "house", "directions"]);
    assert_eq!(e.0[2].problem, "is 101 characters long");
}

#[test]
fn directions_may_span_lines_but_other_fields_may_not() {
    let fields = AddressFields { house: text("14"), directions: text("Blue gate.\nRing twice."), ..common() };
    let ok = AddressDetails::parse(AddressKind::House, &fields).expect("multi-line directions");
    assert_eq!(ok.directions.map(|d| d.as_str().to_owned()), Some("Blue gate.\nRing twice.".to_owned()));

    let fields = AddressFields { house: text("14"), street: text("Street\n12"), ..common() };
    let e = AddressDetails::parse(AddressKind::House, &fields).expect_err("control character");
    assert_eq!(fields_at_fault(&e), ["street"]);
}

#[test]
fn arabic_text_counts_characters_not_bytes() {
    let label = "ب".repeat(LABEL_MAX);
    let fields = AddressFields { label: Some(label), house: text("١٤"), ..common() };
    assert!(AddressDetails::parse(AddressKind::House, &fields).is_ok());
}

#[test]
fn stored_details_need_the_fields_of_their_kind() {
    let stored = AddressFields { house: text("14"), ..common() };
    let house = AddressDetails::from_stored(AddressKind::House, stored.clone()).expect("a house");
    assert_eq!(house.kind(), AddressKind::House);
    assert_eq!(AddressDetails::from_stored(AddressKind::Office, stored), None);
}

#[test]
fn locations_off_the_globe_name_their_coordinate() {
    assert_eq!(parse_location(24.45, 54.37), Ok(MapPoint { latitude: 24.45, longitude: 54.37 }));
    let e = parse_location(91.0, f64::NAN).expect_err("off the globe");
    assert_eq!(fields_at_fault(&e), ["location.latitude", "location.longitude"]);
    assert!(parse_location(-90.0, 180.0).is_ok(), "the edges are on the globe");
}

#[test]
fn kinds_round_trip_through_their_names() {
    for k in [AddressKind::House, AddressKind::Apartment, AddressKind::Office] {
        assert_eq!(AddressKind::parse(k.as_str()), Some(k));
    }
    assert_eq!(AddressKind::parse("villa"), None);
}
