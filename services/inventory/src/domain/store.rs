//! Stores: the shops of the chain, each with its own stock.

use chrono::{DateTime, Utc};
use kit::ApiError;
use kit::pagination::ListParams;
use kit::validate::Validator;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::timezone::is_iana_timezone;

/// Longest store code.
pub const CODE_MAX: usize = 32;
/// Longest store name.
pub const NAME_MAX: usize = 200;
/// Longest address line.
pub const LINE_MAX: usize = 200;
/// Longest city name.
pub const CITY_MAX: usize = 100;
/// Longest postal code.
pub const POSTAL_CODE_MAX: usize = 20;

/// Whether a store trades.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StoreStatus {
    /// Trading: stock may change, transfers and reservations are accepted.
    Open,
    /// Closed for good: history is kept, stock no longer changes.
    Closed,
}

impl StoreStatus {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }

    /// From the stored text (anything unknown reads as closed, the safe side).
    pub fn parse(text: &str) -> Self {
        if text == "open" {
            Self::Open
        } else {
            Self::Closed
        }
    }
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Address {
    /// Street and number, 1–200 characters.
    #[schema(min_length = 1, pattern = "\\S", max_length = 200)]
    pub line1: String,
    /// Second line, at most 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 200)]
    pub line2: Option<String>,
    /// City, 1–100 characters.
    #[schema(min_length = 1, pattern = "\\S", max_length = 100)]
    pub city: String,
    /// Postal code, 1–20 characters.
    #[schema(min_length = 1, pattern = "\\S", max_length = 20)]
    pub postal_code: String,
    /// ISO 3166-1 alpha-2 country code, e.g. `FR`.
    #[schema(example = "FR")]
    #[schema(pattern = "^[A-Z]{2}$")]
    pub country: String,
}

impl Address {
    fn validate(&self, v: &mut Validator) {
        v.text("address.line1", &self.line1, 1, LINE_MAX)
            .optional_text("address.line2", self.line2.as_deref(), 0, LINE_MAX)
            .text("address.city", &self.city, 1, CITY_MAX)
            .text("address.postalCode", &self.postal_code, 1, POSTAL_CODE_MAX)
            .check(
                "address.country",
                self.country.len() == 2 && self.country.bytes().all(|b| b.is_ascii_uppercase()),
                "must be an ISO 3166-1 alpha-2 country code such as FR",
            );
    }
}

/// A store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Store {
    /// Id.
    pub id: Uuid,
    /// Unique short code, e.g. `PAR-01`.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Where it is.
    pub address: Address,
    /// IANA time zone, e.g. `Europe/Paris`.
    pub timezone: String,
    /// Open or closed.
    pub status: StoreStatus,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When it closed, if it did.
    pub closed_at: Option<DateTime<Utc>>,
}

/// Every writable field of a store; create and patch both end here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreFields {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Address.
    pub address: Address,
    /// Time zone.
    pub timezone: String,
}

impl StoreFields {
    /// Checks every field, naming each bad one.
    pub fn validate(&self) -> Result<(), ApiError> {
        let mut v = Validator::new();
        v.check(
            "code",
            is_store_code(&self.code),
            "must be 1–32 upper-case letters or digits in groups joined by `-`, e.g. PAR-01",
        )
        .text("name", &self.name, 1, NAME_MAX)
        .check(
            "timezone",
            is_iana_timezone(&self.timezone),
            "must be an IANA time zone such as Europe/Paris",
        );
        self.address.validate(&mut v);
        v.finish()
    }
}

/// Whether `code` is a store code: `[A-Z0-9]+(-[A-Z0-9]+)*`, at most 32 characters.
pub fn is_store_code(code: &str) -> bool {
    code.len() <= CODE_MAX
        && code.split('-').all(|group| {
            !group.is_empty()
                && group
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        })
}

/// Body of `POST /api/stores`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewStore {
    /// Unique code: groups of upper-case letters and digits joined by `-`, at most 32.
    #[schema(max_length = 32, pattern = "^[A-Z0-9]+(-[A-Z0-9]+)*$")]
    pub code: String,
    /// Name, 1–200 characters.
    #[schema(min_length = 1, pattern = "\\S", max_length = 200)]
    pub name: String,
    /// Address.
    pub address: Address,
    /// IANA time zone such as `Europe/Paris`.
    #[schema(
        max_length = 64,
        pattern = "^(UTC|(Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc)/[A-Z][A-Za-z0-9_+-]*(/[A-Z][A-Za-z0-9_+-]*)?)$"
    )]
    pub timezone: String,
}

