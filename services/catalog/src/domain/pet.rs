//! Pets: individual animals for sale, each sold once.

use chrono::{DateTime, NaiveDate, Utc};
use kit::ApiError;
use kit::pagination::ListParams;
use kit::validate::Validator;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{Money, Sort};

/// Longest pet name.
pub const NAME_MAX: usize = 100;
/// Longest species or breed.
pub const SPECIES_MAX: usize = 50;
/// Most tags a pet may have.
pub const TAGS_MAX: usize = 20;
/// Longest tag.
pub const TAG_MAX: usize = 32;
/// Most photos a pet may have.
pub const PHOTOS_MAX: usize = 10;
/// Longest photo URL.
pub const PHOTO_URL_MAX: usize = 2048;

pub use kit::events::schema::PetStatus;

/// A pet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Pet {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Species, e.g. `dog`.
    pub species: String,
    /// Breed, if known.
    pub breed: Option<String>,
    /// Date of birth, if known.
    pub birth_date: Option<NaiveDate>,
    /// The pet's category.
    pub category_id: Uuid,
    /// Tags.
    pub tags: Vec<String>,
    /// Photo URLs (http or https).
    pub photo_urls: Vec<String>,
    /// Sale status.
    pub status: PetStatus,
    /// Price.
    pub price: Money,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// Every writable field of a pet, as stored; create and patch both end here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PetFields {
    /// Name.
    pub name: String,
    /// Species.
    pub species: String,
    /// Breed.
    pub breed: Option<String>,
    /// Date of birth.
    pub birth_date: Option<NaiveDate>,
    /// Category.
    pub category_id: Uuid,
    /// Tags.
    pub tags: Vec<String>,
    /// Photo URLs.
    pub photo_urls: Vec<String>,
    /// Status.
    pub status: PetStatus,
    /// Price.
    pub price: Money,
}

/// Body of `POST /api/pets`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewPet {
    /// Name, 1–100 characters.
    #[schema(min_length = 1, pattern = "\\S", max_length = 100)]
    pub name: String,
    /// Species, 1–50 characters.
    #[schema(min_length = 1, pattern = "\\S", max_length = 50)]
    pub species: String,
    /// Breed, at most 50 characters.
    #[serde(default)]
    pub breed: Option<String>,
    /// Date of birth, not in the future.
    #[serde(default)]
    pub birth_date: Option<NaiveDate>,
    /// Category, which must exist.
    pub category_id: Uuid,
    /// Up to 20 tags of 1–32 characters.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Up to 10 http(s) URLs of at most 2048 characters.
    #[serde(default)]
    pub photo_urls: Vec<String>,
    /// Status (default `available`).
    #[serde(default)]
    pub status: PetStatus,
    /// Price.
    pub price: Money,
}

/// Body of `PATCH /api/pets/{id}`: only the given fields change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PetPatch {
    /// New name.
    #[serde(default)]
    #[schema(min_length = 1, pattern = "\\S", max_length = 100)]
    pub name: Option<String>,
    /// New species.
    #[serde(default)]
    #[schema(min_length = 1, pattern = "\\S", max_length = 50)]
    pub species: Option<String>,
    /// New breed; `null` clears it.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<String>, nullable)]
    pub breed: Option<Option<String>>,
    /// New date of birth; `null` clears it.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<NaiveDate>, nullable)]
    pub birth_date: Option<Option<NaiveDate>>,
    /// New category.
    #[serde(default)]
    pub category_id: Option<Uuid>,
    /// New tags (replace the old ones).
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// New photo URLs (replace the old ones).
    #[serde(default)]
    pub photo_urls: Option<Vec<String>>,
    /// New status.
    #[serde(default)]
    pub status: Option<PetStatus>,
    /// New price.
    #[serde(default)]
    pub price: Option<Money>,
}

