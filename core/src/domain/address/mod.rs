//! Customers' delivery addresses: the kind of place (house, apartment, office) with the fields each
//! kind needs, a label, the map point and the delivery area that serves it.
//!
//! Which fields each kind requires (every text is trimmed; `-` means it must be left out or empty):
//!
//! | field        | house    | apartment | office   | characters |
//! |--------------|----------|-----------|----------|------------|
//! | `label`      | required | required  | required | 1 to 50    |
//! | `block`      | required | required  | required | 1 to 50    |
//! | `street`     | required | required  | required | 1 to 100   |
//! | `avenue`     | optional | optional  | optional | 1 to 100   |
//! | `house`      | required | -         | -        | 1 to 20    |
//! | `building`   | -        | required  | required | 1 to 20    |
//! | `floor`      | -        | required  | required | 1 to 20    |
//! | `apartment`  | -        | required  | -        | 1 to 20    |
//! | `office`     | -        | -         | required | 1 to 20    |
//! | `directions` | optional | optional  | optional | 1 to 500   |
//!
//! Numbers are kept as text because Gulf addresses use values such as `12A`, `G` or `B2`.
use time::OffsetDateTime;
use uuid::Uuid;

use super::account::UserId;
use super::delivery::{DeliveryAreaId, MapPoint};
use super::validation::{Invalid, Problems};

mod text;

pub use text::AddressText;

/// Identifier of an address (UUIDv7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AddressId(pub Uuid);

impl std::fmt::Display for AddressId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The kind of place delivered to; it decides which fields the address needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressKind {
    /// A house or villa: found by its house number.
    House,
    /// A flat in a building: building, floor and apartment number.
    Apartment,
    /// An office in a building: building, floor and office number.
    Office,
}

impl AddressKind {
    /// Stored and wire name: `house`, `apartment` or `office`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::House => "house",
            Self::Apartment => "apartment",
            Self::Office => "office",
        }
    }

    /// The kind with this name (as `as_str` spells it); `None` for any other text.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::House, Self::Apartment, Self::Office].into_iter().find(|k| k.as_str() == s)
    }

    /// The kind with its article, for messages: `a house`, `an apartment`, `an office`.
    fn with_article(self) -> &'static str {
        match self {
            Self::House => "a house",
            Self::Apartment => "an apartment",
            Self::Office => "an office",
        }
    }
}

/// What identifies the door within the block and street; each kind carries exactly the fields it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Premises {
    /// A house or villa.
    House { house: AddressText },
    /// A flat in a building.
    Apartment { building: AddressText, floor: AddressText, apartment: AddressText },
    /// An office in a building.
    Office { building: AddressText, floor: AddressText, office: AddressText },
}

impl Premises {
    /// The kind of place.
    #[must_use]
    pub fn kind(&self) -> AddressKind {
        match self {
            Self::House { .. } => AddressKind::House,
            Self::Apartment { .. } => AddressKind::Apartment,
            Self::Office { .. } => AddressKind::Office,
        }
    }

    /// The house number of a house.
    #[must_use]
    pub fn house(&self) -> Option<&AddressText> {
        match self {
            Self::House { house } => Some(house),
            Self::Apartment { .. } | Self::Office { .. } => None,
        }
    }

    /// The building of an apartment or office.
    #[must_use]
    pub fn building(&self) -> Option<&AddressText> {
        match self {
            Self::Apartment { building, .. } | Self::Office { building, .. } => Some(building),
            Self::House { .. } => None,
        }
    }

    /// The floor of an apartment or office.
    #[must_use]
    pub fn floor(&self) -> Option<&AddressText> {
        match self {
            Self::Apartment { floor, .. } | Self::Office { floor, .. } => Some(floor),
            Self::House { .. } => None,
        }
    }

    /// The apartment number of an apartment.
    #[must_use]
    pub fn apartment(&self) -> Option<&AddressText> {
        match self {
            Self::Apartment { apartment, .. } => Some(apartment),
            Self::House { .. } | Self::Office { .. } => None,
        }
    }

    /// The office number of an office.
    #[must_use]
    pub fn office(&self) -> Option<&AddressText> {
        match self {
            Self::Office { office, .. } => Some(office),
            Self::House { .. } | Self::Apartment { .. } => None,
        }
    }
}

