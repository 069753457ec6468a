//! The shop front: products with the catalog's filters, search, sorting and keyset
//! pagination; a product's page with its reviews and rating summary; writing a review.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use uuid::Uuid;

use super::{CATALOG_SORTS, Choice, price_filter, see_other, uuid};
use crate::api::types::{Category, Page, Product, RatingSummary, Review};
use crate::api::{ApiFailure, Caller, with_query};
use crate::error::PageResult;
use crate::form::Form;
use crate::problem::{FormErrors, Refusal};
use crate::state::AppState;
use crate::views::{Chrome, render_with, stars, when};
use crate::visit::Visit;

/// Products per page of the shop front.
pub const PAGE_SIZE: u32 = 12;

/// The shop front's filters, as in its URL.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProductFilter {
    /// Search text.
    #[serde(default)]
    pub q: String,
    /// Category id.
    #[serde(default)]
    pub category: String,
    /// Lowest price, as typed.
    #[serde(default)]
    pub min: String,
    /// Highest price, as typed.
    #[serde(default)]
    pub max: String,
    /// Sort order.
    #[serde(default)]
    pub sort: String,
    /// Keyset cursor of the page.
    #[serde(default)]
    pub cursor: String,
}

impl ProductFilter {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("q", self.q.clone()),
            ("category", self.category.clone()),
            ("min", self.min.clone()),
            ("max", self.max.clone()),
            ("sort", self.sort.clone()),
        ]
    }

    /// The API query of this filter, or the fields that cannot be sent.
    fn api_path(&self) -> Result<String, FormErrors> {
        let mut errors = FormErrors::none();
        let min = price_filter(&self.min).unwrap_or_else(|m| {
            errors.fields.insert("min".into(), m);
            String::new()
        });
        let max = price_filter(&self.max).unwrap_or_else(|m| {
            errors.fields.insert("max".into(), m);
            String::new()
        });
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(with_query(
            "/api/products",
            &[
                ("q", self.q.clone()),
                ("categoryId", self.category.clone()),
                ("minPrice", min),
                ("maxPrice", max),
                ("sort", self.sort.clone()),
                ("cursor", self.cursor.clone()),
                ("active", "true".into()),
                ("limit", PAGE_SIZE.to_string()),
            ],
        ))
    }
}

/// The API fields of the product list and the filter fields they belong to.
const FILTER_FIELDS: &[(&str, &str)] = &[
    ("q", "q"),
    ("categoryId", "category"),
    ("minPrice", "min"),
    ("maxPrice", "max"),
    ("sort", "sort"),
];

/// A product as a card of a list.
#[derive(Debug, Clone)]
pub struct Card {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Price.
    pub price: String,
    /// Category name.
    pub category: String,
    /// Short description.
    pub blurb: String,
}

impl Card {
    /// A card of `product`, naming its category from `names`.
    pub fn of(product: &Product, names: &BTreeMap<Uuid, String>) -> Self {
        let mut blurb: String = product.description.chars().take(110).collect();
        if product.description.chars().count() > 110 {
            blurb.push('…');
        }
        Self {
            id: product.id,
            name: product.name.clone(),
            price: product.price.display(),
            category: names.get(&product.category_id).cloned().unwrap_or_default(),
            blurb,
        }
    }
}

#[derive(Template)]
#[template(path = "products.html")]
struct ProductsPage {
    chrome: Chrome,
    filter: ProductFilter,
    categories: Vec<Choice>,
    sorts: Vec<Choice>,
    products: Vec<Card>,
    next: Option<String>,
    first: Option<String>,
    errors: FormErrors,
    signed_in: bool,
}

/// Every category (the catalog has few), for filters and names.
pub async fn categories(state: &AppState, caller: &Caller) -> Result<Vec<Category>, ApiFailure> {
    let page: Page<Category> = state
        .api
        .get(caller, "catalog", "/api/categories?limit=100")
        .await?;
    Ok(page.items)
}

/// Category names by id.
pub fn names(categories: &[Category]) -> BTreeMap<Uuid, String> {
    categories.iter().map(|c| (c.id, c.name.clone())).collect()
}