/// Query of `GET /api/pets`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PetListParams {
    /// Only pets of this category or of any category below it.
    pub category_id: Option<Uuid>,
    /// Only this species (case-insensitive).
    pub species: Option<String>,
    /// `available`, `pending` or `sold`.
    pub status: Option<PetStatus>,
    /// Comma-separated tags; only pets having all of them.
    pub tags: Option<String>,
    /// Lowest price (minor units, inclusive).
    #[param(minimum = 0)]
    pub min_price: Option<i64>,
    /// Highest price (minor units, inclusive).
    #[param(minimum = 0)]
    pub max_price: Option<i64>,
    /// Case-insensitive text searched in name, species and breed.
    pub q: Option<String>,
    /// `name`, `-name`, `price`, `-price`, `createdAt` or `-createdAt` (default).
    #[param(inline)]
    pub sort: Option<Sort>,
}

/// A validated pet list query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PetQuery {
    /// Category subtree.
    pub category_id: Option<Uuid>,
    /// Species.
    pub species: Option<String>,
    /// Status.
    pub status: Option<PetStatus>,
    /// Tags the pet must all have.
    pub tags: Vec<String>,
    /// Lowest price.
    pub min_price: Option<i64>,
    /// Highest price.
    pub max_price: Option<i64>,
    /// Search text.
    pub q: Option<String>,
    /// Order.
    pub sort: Sort,
}

impl ListParams for PetListParams {
    type Query = PetQuery;

    fn filters(&self, v: &mut Validator) -> PetQuery {
        super::validate_price_range(self.min_price, self.max_price, v);
        let tags: Vec<String> = self
            .tags
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect();
        v.check(
            "tags",
            tags.len() <= TAGS_MAX && tags.iter().all(|t| t.chars().count() <= TAG_MAX),
            format!("at most {TAGS_MAX} tags of at most {TAG_MAX} characters"),
        );
        PetQuery {
            category_id: self.category_id,
            species: self
                .species
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            status: self.status,
            tags,
            min_price: self.min_price,
            max_price: self.max_price,
            q: v.search("q", self.q.as_deref()),
            sort: self.sort.unwrap_or_default(),
        }
    }
}

/// Whether `value` is an absolute http(s) URL with a host.
pub fn is_photo_url(value: &str) -> bool {
    value.len() <= PHOTO_URL_MAX
        && url::Url::parse(value).is_ok_and(|url| {
            matches!(url.scheme(), "http" | "https")
                && url.host_str().is_some_and(|h| !h.is_empty())
        })
}

impl PetFields {
    /// The same fields with surrounding blanks trimmed from the texts, so that a PATCH
    /// resending a value with stray spaces is no change.
    pub fn normalized(mut self) -> Self {
        self.name = self.name.trim().to_string();
        self.species = self.species.trim().to_string();
        self.breed = self.breed.map(|b| b.trim().to_string());
        self
    }

    /// Checks every field against `today` (birth dates may not be later), naming each bad one.
    pub fn validate(&self, today: NaiveDate) -> Result<(), ApiError> {
        let mut v = Validator::new();
        v.text("name", &self.name, 1, NAME_MAX)
            .text("species", &self.species, 1, SPECIES_MAX)
            .optional_text("breed", self.breed.as_deref(), 0, SPECIES_MAX);
        if let Some(birth) = self.birth_date {
            v.check("birthDate", birth <= today, "must not be in the future");
        }
        v.check(
            "tags",
            self.tags.len() <= TAGS_MAX,
            format!("must have at most {TAGS_MAX} entries"),
        );
        for (i, tag) in self.tags.iter().enumerate() {
            v.text(&format!("tags[{i}]"), tag, 1, TAG_MAX);
        }
        v.check(
            "photoUrls",
            self.photo_urls.len() <= PHOTOS_MAX,
            format!("must have at most {PHOTOS_MAX} entries"),
        );
        for (i, url) in self.photo_urls.iter().enumerate() {
            v.check(
                &format!("photoUrls[{i}]"),
                is_photo_url(url),
                format!("must be an http(s) URL of at most {PHOTO_URL_MAX} characters"),
            );
        }
        self.price.validate("price", &mut v);
        v.finish()
    }
}

