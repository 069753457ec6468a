//! The catalog for staff: products, categories and pets (create, edit, delete).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use reqwest::Method;
use serde::Deserialize;
use uuid::Uuid;

use crate::api::types::{Category, Page, Pet, Product};
use crate::api::with_query;
use crate::error::PageResult;
use crate::form::Form;
use crate::money::parse_amount;
use crate::pages::products::{categories, names};
use crate::pages::{Choice, Empty, see_other, uuid};
use crate::problem::FormErrors;
use crate::state::AppState;
use crate::views::{Chrome, render, render_with};
use crate::visit::Visit;

/// API fields of a product and the form fields they belong to.
const PRODUCT_FIELDS: &[(&str, &str)] = &[
    ("sku", "sku"),
    ("name", "name"),
    ("description", "description"),
    ("categoryId", "categoryId"),
    ("price.currency", "currency"),
    ("price", "price"),
    ("weightGrams", "weightGrams"),
];

/// The product form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProductForm {
    /// SKU.
    #[serde(default)]
    pub sku: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Category id.
    #[serde(default, rename = "categoryId")]
    pub category_id: String,
    /// Price in major units.
    #[serde(default)]
    pub price: String,
    /// Currency code.
    #[serde(default)]
    pub currency: String,
    /// Weight in grams.
    #[serde(default, rename = "weightGrams")]
    pub weight_grams: String,
    /// `on` when on sale.
    #[serde(default)]
    pub active: Option<String>,
}

impl ProductForm {
    fn of(product: &Product) -> Self {
        Self {
            sku: product.sku.clone(),
            name: product.name.clone(),
            description: product.description.clone(),
            category_id: product.category_id.to_string(),
            price: product.price.input_value(),
            currency: product.price.currency.clone(),
            weight_grams: product
                .weight_grams
                .map(|w| w.to_string())
                .unwrap_or_default(),
            active: product.active.then(|| "on".into()),
        }
    }

    /// The API body, or the fields the console itself cannot read.
    fn body(&self) -> Result<serde_json::Value, FormErrors> {
        let mut errors = FormErrors::none();
        let currency = self.currency.trim().to_ascii_uppercase();
        let amount = parse_amount(&self.price, &currency)
            .map_err(|e| {
                errors
                    .fields
                    .insert("price".into(), crate::problem::sentence(&e.to_string()))
            })
            .ok();
        let weight = if self.weight_grams.trim().is_empty() {
            None
        } else {
            self.weight_grams
                .trim()
                .parse::<i64>()
                .map_err(|_| {
                    errors.fields.insert(
                        "weightGrams".into(),
                        "Enter a whole number of grams.".into(),
                    )
                })
                .ok()
        };
        if self.category_id.parse::<uuid::Uuid>().is_err() {
            errors
                .fields
                .insert("categoryId".into(), "Choose a category.".into());
        }
        if !errors.is_empty() {
            errors
                .general
                .push("Please correct the fields marked below.".into());
            return Err(errors);
        }
        Ok(serde_json::json!({
            "sku": self.sku,
            "name": self.name,
            "description": self.description,
            "categoryId": self.category_id,
            "price": { "amount": amount, "currency": currency },
            "weightGrams": weight,
            "active": self.active.is_some(),
        }))
    }
}

/// A product as a row.
#[derive(Debug, Clone)]
pub struct ProductRow {
    /// Id.
    pub id: String,
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Category.
    pub category: String,
    /// Price.
    pub price: String,
    /// On sale.
    pub active: bool,
}

#[derive(Template)]
#[template(path = "staff/products.html")]
struct ProductsPage {
    chrome: Chrome,
    q: String,
    products: Vec<ProductRow>,
    next: Option<String>,
}

/// `?q=&cursor=` of a staff list.
#[derive(Debug, Default, Deserialize)]
pub struct Search {
    /// Search text.
    #[serde(default)]
    pub q: String,
    /// Keyset cursor.
    #[serde(default)]
    pub cursor: String,
}