/// `GET /`: the shop front.
pub async fn list(
    State(state): State<AppState>,
    visit: Visit,
    Query(filter): Query<ProductFilter>,
) -> PageResult {
    let caller = visit.caller();
    let categories = categories(&state, &caller).await?;
    let names = names(&categories);
    let mut errors = FormErrors::none();
    let mut products = Vec::new();
    let mut next = None;
    match filter.api_path() {
        Err(bad) => errors = bad,
        Ok(path) => match state
            .api
            .get::<Page<Product>>(&caller, "catalog", &path)
            .await
            .refusal(FILTER_FIELDS)?
        {
            Ok(page) => {
                products = page.items.iter().map(|p| Card::of(p, &names)).collect();
                next = page.next_cursor.map(|cursor| {
                    let mut pairs = filter.pairs();
                    pairs.push(("cursor", cursor));
                    with_query("/", &pairs)
                });
            }
            Err(refused) => errors = refused,
        },
    }
    let first = (!filter.cursor.is_empty()).then(|| with_query("/", &filter.pairs()));
    let mut category_choices = vec![Choice {
        value: String::new(),
        label: "All categories".into(),
        selected: filter.category.is_empty(),
    }];
    category_choices.extend(categories.iter().map(|c| Choice {
        value: c.id.to_string(),
        label: c.name.clone(),
        selected: filter.category == c.id.to_string(),
    }));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_with(
        status,
        &ProductsPage {
            chrome: Chrome::new(&visit, "Products", "products"),
            sorts: Choice::list(CATALOG_SORTS, &filter.sort),
            categories: category_choices,
            filter,
            products,
            next,
            first,
            errors,
            signed_in: visit.user().is_some(),
        },
    )
}

/// A review as shown.
#[derive(Debug, Clone)]
pub struct ReviewView {
    /// Stars.
    pub stars: String,
    /// Rating.
    pub rating: i64,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// Bought by its author.
    pub verified: bool,
    /// When.
    pub when: String,
    /// Written by the visitor.
    pub mine: bool,
}

/// The rating summary as shown.
#[derive(Debug, Clone)]
pub struct SummaryView {
    /// `4.3`, or empty without reviews.
    pub average: String,
    /// Stars of the rounded average.
    pub stars: String,
    /// How many reviews.
    pub count: i64,
    /// `(stars, count, percent)` from five down to one.
    pub bars: Vec<(i64, i64, i64)>,
}

impl SummaryView {
    fn of(summary: &RatingSummary) -> Self {
        let d = &summary.distribution;
        let total = summary.count.max(1);
        let bars = [
            (5, d.five),
            (4, d.four),
            (3, d.three),
            (2, d.two),
            (1, d.one),
        ]
        .into_iter()
        .map(|(stars, n)| (stars, n, n * 100 / total))
        .collect();
        Self {
            average: summary
                .average
                .map(|a| format!("{a:.1}"))
                .unwrap_or_default(),
            stars: summary
                .average
                .map(|a| stars(a.round() as i64))
                .unwrap_or_default(),
            count: summary.count,
            bars,
        }
    }
}

/// The review form's fields.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReviewForm {
    /// 1–5, as typed.
    #[serde(default)]
    pub rating: String,
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Text.
    #[serde(default)]
    pub body: String,
}

#[derive(Template)]
#[template(path = "product.html")]
struct ProductPage {
    chrome: Chrome,
    product: Product,
    price: String,
    category: String,
    summary: Option<SummaryView>,
    reviews: Vec<ReviewView>,
    more_reviews: Option<String>,
    signed_in: bool,
    cart_errors: FormErrors,
    quantity: String,
    review: ReviewForm,
    ratings: Vec<Choice>,
    review_errors: FormErrors,
    reviews_available: bool,
    reviewed: bool,
}

/// The rating choices of the review form.
const RATINGS: &[(&str, &str)] = &[
    ("5", "5 stars, excellent"),
    ("4", "4 stars, good"),
    ("3", "3 stars, fair"),
    ("2", "2 stars, poor"),
    ("1", "1 star, bad"),
];

/// `?reviews=<cursor>` on a product's page.
#[derive(Debug, Default, Deserialize)]
pub struct ReviewCursor {
    /// Where the reviews continue.
    #[serde(default)]
    pub reviews: String,
}

/// What a product page shows besides its forms.
pub struct ProductPageState {
    cart_errors: FormErrors,
    quantity: String,
    review: ReviewForm,
    review_errors: FormErrors,
}

impl ProductPageState {
    /// The page with the add-to-cart form refused.
    pub fn with_cart_errors(errors: FormErrors, quantity: String) -> Self {
        Self {
            cart_errors: errors,
            quantity,
            ..Self::default()
        }
    }
}

impl Default for ProductPageState {
    fn default() -> Self {
        Self {
            cart_errors: FormErrors::none(),
            quantity: "1".into(),
            review: ReviewForm {
                rating: "5".into(),
                ..ReviewForm::default()
            },
            review_errors: FormErrors::none(),
        }
    }
}