impl From<NewPet> for PetFields {
    fn from(new: NewPet) -> Self {
        Self {
            name: new.name,
            species: new.species,
            breed: new.breed,
            birth_date: new.birth_date,
            category_id: new.category_id,
            tags: new.tags,
            photo_urls: new.photo_urls,
            status: new.status,
            price: new.price,
        }
    }
}

impl PetPatch {
    /// `current` with the patch's fields applied.
    pub fn apply(self, current: &PetFields) -> PetFields {
        let current = current.clone();
        PetFields {
            name: self.name.unwrap_or(current.name),
            species: self.species.unwrap_or(current.species),
            breed: self.breed.unwrap_or(current.breed),
            birth_date: self.birth_date.unwrap_or(current.birth_date),
            category_id: self.category_id.unwrap_or(current.category_id),
            tags: self.tags.unwrap_or(current.tags),
            photo_urls: self.photo_urls.unwrap_or(current.photo_urls),
            status: self.status.unwrap_or(current.status),
            price: self.price.unwrap_or(current.price),
        }
    }
}

impl Pet {
    /// The writable fields of this pet.
    pub fn fields(&self) -> PetFields {
        PetFields {
            name: self.name.clone(),
            species: self.species.clone(),
            breed: self.breed.clone(),
            birth_date: self.birth_date,
            category_id: self.category_id,
            tags: self.tags.clone(),
            photo_urls: self.photo_urls.clone(),
            status: self.status,
            price: self.price.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use kit::pagination::PageParams;

    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    fn fields() -> PetFields {
        PetFields {
            name: "Rex".into(),
            species: "dog".into(),
            breed: Some("beagle".into()),
            birth_date: NaiveDate::from_ymd_opt(2024, 1, 1),
            category_id: Uuid::new_v4(),
            tags: vec!["friendly".into()],
            photo_urls: vec!["https://img.example/rex.jpg".into()],
            status: PetStatus::Available,
            price: Money {
                amount: 50000,
                currency: "EUR".into(),
            },
        }
    }

    fn bad_fields(f: &PetFields) -> Vec<String> {
        f.validate(today())
            .err()
            .map(|e| e.invalid_fields())
            .unwrap_or_default()
    }

    #[test]
    fn good_pet_passes() {
        assert!(bad_fields(&fields()).is_empty());
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut f = fields();
        f.name = String::new();
        f.birth_date = NaiveDate::from_ymd_opt(2026, 11, 29);
        f.tags = vec![String::new(), "t".repeat(33)];
        f.photo_urls = vec!["ftp://x.example/a".into(), "not a url".into()];
        f.price.amount = -1;
        assert_eq!(
            bad_fields(&f),
            [
                "name",
                "birthDate",
                "tags[0]",
                "tags[1]",
                "photoUrls[0]",
                "photoUrls[1]",
                "price.amount"
            ]
        );
    }

    #[test]
    fn list_limits() {
        let mut f = fields();
        f.tags = (0..21).map(|i| format!("t{i}")).collect();
        f.photo_urls = (0..11).map(|i| format!("https://x.example/{i}")).collect();
        assert_eq!(bad_fields(&f), ["tags", "photoUrls"]);
    }

    #[test]
    fn photo_urls() {
        assert!(is_photo_url("http://a.example/x.png"));
        assert!(!is_photo_url("javascript:alert(1)"));
        assert!(!is_photo_url(&format!(
            "https://a.example/{}",
            "x".repeat(2048)
        )));
    }

    #[test]
    fn tags_filter_is_split_and_trimmed() {
        let params = PetListParams {
            tags: Some(" a, b ,,".into()),
            ..PetListParams::default()
        };
        let (query, _) = params.validate(&PageParams::default()).unwrap();
        assert_eq!(query.tags, ["a", "b"]);
    }

    #[test]
    fn unknown_status_is_refused() {
        assert!(serde_json::from_str::<PetStatus>("\"lost\"").is_err());
        assert_eq!(
            serde_json::from_str::<PetStatus>("\"sold\"").unwrap(),
            PetStatus::Sold
        );
    }
}
