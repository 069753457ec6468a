//! Pets for sale: the catalog's pet list with its filters, and a pet's page with the
//! products of its category.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::products::{Card, categories, names};
use super::{CATALOG_SORTS, Choice, price_filter, uuid};
use crate::api::types::{Page, Pet, Product};
use crate::api::with_query;
use crate::error::PageResult;
use crate::problem::{FormErrors, Refusal};
use crate::state::AppState;
use crate::views::{Chrome, render, render_with};
use crate::visit::Visit;

/// The pet list's filters, as in its URL.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PetFilter {
    /// Search text.
    #[serde(default)]
    pub q: String,
    /// Species.
    #[serde(default)]
    pub species: String,
    /// `available`, `pending`, `sold` or empty for all.
    #[serde(default)]
    pub status: String,
    /// Comma-separated tags.
    #[serde(default)]
    pub tags: String,
    /// Lowest price, as typed.
    #[serde(default)]
    pub min: String,
    /// Highest price, as typed.
    #[serde(default)]
    pub max: String,
    /// Sort order.
    #[serde(default)]
    pub sort: String,
    /// Keyset cursor.
    #[serde(default)]
    pub cursor: String,
}

impl PetFilter {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("q", self.q.clone()),
            ("species", self.species.clone()),
            ("status", self.status.clone()),
            ("tags", self.tags.clone()),
            ("min", self.min.clone()),
            ("max", self.max.clone()),
            ("sort", self.sort.clone()),
        ]
    }
}

/// A pet as a card.
#[derive(Debug, Clone)]
pub struct PetCard {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// `Dog · Beagle`.
    pub kind: String,
    /// Price.
    pub price: String,
    /// Sale status.
    pub status: String,
    /// Tags.
    pub tags: Vec<String>,
}

impl PetCard {
    fn of(pet: &Pet) -> Self {
        let kind = match &pet.breed {
            Some(breed) if !breed.is_empty() => format!("{} · {breed}", pet.species),
            _ => pet.species.clone(),
        };
        Self {
            id: pet.id.to_string(),
            name: pet.name.clone(),
            kind,
            price: pet.price.display(),
            status: pet.status.clone(),
            tags: pet.tags.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "pets.html")]
struct PetsPage {
    chrome: Chrome,
    filter: PetFilter,
    statuses: Vec<Choice>,
    sorts: Vec<Choice>,
    pets: Vec<PetCard>,
    next: Option<String>,
    first: Option<String>,
    errors: FormErrors,
}

const FILTER_FIELDS: &[(&str, &str)] = &[
    ("q", "q"),
    ("species", "species"),
    ("status", "status"),
    ("tags", "tags"),
    ("minPrice", "min"),
    ("maxPrice", "max"),
    ("sort", "sort"),
];

/// `GET /pets`.
pub async fn list(
    State(state): State<AppState>,
    visit: Visit,
    Query(filter): Query<PetFilter>,
) -> PageResult {
    let mut errors = FormErrors::none();
    let min = price_filter(&filter.min).unwrap_or_else(|m| {
        errors.fields.insert("min".into(), m);
        String::new()
    });
    let max = price_filter(&filter.max).unwrap_or_else(|m| {
        errors.fields.insert("max".into(), m);
        String::new()
    });
    let mut pets = Vec::new();
    let mut next = None;
    if errors.is_empty() {
        let path = with_query(
            "/api/pets",
            &[
                ("q", filter.q.clone()),
                ("species", filter.species.clone()),
                ("status", filter.status.clone()),
                ("tags", filter.tags.clone()),
                ("minPrice", min),
                ("maxPrice", max),
                ("sort", filter.sort.clone()),
                ("cursor", filter.cursor.clone()),
                ("limit", "12".into()),
            ],
        );
        match state
            .api
            .get::<Page<Pet>>(&visit.caller(), "catalog", &path)
            .await
            .refusal(FILTER_FIELDS)?
        {
            Ok(page) => {
                pets = page.items.iter().map(PetCard::of).collect();
                next = page.next_cursor.map(|cursor| {
                    let mut pairs = filter.pairs();
                    pairs.push(("cursor", cursor));
                    with_query("/pets", &pairs)
                });
            }
            Err(refused) => errors = refused,
        }
    }
    let first = (!filter.cursor.is_empty()).then(|| with_query("/pets", &filter.pairs()));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_with(
        status,
        &PetsPage {
            chrome: Chrome::new(&visit, "Pets", "pets"),
            statuses: Choice::list(
                &[
                    ("", "Any status"),
                    ("available", "Available"),
                    ("pending", "Reserved"),
                    ("sold", "Sold"),
                ],
                &filter.status,
            ),
            sorts: Choice::list(CATALOG_SORTS, &filter.sort),
            filter,
            pets,
            next,
            first,
            errors,
        },
    )
}

#[derive(Template)]
#[template(path = "pet.html")]
struct PetPage {
    chrome: Chrome,
    pet: PetCard,
    birth_date: String,
    category: String,
    products: Vec<Card>,
    signed_in: bool,
}

/// `GET /pets/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
) -> PageResult {
    let id = uuid(&id)?;
    let caller = visit.caller();
    let pet: Pet = state
        .api
        .get(&caller, "catalog", &format!("/api/pets/{id}"))
        .await?;
    let categories = categories(&state, &caller).await?;
    let names = names(&categories);
    let path = with_query(
        "/api/products",
        &[
            ("categoryId", pet.category_id.to_string()),
            ("active", "true".into()),
            ("limit", "6".into()),
        ],
    );
    let products: Page<Product> = state.api.get(&caller, "catalog", &path).await?;
    render(&PetPage {
        chrome: Chrome::new(&visit, pet.name.clone(), "pets"),
        birth_date: pet.birth_date.clone().unwrap_or_default(),
        category: names.get(&pet.category_id).cloned().unwrap_or_default(),
        products: products.items.iter().map(|p| Card::of(p, &names)).collect(),
        pet: PetCard::of(&pet),
        signed_in: visit.user().is_some(),
    })
}
