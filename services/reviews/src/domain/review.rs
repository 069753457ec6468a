//! Reviews: a user's stars and words about one product.

use chrono::{DateTime, Utc};
use kit::ApiError;
use kit::pagination::ListParams;
use kit::validate::Validator;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Fewest stars.
pub const RATING_MIN: i64 = 1;
/// Most stars.
pub const RATING_MAX: i64 = 5;
/// Longest title.
pub const TITLE_MAX: usize = 120;
/// Longest text.
pub const BODY_MAX: usize = 5000;

/// A review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Review {
    /// Id.
    pub id: Uuid,
    /// The product reviewed.
    pub product_id: Uuid,
    /// The author.
    pub user_id: Uuid,
    /// Stars, 1–5.
    pub rating: i64,
    /// Title, 1–120 characters.
    pub title: String,
    /// Text, at most 5000 characters (may be empty).
    pub body: String,
    /// Whether the author has a paid order containing the product.
    pub verified: bool,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// The writable fields of a review; create and patch both end here and are validated
/// the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewFields {
    /// Stars.
    pub rating: i64,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
}

/// Body of `POST /api/reviews`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewReview {
    /// The product; a user reviews a product once.
    pub product_id: Uuid,
    /// Stars, 1–5.
    #[schema(minimum = 1, maximum = 5)]
    #[schema(minimum = 1, maximum = 5)]
    pub rating: i64,
    /// Title, 1–120 characters.
    #[schema(min_length = 1, pattern = "\\S", max_length = 120)]
    pub title: String,
    /// Text, at most 5000 characters.
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub body: String,
}

/// Body of `PATCH /api/reviews/{id}`: only the given fields change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReviewPatch {
    /// New stars.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 5)]
    #[schema(minimum = 1, maximum = 5)]
    pub rating: Option<i64>,
    /// New title.
    #[serde(default)]
    #[schema(min_length = 1, pattern = "\\S", max_length = 120)]
    pub title: Option<String>,
    /// New text.
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub body: Option<String>,
}

/// Sort orders of the review list; `-` means descending.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
pub enum ReviewSort {
    /// Newest first (the default).
    #[default]
    #[serde(rename = "-createdAt")]
    CreatedDesc,
    /// Oldest first.
    #[serde(rename = "createdAt")]
    CreatedAsc,
    /// Fewest stars first.
    #[serde(rename = "rating")]
    RatingAsc,
    /// Most stars first.
    #[serde(rename = "-rating")]
    RatingDesc,
}

/// Query of `GET /api/reviews`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ReviewListParams {
    /// Only reviews of this product.
    pub product_id: Option<Uuid>,
    /// Only reviews by this user.
    pub user_id: Option<Uuid>,
    /// Only verified (`true`) or unverified (`false`) reviews.
    pub verified: Option<bool>,
    /// Only reviews with this many stars (1–5).
    #[param(minimum = 1, maximum = 5)]
    pub rating: Option<i64>,
    /// `-createdAt` (default), `createdAt`, `rating` or `-rating`.
    #[param(inline)]
    pub sort: Option<ReviewSort>,
}

/// A validated review list query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewQuery {
    /// Product.
    pub product_id: Option<Uuid>,
    /// Author.
    pub user_id: Option<Uuid>,
    /// Verified flag.
    pub verified: Option<bool>,
    /// Stars.
    pub rating: Option<i64>,
    /// Order.
    pub sort: ReviewSort,
}

impl ListParams for ReviewListParams {
    type Query = ReviewQuery;

    fn filters(&self, v: &mut Validator) -> ReviewQuery {
        if let Some(rating) = self.rating {
            v.range("rating", rating, RATING_MIN, RATING_MAX);
        }
        ReviewQuery {
            product_id: self.product_id,
            user_id: self.user_id,
            verified: self.verified,
            rating: self.rating,
            sort: self.sort.unwrap_or_default(),
        }
    }
}

impl ReviewFields {
    /// The same fields with surrounding blanks trimmed from the title.
    pub fn normalized(mut self) -> Self {
        self.title = self.title.trim().to_string();
        self
    }

    /// Checks every field, naming each bad one.
    pub fn validate(&self) -> Result<(), ApiError> {
        Validator::new()
            .range("rating", self.rating, RATING_MIN, RATING_MAX)
            .text("title", &self.title, 1, TITLE_MAX)
            .check(
                "body",
                self.body.chars().count() <= BODY_MAX,
                format!("must be at most {BODY_MAX} characters"),
            )
            .finish()
    }
}

impl From<&NewReview> for ReviewFields {
    fn from(new: &NewReview) -> Self {
        Self {
            rating: new.rating,
            title: new.title.clone(),
            body: new.body.clone(),
        }
    }
}

impl ReviewPatch {
    /// `current` with the patch's fields applied.
    pub fn apply(self, current: &ReviewFields) -> ReviewFields {
        ReviewFields {
            rating: self.rating.unwrap_or(current.rating),
            title: self.title.unwrap_or_else(|| current.title.clone()),
            body: self.body.unwrap_or_else(|| current.body.clone()),
        }
    }
}

impl Review {
    /// The writable fields of this review.
    pub fn fields(&self) -> ReviewFields {
        ReviewFields {
            rating: self.rating,
            title: self.title.clone(),
            body: self.body.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use kit::pagination::PageParams;

    use super::*;

    fn bad_fields(f: &ReviewFields) -> Vec<String> {
        f.validate()
            .err()
            .map(|e| e.invalid_fields())
            .unwrap_or_default()
    }

    #[test]
    fn every_bad_field_is_named() {
        let good = ReviewFields {
            rating: 5,
            title: "Great".into(),
            body: String::new(),
        };
        assert!(bad_fields(&good).is_empty());
        let bad = ReviewFields {
            rating: 6,
            title: "t".repeat(121),
            body: "b".repeat(5001),
        };
        assert_eq!(bad_fields(&bad), ["rating", "title", "body"]);
        let blank = ReviewFields {
            rating: 0,
            title: "   ".into(),
            body: String::new(),
        };
        assert_eq!(bad_fields(&blank.normalized()), ["rating", "title"]);
    }

    #[test]
    fn patch_changes_only_given_fields() {
        let current = ReviewFields {
            rating: 3,
            title: "Fine".into(),
            body: "Ok".into(),
        };
        let patch: ReviewPatch = serde_json::from_str(r#"{"rating": 4}"#).unwrap();
        let next = patch.apply(&current);
        assert_eq!((next.rating, next.title.as_str()), (4, "Fine"));
    }

    #[test]
    fn list_params_are_checked() {
        let params = ReviewListParams {
            rating: Some(0),
            ..ReviewListParams::default()
        };
        let page = PageParams {
            limit: Some(0),
            ..PageParams::default()
        };
        let fields = params.validate(&page).unwrap_err().invalid_fields();
        assert_eq!(fields, ["limit", "rating"]);
        let sort: ReviewSort = serde_json::from_str("\"-rating\"").unwrap();
        assert_eq!(sort, ReviewSort::RatingDesc);
    }
}