impl From<NewStore> for StoreFields {
    fn from(s: NewStore) -> Self {
        Self {
            code: s.code,
            name: s.name,
            address: s.address,
            timezone: s.timezone,
        }
    }
}

/// Body of `PATCH /api/stores/{id}`: only the given fields change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StorePatch {
    /// New code.
    #[serde(default)]
    #[schema(max_length = 32, pattern = "^[A-Z0-9]+(-[A-Z0-9]+)*$")]
    pub code: Option<String>,
    /// New name.
    #[serde(default)]
    #[schema(min_length = 1, pattern = "\\S", max_length = 200)]
    pub name: Option<String>,
    /// New address (replaces the old one).
    #[serde(default)]
    pub address: Option<Address>,
    /// New time zone.
    #[serde(default)]
    #[schema(
        max_length = 64,
        pattern = "^(UTC|(Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc)/[A-Z][A-Za-z0-9_+-]*(/[A-Z][A-Za-z0-9_+-]*)?)$"
    )]
    pub timezone: Option<String>,
}

impl StorePatch {
    /// `current` with this patch applied.
    pub fn apply(self, current: &Store) -> StoreFields {
        StoreFields {
            code: self.code.unwrap_or_else(|| current.code.clone()),
            name: self.name.unwrap_or_else(|| current.name.clone()),
            address: self.address.unwrap_or_else(|| current.address.clone()),
            timezone: self.timezone.unwrap_or_else(|| current.timezone.clone()),
        }
    }
}

impl Store {
    /// Its writable fields.
    pub fn fields(&self) -> StoreFields {
        StoreFields {
            code: self.code.clone(),
            name: self.name.clone(),
            address: self.address.clone(),
            timezone: self.timezone.clone(),
        }
    }
}

/// Query of `GET /api/stores`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct StoreListParams {
    /// Only open or only closed stores.
    #[param(inline)]
    pub status: Option<StoreStatus>,
    /// Case-insensitive text searched in code, name and city.
    #[param(max_length = 200)]
    pub q: Option<String>,
}

/// A validated store list query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreQuery {
    /// Status filter.
    pub status: Option<StoreStatus>,
    /// Search text.
    pub q: Option<String>,
}

impl ListParams for StoreListParams {
    type Query = StoreQuery;

    fn filters(&self, v: &mut Validator) -> StoreQuery {
        StoreQuery {
            status: self.status,
            q: v.search("q", self.q.as_deref()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> StoreFields {
        StoreFields {
            code: "PAR-01".into(),
            name: "Paris Bastille".into(),
            address: Address {
                line1: "1 rue de la Roquette".into(),
                line2: None,
                city: "Paris".into(),
                postal_code: "75011".into(),
                country: "FR".into(),
            },
            timezone: "Europe/Paris".into(),
        }
    }

    fn bad_fields(f: &StoreFields) -> Vec<String> {
        match f.validate() {
            Ok(()) => vec![],
            Err(err) => err.invalid_fields(),
        }
    }

    #[test]
    fn a_good_store_passes() {
        assert!(bad_fields(&fields()).is_empty());
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut f = fields();
        f.code = "par 01".into();
        f.name = String::new();
        f.timezone = "Paris".into();
        f.address.city = "x".repeat(CITY_MAX + 1);
        f.address.country = "France".into();
        assert_eq!(
            bad_fields(&f),
            [
                "code",
                "name",
                "timezone",
                "address.city",
                "address.country"
            ]
        );
    }

    #[test]
    fn store_codes() {
        for good in ["A", "PAR-01", "LYON2", "X-Y-Z"] {
            assert!(is_store_code(good), "{good}");
        }
        for bad in ["", "-A", "A-", "A--B", "par", "A_B", &"A".repeat(33)] {
            assert!(!is_store_code(bad), "{bad}");
        }
    }
}
