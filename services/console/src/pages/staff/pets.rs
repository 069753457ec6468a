//! Pets for staff: create, edit (status, price, ...), delete.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use reqwest::Method;
use serde::Deserialize;
use uuid::Uuid;

use crate::api::types::{Page, Pet};
use crate::api::with_query;
use crate::error::PageResult;
use crate::form::Form;
use crate::money::parse_amount;
use crate::pages::products::{categories, names};
use crate::pages::{Choice, Empty, see_other, uuid};
use crate::problem::{FormErrors, Refusal};
use crate::state::AppState;
use crate::views::{Chrome, render_with};
use crate::visit::Visit;

use super::Search;

/// The pet form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PetForm {
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Species.
    #[serde(default)]
    pub species: String,
    /// Breed.
    #[serde(default)]
    pub breed: String,
    /// Birth date (YYYY-MM-DD).
    #[serde(default, rename = "birthDate")]
    pub birth_date: String,
    /// Category id.
    #[serde(default, rename = "categoryId")]
    pub category_id: String,
    /// Comma-separated tags.
    #[serde(default)]
    pub tags: String,
    /// Price in major units.
    #[serde(default)]
    pub price: String,
    /// Status.
    #[serde(default)]
    pub status: String,
}

const PET_FIELDS: &[(&str, &str)] = &[
    ("name", "name"),
    ("species", "species"),
    ("breed", "breed"),
    ("birthDate", "birthDate"),
    ("categoryId", "categoryId"),
    ("tags", "tags"),
    ("price", "price"),
    ("status", "status"),
];

#[derive(Template)]
#[template(path = "staff/pets.html")]
struct PetsPage {
    chrome: Chrome,
    pets: Vec<(String, String, String, String, String)>,
    categories: Vec<Choice>,
    statuses: Vec<Choice>,
    form: PetForm,
    errors: FormErrors,
    next: Option<String>,
}

async fn pets_page(
    state: &AppState,
    visit: &Visit,
    cursor: &str,
    form: PetForm,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let caller = visit.caller();
    let all = categories(state, &caller).await?;
    let names = names(&all);
    let page: Page<Pet> = state
        .api
        .get(
            &caller,
            "catalog",
            &with_query(
                "/api/pets",
                &[
                    ("limit", "50".into()),
                    ("sort", "name".into()),
                    ("cursor", cursor.into()),
                ],
            ),
        )
        .await?;
    render_with(
        status,
        &PetsPage {
            chrome: Chrome::new(visit, "Pets", "staff-pets"),
            pets: page
                .items
                .iter()
                .map(|p| {
                    (
                        p.id.to_string(),
                        p.name.clone(),
                        format!(
                            "{}{}",
                            p.species,
                            p.breed
                                .as_deref()
                                .map(|b| format!(" · {b}"))
                                .unwrap_or_default()
                        ),
                        names.get(&p.category_id).cloned().unwrap_or_default(),
                        format!("{} · {}", p.price.display(), p.status),
                    )
                })
                .collect(),
            categories: all
                .iter()
                .map(|c| Choice {
                    value: c.id.to_string(),
                    label: c.name.clone(),
                    selected: form.category_id == c.id.to_string(),
                })
                .collect(),
            statuses: Choice::list(
                &[
                    ("available", "Available"),
                    ("pending", "Reserved"),
                    ("sold", "Sold"),
                ],
                &form.status,
            ),
            next: page
                .next_cursor
                .map(|c| with_query("/staff/pets", &[("cursor", c)])),
            form,
            errors,
        },
    )
}

