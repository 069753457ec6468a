//! Thin HTTP handlers: extract, validate, call the store in one transaction with the
//! event, answer.

pub mod cart;
pub mod checkout;
pub mod items;

use kit::ApiError;
use kit::events::Outbox;
use kit::money::Money;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::cart::{Cart, CartItem, item_count, line_total, overflow, subtotals};
use crate::events::cart_created;
use crate::store;
use crate::store::carts::CartRow;
use crate::store::items::ItemRow;

/// The caller's open cart, locked for the transaction; opened (with `cart.created`) on
/// first use.
pub async fn open_cart(
    tx: &mut PgConnection,
    outbox: &Outbox,
    user_id: Uuid,
) -> Result<CartRow, ApiError> {
    let (cart, created) = store::carts::open_or_create(&mut *tx, user_id).await?;
    if created {
        cart_created(outbox, &mut *tx, cart.id, user_id).await?;
    }
    Ok(cart)
}

/// The items of a cart with their line totals.
pub async fn items_of(tx: &mut PgConnection, cart_id: Uuid) -> Result<Vec<CartItem>, ApiError> {
    store::items::list(&mut *tx, cart_id)
        .await?
        .into_iter()
        .map(to_item)
        .collect()
}

fn to_item(row: ItemRow) -> Result<CartItem, ApiError> {
    let unit_price = Money::new(row.unit_price_amount, row.currency);
    let quantity = i64::from(row.quantity);
    Ok(CartItem {
        line_total: line_total(&unit_price, quantity).map_err(overflow)?,
        product_id: row.product_id,
        sku: row.sku,
        name: row.name,
        quantity,
        unit_price,
        available: row.available,
        added_at: row.added_at,
    })
}

/// The client's view of a cart, read in the same transaction as any change to it.
pub async fn view(tx: &mut PgConnection, cart: &CartRow) -> Result<Cart, ApiError> {
    let items = items_of(tx, cart.id).await?;
    Ok(Cart {
        id: cart.id,
        user_id: cart.user_id,
        subtotals: subtotals(&items).map_err(overflow)?,
        item_count: item_count(&items),
        items,
        created_at: cart.created_at,
        updated_at: cart.updated_at,
    })
}