/// The address fields as received or stored, before they are checked against the kind. `None` and
/// blank text both mean "not given".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressFields {
    pub label: Option<String>,
    pub block: Option<String>,
    pub street: Option<String>,
    pub avenue: Option<String>,
    pub house: Option<String>,
    pub building: Option<String>,
    pub floor: Option<String>,
    pub apartment: Option<String>,
    pub office: Option<String>,
    pub directions: Option<String>,
}

/// Longest label, in characters.
pub const LABEL_MAX: usize = 50;
/// Longest block, in characters.
pub const BLOCK_MAX: usize = 50;
/// Longest street or avenue, in characters.
pub const STREET_MAX: usize = 100;
/// Longest house, building, floor, apartment or office number, in characters.
pub const NUMBER_MAX: usize = 20;
/// Longest directions, in characters.
pub const DIRECTIONS_MAX: usize = 500;

/// Everything the customer writes about an address, checked against its kind (see the module docs
/// for which fields each kind requires).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressDetails {
    /// The customer's name for it, e.g. `Home` or `Office`.
    pub label: AddressText,
    /// The block (or sector) number, e.g. `3` or `E12`.
    pub block: AddressText,
    /// The street name or number.
    pub street: AddressText,
    /// The avenue (jaddah), where the street has one.
    pub avenue: Option<AddressText>,
    /// The kind of place and the fields it needs.
    pub premises: Premises,
    /// Free directions for the driver (landmarks, gate colour).
    pub directions: Option<AddressText>,
}

/// The hint for a required field that is missing.
fn what_to_give(field: &str) -> &'static str {
    match field {
        "label" => "Name the address, e.g. Home or Office.",
        "block" => "Give the block (or sector) number, e.g. 3.",
        "street" => "Give the street name or number.",
        "house" => "Give the house or villa number.",
        "building" => "Give the building number or name.",
        "floor" => "Give the floor, e.g. 3, or G for the ground floor.",
        "apartment" => "Give the apartment (flat) number.",
        "office" => "Give the office number.",
        _ => "Give this field.",
    }
}

/// A given, non-blank value.
fn given(v: Option<&String>) -> Option<&str> {
    v.map(|s| s.as_str()).filter(|s| !s.trim().is_empty())
}

impl AddressDetails {
    /// Checks the fields against `kind`, naming every field at fault at once.
    ///
    /// # Errors
    /// `Invalid` listing each required field that is missing for `kind` ("is required for an
    /// apartment address"), each field given that does not apply to `kind`, and each text that is
    /// too long or contains control characters.
    pub fn parse(kind: AddressKind, fields: &AddressFields) -> Result<Self, Invalid> {
        let mut problems = Problems::new();
        let required = |problems: &mut Problems, field: &str, value: Option<&String>, max: usize| -> Option<AddressText> {
            match given(value) {
                Some(text) => problems.keep(AddressText::parse(field, text, max, false)),
                None => {
                    problems.keep::<()>(Err(Invalid::field(
                        field,
                        format!("is required for {} address", kind.with_article()),
                        what_to_give(field),
                    )));
                    None
                }
            }
        };
        let optional = |problems: &mut Problems, field: &str, value: Option<&String>, max: usize, multiline: bool| {
            given(value).and_then(|text| problems.keep(AddressText::parse(field, text, max, multiline)))
        };
        let not_applicable = |problems: &mut Problems, field: &str, value: Option<&String>| {
            if given(value).is_some() {
                problems.keep::<()>(Err(Invalid::field(
                    field,
                    format!("does not apply to {} address", kind.with_article()),
                    format!("Leave {field} out, or choose the type of address it belongs to."),
                )));
            }
        };

        let label = required(&mut problems, "label", fields.label.as_ref(), LABEL_MAX);
        let block = required(&mut problems, "block", fields.block.as_ref(), BLOCK_MAX);
        let street = required(&mut problems, "street", fields.street.as_ref(), STREET_MAX);
        let avenue = optional(&mut problems, "avenue", fields.avenue.as_ref(), STREET_MAX, false);
        let premises = match kind {
            AddressKind::House => {
                let house = required(&mut problems, "house", fields.house.as_ref(), NUMBER_MAX);
                for (field, value) in
                    [("building", &fields.building), ("floor", &fields.floor), ("apartment", &fields.apartment), ("office", &fields.office)]
                {
                    not_applicable(&mut problems, field, value.as_ref());
                }
                house.map(|house| Premises::House { house })
            }
            AddressKind::Apartment => {
                let building = required(&mut problems, "building", fields.building.as_ref(), NUMBER_MAX);
                let floor = required(&mut problems, "floor", fields.floor.as_ref(), NUMBER_MAX);
                let apartment = required(&mut problems, "apartment", fields.apartment.as_ref(), NUMBER_MAX);
                not_applicable(&mut problems, "house", fields.house.as_ref());
                not_applicable(&mut problems, "office", fields.office.as_ref());
                match (building, floor, apartment) {
                    (Some(building), Some(floor), Some(apartment)) => Some(Premises::Apartment { building, floor, apartment }),
                    _ => None,
                }
            }
            AddressKind::Office => {
                let building = required(&mut problems, "building", fields.building.as_ref(), NUMBER_MAX);
                let floor = required(&mut problems, "floor", fields.floor.as_ref(), NUMBER_MAX);
                let office = required(&mut problems, "office", fields.office.as_ref(), NUMBER_MAX);
                not_applicable(&mut problems, "house", fields.house.as_ref());
                not_applicable(&mut problems, "apartment", fields.apartment.as_ref());
                match (building, floor, office) {
                    (Some(building), Some(floor), Some(office)) => Some(Premises::Office { building, floor, office }),
                    _ => None,
                }
            }
        };
        let directions = optional(&mut problems, "directions", fields.directions.as_ref(), DIRECTIONS_MAX, true);
        problems.finish()?;
        match (label, block, street, premises) {
            (Some(label), Some(block), Some(street), Some(premises)) => Ok(Self { label, block, street, avenue, premises, directions }),
            // `finish` returned Ok, so every required field parsed.
            _ => Err(Invalid::field("type", "could not be checked", "Send the address again.")),
        }
    }