/// `GET /staff/pets`.
pub async fn pets(
    State(state): State<AppState>,
    visit: Visit,
    Query(search): Query<Search>,
) -> PageResult {
    visit.require_admin()?;
    pets_page(
        &state,
        &visit,
        &search.cursor,
        PetForm::default(),
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

impl PetForm {
    fn of(pet: &Pet) -> Self {
        Self {
            name: pet.name.clone(),
            species: pet.species.clone(),
            breed: pet.breed.clone().unwrap_or_default(),
            birth_date: pet.birth_date.clone().unwrap_or_default(),
            category_id: pet.category_id.to_string(),
            tags: pet.tags.join(", "),
            price: pet.price.input_value(),
            status: pet.status.clone(),
        }
    }

    /// The API body, or the fields the console itself cannot read.
    fn body(&self) -> Result<serde_json::Value, FormErrors> {
        let amount = parse_amount(&self.price, "EUR").map_err(|err| {
            FormErrors::field("price", crate::problem::sentence(&err.to_string()))
        })?;
        let tags: Vec<&str> = self
            .tags
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect();
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        Ok(serde_json::json!({
            "name": self.name,
            "species": self.species,
            "breed": opt(&self.breed),
            "birthDate": opt(&self.birth_date),
            "categoryId": self.category_id,
            "tags": tags,
            "status": if self.status.is_empty() { "available" } else { self.status.as_str() },
            "price": { "amount": amount, "currency": "EUR" },
        }))
    }
}

/// `POST /staff/pets`.
pub async fn create_pet(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<PetForm>,
) -> PageResult {
    visit.require_admin()?;
    let body = match form.body() {
        Ok(body) => body,
        Err(errors) => {
            return pets_page(
                &state,
                &visit,
                "",
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    match state
        .api
        .send::<serde_json::Value>(&visit.caller(), "catalog", Method::POST, "/api/pets", &body)
        .await
        .refusal(PET_FIELDS)?
    {
        Ok(_) => Ok(see_other("/staff/pets?done=created")),
        Err(errors) => {
            pets_page(
                &state,
                &visit,
                "",
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "staff/pet_form.html")]
struct PetFormPage {
    chrome: Chrome,
    id: String,
    form: PetForm,
    categories: Vec<Choice>,
    statuses: Vec<Choice>,
    errors: FormErrors,
}

async fn pet_form(
    state: &AppState,
    visit: &Visit,
    id: Uuid,
    form: PetForm,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let all = categories(state, &visit.caller()).await?;
    render_with(
        status,
        &PetFormPage {
            chrome: Chrome::new(visit, format!("Edit {}", form.name), "staff-pets"),
            id: id.to_string(),
            categories: all
                .iter()
                .map(|c| Choice {
                    value: c.id.to_string(),
                    label: c.name.clone(),
                    selected: form.category_id == c.id.to_string(),
                })
                .collect(),
            statuses: Choice::list(
                &[
                    ("available", "Available"),
                    ("pending", "Reserved"),
                    ("sold", "Sold"),
                ],
                &form.status,
            ),
            form,
            errors,
        },
    )
}

/// `GET /staff/pets/{id}`.
pub async fn edit_pet(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
) -> PageResult {
    visit.require_admin()?;
    let id = uuid(&id)?;
    let pet: Pet = state
        .api
        .get(&visit.caller(), "catalog", &format!("/api/pets/{id}"))
        .await?;
    pet_form(
        &state,
        &visit,
        id,
        PetForm::of(&pet),
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

/// `POST /staff/pets/{id}`.
pub async fn update_pet(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Form(form): Form<PetForm>,
) -> PageResult {
    visit.require_admin()?;
    let id = uuid(&id)?;
    let body = match form.body() {
        Ok(body) => body,
        Err(errors) => {
            return pet_form(
                &state,
                &visit,
                id,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    match state
        .api
        .send::<serde_json::Value>(
            &visit.caller(),
            "catalog",
            Method::PATCH,
            &format!("/api/pets/{id}"),
            &body,
        )
        .await
        .refusal(PET_FIELDS)?
    {
        Ok(_) => Ok(see_other("/staff/pets?done=saved")),
        Err(errors) => {
            pet_form(
                &state,
                &visit,
                id,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// `POST /staff/pets/{id}/delete`.
pub async fn delete_pet(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Form(_): Form<Empty>,
) -> PageResult {
    super::delete_from_catalog(&state, &visit, "pets", &id).await??;
    Ok(see_other("/staff/pets?done=deleted"))
}
