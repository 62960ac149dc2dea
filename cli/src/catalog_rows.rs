//! Reading one row of a catalog import file into a product draft with the domain's own parsers; every
//! problem of the row is named by its column, with a hint.
use std::collections::HashMap;

use sabil_core::domain::catalog::ProductType;
use sabil_core::domain::payment::parse_amount;
use sabil_core::domain::validation::Problems;
use sabil_core::domain::{Currency, Invalid, LocalizedText};
use sabil_core::services::catalog::ProductDraft;

/// Columns every file must have.
pub const REQUIRED: [&str; 11] = [
    "sapId",
    "titleEn",
    "titleAr",
    "descriptionEn",
    "descriptionAr",
    "type",
    "volumeMl",
    "bottlesPerPack",
    "price",
    "minQuantity",
    "maxQuantity",
];

/// Columns a file may leave out: `currency` (the business's), `active` (true), `sortOrder` (0).
pub const OPTIONAL: [&str; 3] = ["currency", "active", "sortOrder"];

/// Where each known column is in the file.
pub struct Columns(HashMap<&'static str, usize>);

impl Columns {
    /// The header's columns (names matched exactly, in any order).
    ///
    /// # Errors
    /// One line naming the missing or unknown columns and the expected header.
    pub fn from_header(header: &csv::StringRecord) -> Result<Self, String> {
        let mut at = HashMap::new();
        let mut unknown = Vec::new();
        for (i, name) in header.iter().enumerate() {
            match REQUIRED.iter().chain(OPTIONAL.iter()).find(|c| **c == name.trim()) {
                Some(known) if at.insert(*known, i).is_some() => return Err(format!("the header names the column {known} twice")),
                Some(_) => {}
                None => unknown.push(name.to_owned()),
            }
        }
        let missing: Vec<&str> = REQUIRED.iter().filter(|c| !at.contains_key(**c)).copied().collect();
        if !missing.is_empty() || !unknown.is_empty() {
            let mut what = Vec::new();
            if !missing.is_empty() {
                what.push(format!("missing column(s) {}", missing.join(", ")));
            }
            if !unknown.is_empty() {
                what.push(format!("unknown column(s) {}", unknown.join(", ")));
            }
            let expected = REQUIRED.iter().chain(OPTIONAL.iter()).copied().collect::<Vec<_>>().join(",");
            return Err(format!("the header has {}; expected: {expected}", what.join(" and ")));
        }
        Ok(Self(at))
    }

    /// The row's SAP id as written (trimmed), to name the row in reports.
    pub fn sap_id(&self, record: &csv::StringRecord) -> String {
        self.get(record, "sapId").unwrap_or_default().to_owned()
    }

    fn get<'r>(&self, record: &'r csv::StringRecord, column: &str) -> Option<&'r str> {
        self.0.get(column).and_then(|i| record.get(*i)).map(str::trim)
    }
}

/// The file's column a draft field's problem belongs to (`price.amount` is the `price` column).
pub fn column_of(field: &str) -> &str {
    match field {
        "price.amount" | "price.currency" => "price",
        other => other,
    }
}

fn whole<T: std::str::FromStr>(p: &mut Problems, column: &str, raw: &str, hint: &str) -> Option<T> {
    let parsed = raw.parse::<T>().map_err(|_| Invalid::field(column, format!("{raw:?} is not a whole number"), hint));
    p.check(column, parsed)
}

fn flag(raw: &str) -> Result<bool, Invalid> {
    match raw.to_ascii_lowercase().as_str() {
        "" | "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" => Ok(false),
        _ => Err(Invalid::field("active", format!("{raw:?} is not true or false"), "Write true or false (empty means true).")),
    }
}

/// The row as a product draft, or every problem it has.
///
/// # Errors
/// `Invalid` naming each bad column.
pub fn parse(columns: &Columns, record: &csv::StringRecord, default_currency: Currency) -> Result<ProductDraft, Invalid> {
    let text = |c: &str| columns.get(record, c).unwrap_or_default();
    let mut p = Problems::new();
    let sap_id = Some(text("sapId").to_owned()).filter(|s| !s.is_empty());
    if sap_id.is_none() {
        p.add("sapId", "is empty", "Give SAP's item code: imported rows are matched to products by it.");
    }
    let rename = |e: Invalid| -> Invalid {
        Invalid(
            e.0.into_iter()
                .map(|mut f| {
                    f.field = f.field.replace("title.ar", "titleAr").replace("title.en", "titleEn");
                    f.field = f.field.replace("description.ar", "descriptionAr").replace("description.en", "descriptionEn");
                    f
                })
                .collect(),
        )
    };
    let title = p.keep(LocalizedText::parse("title", text("titleAr"), text("titleEn"), 120).map_err(rename));
    let description = p.keep(LocalizedText::parse("description", text("descriptionAr"), text("descriptionEn"), 2000).map_err(rename));
    let product_type = p.check(
        "type",
        ProductType::parse(text("type")).ok_or_else(|| {
            Invalid::field("type", format!("{:?} is not a product type", text("type")), "Write refill, pack or coupon_book.")
        }),
    );
    let volume_ml = whole::<u32>(&mut p, "volumeMl", text("volumeMl"), "Give one bottle's volume in millilitres, e.g. 18900.");
    let bottles = whole::<u32>(&mut p, "bottlesPerPack", text("bottlesPerPack"), "Give the bottles in one pack, e.g. 12.");
    let currency = match columns.get(record, "currency").filter(|c| !c.is_empty()) {
        Some(code) => p.check("currency", Currency::parse(code)),
        None => Some(default_currency),
    };
    let price = currency.and_then(|currency| {
        let parsed = parse_amount(text("price"), currency).map_err(|e| {
            let decimals = currency.decimals() as usize;
            Invalid::field(
                "price",
                e.to_string(),
                format!("Give the pack price in {} as a decimal, e.g. 1.{:0<decimals$}.", currency.code(), "25"),
            )
        });
        p.check("price", parsed)
    });
    let min_quantity = whole::<u32>(&mut p, "minQuantity", text("minQuantity"), "Give the fewest packs per order, usually 1.");
    let max_quantity = whole::<u32>(&mut p, "maxQuantity", text("maxQuantity"), "Give the most packs per order, e.g. 20.");
    let active = p.check("active", flag(columns.get(record, "active").unwrap_or_default()));
    let sort_order = match columns.get(record, "sortOrder").filter(|s| !s.is_empty()) {
        Some(raw) => whole::<i32>(&mut p, "sortOrder", raw, "Give a whole number; lower comes first in lists."),
        None => Some(0),
    };
    p.finish()?;
    match (title, description, product_type, volume_ml, bottles, price, min_quantity, max_quantity, active, sort_order) {
        (
            Some(title),
            Some(description),
            Some(product_type),
            Some(volume_ml),
            Some(bottles_per_pack),
            Some(price_per_pack),
            Some(min_quantity),
            Some(max_quantity),
            Some(active),
            Some(sort_order),
        ) => Ok(ProductDraft {
            sap_id,
            title,
            description,
            product_type,
            volume_ml,
            bottles_per_pack,
            price_per_pack,
            min_quantity,
            max_quantity,
            image_id: None,
            active,
            sort_order,
        }),
        // `finish` passed, so every value parsed; this only satisfies the compiler.
        _ => Err(Invalid::field("row", "could not be read", "Check the row against the header.")),
    }
}