    /// Details read back from storage, trusted as checked when written; `None` when a field the
    /// kind requires is missing (corrupt data).
    #[must_use]
    pub fn from_stored(kind: AddressKind, fields: AddressFields) -> Option<Self> {
        let text = |v: Option<String>| v.map(AddressText::from_stored);
        let premises = match kind {
            AddressKind::House => Premises::House { house: text(fields.house)? },
            AddressKind::Apartment => {
                Premises::Apartment { building: text(fields.building)?, floor: text(fields.floor)?, apartment: text(fields.apartment)? }
            }
            AddressKind::Office => {
                Premises::Office { building: text(fields.building)?, floor: text(fields.floor)?, office: text(fields.office)? }
            }
        };
        Some(Self {
            label: text(fields.label)?,
            block: text(fields.block)?,
            street: text(fields.street)?,
            avenue: text(fields.avenue),
            premises,
            directions: text(fields.directions),
        })
    }

    /// The kind of place.
    #[must_use]
    pub fn kind(&self) -> AddressKind {
        self.premises.kind()
    }
}

/// The map point of an address, from the app's pin.
///
/// # Errors
/// `Invalid` naming `location.latitude` or `location.longitude` for coordinates off the globe.
pub fn parse_location(latitude: f64, longitude: f64) -> Result<MapPoint, Invalid> {
    let mut problems = Problems::new();
    if !latitude.is_finite() || !(-90.0..=90.0).contains(&latitude) {
        problems.keep::<()>(Err(Invalid::field(
            "location.latitude",
            "is outside -90..90",
            "Send degrees north of the equator, e.g. 24.4539 for Abu Dhabi.",
        )));
    }
    if !longitude.is_finite() || !(-180.0..=180.0).contains(&longitude) {
        problems.keep::<()>(Err(Invalid::field(
            "location.longitude",
            "is outside -180..180",
            "Send degrees east of Greenwich, e.g. 54.3773 for Abu Dhabi.",
        )));
    }
    problems.finish()?;
    Ok(MapPoint { latitude, longitude })
}

/// A stored delivery address of one customer.
#[derive(Debug, Clone, PartialEq)]
pub struct Address {
    /// The address's identifier, never reused.
    pub id: AddressId,
    /// The customer it belongs to; nobody else may see or change it.
    pub user_id: UserId,
    /// The address's identifier in SAP, once the ERP knows it; `None` until then.
    pub sap_id: Option<String>,
    /// What the customer wrote: label, kind and the fields it needs.
    pub details: AddressDetails,
    /// Where the pin is.
    pub location: MapPoint,
    /// The delivery area that serves it: found from `location` or chosen by the customer.
    pub area_id: DeliveryAreaId,
    /// When it was created (UTC).
    pub created_at: OffsetDateTime,
    /// When it last changed (UTC).
    pub updated_at: OffsetDateTime,
}

#[cfg(test)]
mod tests;