/// Renders a product's page, with `forms` as the visitor left them.
pub async fn product_page(
    state: &AppState,
    visit: &Visit,
    id: Uuid,
    cursor: &str,
    forms: ProductPageState,
    status: StatusCode,
) -> PageResult {
    let caller = visit.caller();
    let product_path = format!("/api/products/{id}");
    let (product, categories) = tokio::try_join!(
        state.api.get::<Product>(&caller, "catalog", &product_path),
        categories(state, &caller),
    )?;
    let category = names(&categories)
        .remove(&product.category_id)
        .unwrap_or_default();
    let me = visit.user().map(|u| u.id);
    let reviews_available = state.api.has("reviews");
    let (summary, reviews, more_reviews) = if reviews_available {
        let summary_path = format!("/api/reviews/products/{id}/summary");
        let path = with_query(
            "/api/reviews",
            &[
                ("productId", id.to_string()),
                ("sort", "-createdAt".into()),
                ("limit", "10".into()),
                ("cursor", cursor.to_string()),
            ],
        );
        let (summary, page) = tokio::try_join!(
            state
                .api
                .get::<RatingSummary>(&caller, "reviews", &summary_path),
            state.api.get::<Page<Review>>(&caller, "reviews", &path),
        )?;
        let reviews = page
            .items
            .iter()
            .map(|r| ReviewView {
                stars: stars(r.rating),
                rating: r.rating,
                title: r.title.clone(),
                body: r.body.clone(),
                verified: r.verified,
                when: when(&r.created_at),
                mine: Some(r.user_id) == me,
            })
            .collect();
        let more = page
            .next_cursor
            .map(|c| with_query(&format!("/products/{id}"), &[("reviews", c)]));
        (Some(SummaryView::of(&summary)), reviews, more)
    } else {
        (None, Vec::new(), None)
    };
    // One review per customer and product: after theirs, no form.
    let reviewed = match me.filter(|_| reviews_available) {
        Some(me) => {
            let path = with_query(
                "/api/reviews",
                &[
                    ("productId", id.to_string()),
                    ("userId", me.to_string()),
                    ("limit", "1".into()),
                ],
            );
            let mine: Page<Review> = state.api.get(&caller, "reviews", &path).await?;
            !mine.items.is_empty()
        }
        None => false,
    };
    render_with(
        status,
        &ProductPage {
            chrome: Chrome::new(visit, product.name.clone(), "products"),
            price: product.price.display(),
            product,
            category,
            summary,
            reviews,
            more_reviews,
            signed_in: visit.user().is_some(),
            cart_errors: forms.cart_errors,
            quantity: forms.quantity,
            ratings: Choice::list(RATINGS, &forms.review.rating),
            review: forms.review,
            review_errors: forms.review_errors,
            reviews_available,
            reviewed,
        },
    )
}

/// `GET /products/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Query(cursor): Query<ReviewCursor>,
) -> PageResult {
    let id = uuid(&id)?;
    product_page(
        &state,
        &visit,
        id,
        &cursor.reviews,
        ProductPageState::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /products/{id}/reviews`.
pub async fn review(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Form(form): Form<ReviewForm>,
) -> PageResult {
    let id = uuid(&id)?;
    visit.require_user()?;
    let rating: Result<i64, _> = form.rating.trim().parse();
    let failure = match rating {
        Err(_) => Some(FormErrors::field(
            "rating",
            "Choose a rating from 1 to 5 stars.",
        )),
        Ok(rating) => {
            let body = serde_json::json!({
                "productId": id,
                "rating": rating,
                "title": form.title,
                "body": form.body,
            });
            match state
                .api
                .send::<serde_json::Value>(
                    &visit.caller(),
                    "reviews",
                    reqwest::Method::POST,
                    "/api/reviews",
                    &body,
                )
                .await
            {
                Ok(_) => None,
                Err(failure) if failure.is_refusal() => Some(FormErrors::from_failure(
                    &failure,
                    &[
                        ("rating", "rating"),
                        ("title", "title"),
                        ("body", "body"),
                        ("productId", "title"),
                    ],
                )),
                Err(failure) => return Err(failure.into()),
            }
        }
    };
    match failure {
        None => Ok(see_other(&format!("/products/{id}?done=reviewed"))),
        Some(errors) => {
            let forms = ProductPageState {
                review: form,
                review_errors: errors,
                ..ProductPageState::default()
            };
            product_page(
                &state,
                &visit,
                id,
                "",
                forms,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_becomes_the_catalogs_query() {
        let filter = ProductFilter {
            q: "rope".into(),
            min: "2.50".into(),
            sort: "price".into(),
            cursor: "abc".into(),
            ..ProductFilter::default()
        };
        assert_eq!(
            filter.api_path().unwrap(),
            "/api/products?q=rope&minPrice=250&sort=price&cursor=abc&active=true&limit=12"
        );
    }

    #[test]
    fn a_price_that_is_no_amount_is_named_and_never_sent() {
        let filter = ProductFilter {
            max: "cheap".into(),
            ..ProductFilter::default()
        };
        let errors = filter.api_path().unwrap_err();
        assert_eq!(errors.of("max"), "Enter an amount like 12.99.");
    }
}