/// `GET /staff/products`: every product, on sale or not.
pub async fn products(
    State(state): State<AppState>,
    visit: Visit,
    Query(search): Query<Search>,
) -> PageResult {
    visit.require_admin()?;
    let caller = visit.caller();
    let names = names(&categories(&state, &caller).await?);
    let path = with_query(
        "/api/products",
        &[
            ("q", search.q.clone()),
            ("cursor", search.cursor),
            ("limit", "50".into()),
            ("sort", "name".into()),
        ],
    );
    let page: Page<Product> = state.api.get(&caller, "catalog", &path).await?;
    render(&ProductsPage {
        chrome: Chrome::new(&visit, "Products", "staff-products"),
        products: page
            .items
            .iter()
            .map(|p| ProductRow {
                id: p.id.to_string(),
                sku: p.sku.clone(),
                name: p.name.clone(),
                category: names.get(&p.category_id).cloned().unwrap_or_default(),
                price: p.price.display(),
                active: p.active,
            })
            .collect(),
        next: page
            .next_cursor
            .map(|c| with_query("/staff/products", &[("q", search.q.clone()), ("cursor", c)])),
        q: search.q,
    })
}

#[derive(Template)]
#[template(path = "staff/product_form.html")]
struct ProductFormPage {
    chrome: Chrome,
    action: String,
    id: String,
    form: ProductForm,
    categories: Vec<Choice>,
    errors: FormErrors,
}

async fn product_form(
    state: &AppState,
    visit: &Visit,
    id: Option<String>,
    form: ProductForm,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let categories = categories(state, &visit.caller()).await?;
    let title = if id.is_some() {
        "Edit product"
    } else {
        "New product"
    };
    render_with(
        status,
        &ProductFormPage {
            chrome: Chrome::new(visit, title, "staff-products"),
            action: id.as_ref().map_or("/staff/products".into(), |id| {
                format!("/staff/products/{id}")
            }),
            id: id.unwrap_or_default(),
            categories: categories
                .iter()
                .map(|c| Choice {
                    value: c.id.to_string(),
                    label: c.name.clone(),
                    selected: form.category_id == c.id.to_string(),
                })
                .collect(),
            form,
            errors,
        },
    )
}

