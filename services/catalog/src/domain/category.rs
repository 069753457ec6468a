//! Categories: a tree of named, slugged nodes.

use chrono::{DateTime, Utc};
use kit::ApiError;
use kit::validate::Validator;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Longest category name.
pub const NAME_MAX: usize = 100;
/// Longest slug.
pub const SLUG_MAX: usize = 100;

/// A category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct Category {
    /// Id.
    pub id: Uuid,
    /// Display name.
    pub name: String,
    /// Unique URL-friendly name (`[a-z0-9-]`).
    pub slug: String,
    /// Parent category; `null` for a root.
    pub parent_id: Option<Uuid>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// One step of a category's path from the root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct CategoryRef {
    /// Id.
    pub id: Uuid,
    /// Display name.
    pub name: String,
    /// Slug.
    pub slug: String,
}

/// A category with its place in the tree.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CategoryDetail {
    /// The category itself.
    #[serde(flatten)]
    pub category: Category,
    /// Ids of its direct children.
    pub children_ids: Vec<Uuid>,
    /// From the root down to (and including) this category.
    pub path: Vec<CategoryRef>,
}

/// Body of `POST /api/categories`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewCategory {
    /// Display name, 1–100 characters.
    #[schema(min_length = 1, pattern = "\\S", max_length = 100)]
    pub name: String,
    /// Unique slug: lower-case letters, digits and single dashes, at most 100 characters.
    #[schema(max_length = 100, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: String,
    /// Parent category, which must exist.
    #[serde(default)]
    pub parent_id: Option<Uuid>,
}

/// Body of `PATCH /api/categories/{id}`: only the given fields change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CategoryPatch {
    /// New name.
    #[serde(default)]
    #[schema(min_length = 1, pattern = "\\S", max_length = 100)]
    pub name: Option<String>,
    /// New slug.
    #[serde(default)]
    #[schema(max_length = 100, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Option<String>,
    /// New parent; `null` makes the category a root. It may not be the category itself or
    /// one of its descendants.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub parent_id: Option<Option<Uuid>>,
}

/// Query of `GET /api/categories`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct CategoryListParams {
    /// Only the direct children of this category.
    pub parent_id: Option<Uuid>,
}

/// Whether `slug` is lower-case letters and digits, in groups joined by single dashes.
pub fn is_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

fn check_name(v: &mut Validator, name: &str) {
    v.text("name", name, 1, NAME_MAX);
}

fn check_slug(v: &mut Validator, slug: &str) {
    v.check(
        "slug",
        is_slug(slug) && slug.len() <= SLUG_MAX,
        "must be 1–100 characters of a-z, 0-9 and single dashes",
    );
}

impl NewCategory {
    /// Checks every field, naming each bad one.
    pub fn validate(&self) -> Result<(), ApiError> {
        let mut v = Validator::new();
        check_name(&mut v, &self.name);
        check_slug(&mut v, &self.slug);
        v.finish()
    }
}

impl CategoryPatch {
    /// Checks every given field, naming each bad one.
    pub fn validate(&self, id: Uuid) -> Result<(), ApiError> {
        let mut v = Validator::new();
        if let Some(name) = &self.name {
            check_name(&mut v, name);
        }
        if let Some(slug) = &self.slug {
            check_slug(&mut v, slug);
        }
        if let Some(Some(parent)) = self.parent_id {
            v.check(
                "parentId",
                parent != id,
                "a category cannot be its own parent",
            );
        }
        v.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        for good in ["dogs", "dog-food", "a1-b2-c3", "9"] {
            assert!(is_slug(good), "{good}");
        }
        for bad in [
            "",
            "Dogs",
            "dog food",
            "-dogs",
            "dogs-",
            "dog--food",
            "chien_é",
        ] {
            assert!(!is_slug(bad), "{bad}");
        }
    }

    #[test]
    fn new_category_names_every_bad_field() {
        let err = NewCategory {
            name: " ".into(),
            slug: "Bad Slug".into(),
            parent_id: None,
        }
        .validate()
        .unwrap_err();
        let fields = err.invalid_fields();
        assert_eq!(fields, ["name", "slug"]);
    }

    #[test]
    fn patch_tells_absent_from_null_parent() {
        let absent: CategoryPatch = serde_json::from_str("{}").unwrap();
        assert_eq!(absent.parent_id, None);
        let null: CategoryPatch = serde_json::from_str(r#"{"parentId": null}"#).unwrap();
        assert_eq!(null.parent_id, Some(None));
        let id = Uuid::new_v4();
        let own = CategoryPatch {
            parent_id: Some(Some(id)),
            ..CategoryPatch::default()
        };
        assert_eq!(own.validate(id).unwrap_err().status(), 422);
    }
}