/// `GET /staff/products/new`.
pub async fn new_product(State(state): State<AppState>, visit: Visit) -> PageResult {
    visit.require_admin()?;
    let form = ProductForm {
        currency: "EUR".into(),
        active: Some("on".into()),
        ..ProductForm::default()
    };
    product_form(
        &state,
        &visit,
        None,
        form,
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

/// `POST /staff/products`.
pub async fn create_product(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<ProductForm>,
) -> PageResult {
    visit.require_admin()?;
    let body = match form.body() {
        Ok(body) => body,
        Err(errors) => {
            return product_form(
                &state,
                &visit,
                None,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    match state
        .api
        .send::<Product>(
            &visit.caller(),
            "catalog",
            Method::POST,
            "/api/products",
            &body,
        )
        .await
    {
        Ok(product) => Ok(see_other(&format!(
            "/staff/products/{}?done=created",
            product.id
        ))),
        Err(failure) if failure.is_refusal() => {
            let errors = FormErrors::from_failure(&failure, PRODUCT_FIELDS);
            product_form(
                &state,
                &visit,
                None,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(failure) => Err(failure.into()),
    }
}

/// `GET /staff/products/{id}`.
pub async fn edit_product(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
) -> PageResult {
    visit.require_admin()?;
    let id = uuid(&id)?;
    let product: Product = state
        .api
        .get(&visit.caller(), "catalog", &format!("/api/products/{id}"))
        .await?;
    product_form(
        &state,
        &visit,
        Some(id.to_string()),
        ProductForm::of(&product),
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

/// `POST /staff/products/{id}`.
pub async fn update_product(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Form(form): Form<ProductForm>,
) -> PageResult {
    visit.require_admin()?;
    let id = uuid(&id)?;
    let body = match form.body() {
        Ok(body) => body,
        Err(errors) => {
            return product_form(
                &state,
                &visit,
                Some(id.to_string()),
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    match state
        .api
        .send::<Product>(
            &visit.caller(),
            "catalog",
            Method::PATCH,
            &format!("/api/products/{id}"),
            &body,
        )
        .await
    {
        Ok(_) => Ok(see_other(&format!("/staff/products/{id}?done=saved"))),
        Err(failure) if failure.is_refusal() => {
            let errors = FormErrors::from_failure(&failure, PRODUCT_FIELDS);
            product_form(
                &state,
                &visit,
                Some(id.to_string()),
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(failure) => Err(failure.into()),
    }
}

/// `POST /staff/products/{id}/delete`.
pub async fn delete_product(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Form(_): Form<Empty>,
) -> PageResult {
    visit.require_admin()?;
    let id = uuid(&id)?;
    state
        .api
        .act(
            &visit.caller(),
            "catalog",
            Method::DELETE,
            &format!("/api/products/{id}"),
            None,
        )
        .await?;
    Ok(see_other("/staff/products?done=deleted"))
}

/// The category form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CategoryForm {
    /// Name.
    #[serde(default)]
    pub name: String,
    /// URL-safe name.
    #[serde(default)]
    pub slug: String,
    /// Parent id (empty for a top-level category).
    #[serde(default, rename = "parentId")]
    pub parent_id: String,
}

#[derive(Template)]
#[template(path = "staff/categories.html")]
struct CategoriesPage {
    chrome: Chrome,
    categories: Vec<(String, String, String, String)>,
    parents: Vec<Choice>,
    form: CategoryForm,
    errors: FormErrors,
}

async fn categories_page(
    state: &AppState,
    visit: &Visit,
    form: CategoryForm,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let all: Vec<Category> = categories(state, &visit.caller()).await?;
    let names = names(&all);
    let mut parents = vec![Choice {
        value: String::new(),
        label: "None (top level)".into(),
        selected: form.parent_id.is_empty(),
    }];
    parents.extend(all.iter().map(|c| Choice {
        value: c.id.to_string(),
        label: c.name.clone(),
        selected: form.parent_id == c.id.to_string(),
    }));
    render_with(
        status,
        &CategoriesPage {
            chrome: Chrome::new(visit, "Categories", "staff-categories"),
            categories: all
                .iter()
                .map(|c| {
                    let parent = c
                        .parent_id
                        .and_then(|p| names.get(&p).cloned())
                        .unwrap_or_default();
                    (c.id.to_string(), c.name.clone(), c.slug.clone(), parent)
                })
                .collect(),
            parents,
            form,
            errors,
        },
    )
}

/// `GET /staff/categories`.
pub async fn categories_list(State(state): State<AppState>, visit: Visit) -> PageResult {
    visit.require_admin()?;
    categories_page(
        &state,
        &visit,
        CategoryForm::default(),
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

/// `POST /staff/categories`.
pub async fn create_category(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<CategoryForm>,
) -> PageResult {
    visit.require_admin()?;
    let mut body = serde_json::json!({ "name": form.name, "slug": form.slug });
    if !form.parent_id.is_empty() {
        body["parentId"] = serde_json::Value::String(form.parent_id.clone());
    }
    match state
        .api
        .send::<serde_json::Value>(
            &visit.caller(),
            "catalog",
            Method::POST,
            "/api/categories",
            &body,
        )
        .await
    {
        Ok(_) => Ok(see_other("/staff/categories?done=created")),
        Err(failure) if failure.is_refusal() => {
            let errors = FormErrors::from_failure(
                &failure,
                &[("name", "name"), ("slug", "slug"), ("parentId", "parentId")],
            );
            categories_page(
                &state,
                &visit,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(failure) => Err(failure.into()),
    }
}

/// `POST /staff/categories/{id}/delete`.
pub async fn delete_category(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Form(_): Form<Empty>,
) -> PageResult {
    visit.require_admin()?;
    let id = uuid(&id)?;
    match state
        .api
        .act(
            &visit.caller(),
            "catalog",
            Method::DELETE,
            &format!("/api/categories/{id}"),
            None,
        )
        .await
    {
        Ok(()) => Ok(see_other("/staff/categories?done=deleted")),
        Err(failure) if failure.is_refusal() => {
            let errors = FormErrors::from_failure(&failure, &[]);
            categories_page(
                &state,
                &visit,
                CategoryForm::default(),
                errors,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(failure) => Err(failure.into()),
    }
}

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
    {
        Ok(_) => Ok(see_other("/staff/pets?done=created")),
        Err(failure) if failure.is_refusal() => {
            let errors = FormErrors::from_failure(&failure, PET_FIELDS);
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
        Err(failure) => Err(failure.into()),
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
    {
        Ok(_) => Ok(see_other("/staff/pets?done=saved")),
        Err(failure) if failure.is_refusal() => {
            let errors = FormErrors::from_failure(&failure, PET_FIELDS);
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
        Err(failure) => Err(failure.into()),
    }
}

#[derive(Template)]
#[template(path = "staff/category_form.html")]
struct CategoryFormPage {
    chrome: Chrome,
    id: String,
    form: CategoryForm,
    parents: Vec<Choice>,
    errors: FormErrors,
}

async fn category_form(
    state: &AppState,
    visit: &Visit,
    id: Uuid,
    form: CategoryForm,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let all = categories(state, &visit.caller()).await?;
    let mut parents = vec![Choice {
        value: String::new(),
        label: "None (top level)".into(),
        selected: form.parent_id.is_empty(),
    }];
    parents.extend(all.iter().filter(|c| c.id != id).map(|c| Choice {
        value: c.id.to_string(),
        label: c.name.clone(),
        selected: form.parent_id == c.id.to_string(),
    }));
    render_with(
        status,
        &CategoryFormPage {
            chrome: Chrome::new(visit, format!("Edit {}", form.name), "staff-categories"),
            id: id.to_string(),
            form,
            parents,
            errors,
        },
    )
}

/// `GET /staff/categories/{id}`.
pub async fn edit_category(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
) -> PageResult {
    visit.require_admin()?;
    let id = uuid(&id)?;
    let category = categories(&state, &visit.caller())
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(crate::error::ConsoleError::NotFound)?;
    let form = CategoryForm {
        name: category.name,
        slug: category.slug,
        parent_id: category
            .parent_id
            .map(|p| p.to_string())
            .unwrap_or_default(),
    };
    category_form(&state, &visit, id, form, FormErrors::none(), StatusCode::OK).await
}

/// `POST /staff/categories/{id}`.
pub async fn update_category(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Form(form): Form<CategoryForm>,
) -> PageResult {
    visit.require_admin()?;
    let id = uuid(&id)?;
    let parent = (!form.parent_id.is_empty()).then(|| form.parent_id.clone());
    let body = serde_json::json!({ "name": form.name, "slug": form.slug, "parentId": parent });
    match state
        .api
        .send::<serde_json::Value>(
            &visit.caller(),
            "catalog",
            Method::PATCH,
            &format!("/api/categories/{id}"),
            &body,
        )
        .await
    {
        Ok(_) => Ok(see_other("/staff/categories?done=saved")),
        Err(failure) if failure.is_refusal() => {
            let errors = FormErrors::from_failure(
                &failure,
                &[("name", "name"), ("slug", "slug"), ("parentId", "parentId")],
            );
            category_form(
                &state,
                &visit,
                id,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(failure) => Err(failure.into()),
    }
}

/// `POST /staff/pets/{id}/delete`.
pub async fn delete_pet(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Form(_): Form<Empty>,
) -> PageResult {
    visit.require_admin()?;
    let id = uuid(&id)?;
    state
        .api
        .act(
            &visit.caller(),
            "catalog",
            Method::DELETE,
            &format!("/api/pets/{id}"),
            None,
        )
        .await?;
    Ok(see_other("/staff/pets?done=deleted"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_product_form_becomes_the_catalogs_body() {
        let form = ProductForm {
            sku: "ROPE-1".into(),
            name: "Rope".into(),
            category_id: uuid::Uuid::nil().to_string(),
            price: "4.50".into(),
            currency: "eur".into(),
            active: Some("on".into()),
            ..ProductForm::default()
        };
        let body = form.body().unwrap();
        assert_eq!(
            body["price"],
            serde_json::json!({ "amount": 450, "currency": "EUR" })
        );
        assert_eq!(body["active"], true);
        assert_eq!(body["weightGrams"], serde_json::Value::Null);
    }

    #[test]
    fn unreadable_fields_are_named_before_any_call() {
        let form = ProductForm {
            price: "four".into(),
            weight_grams: "heavy".into(),
            ..ProductForm::default()
        };
        let errors = form.body().unwrap_err();
        assert_eq!(errors.of("price"), "Enter an amount like 12.99.");
        assert_eq!(errors.of("weightGrams"), "Enter a whole number of grams.");
        assert_eq!(errors.of("categoryId"), "Choose a category.");
    }
}
