//! Two whole stores on one RabbitMQ at the same time: each has its own virtual host, so
//! neither consumes the other's events (every store declares the same exchange and queue
//! names; on a shared virtual host one store's orders service would take the other's
//! checkouts and leave them as "order not found").

mod common;

use common::store::{Api, Shop};

/// Orders placed in each store.
const ORDERS: usize = 3;

#[tokio::test(flavor = "multi_thread")]
async fn two_stores_on_one_broker_never_see_each_others_events() {
    let mut left = common::options("left");
    let mut right = common::options("right");
    for options in [&mut left, &mut right] {
        // Two stores at once: small pools keep both within PostgreSQL's default 100.
        options
            .extra_env
            .push(("DATABASE_MAX_CONNECTIONS".into(), "3".into()));
    }
    let (left_admin, right_admin) = (
        left.bootstrap_admin_email.clone().expect("admin email"),
        right.bootstrap_admin_email.clone().expect("admin email"),
    );
    let (left, right) = tokio::join!(common::start(left), common::start(right));
    assert_ne!(
        left.amqp_url, right.amqp_url,
        "each store has its own vhost"
    );

    let (left_shop, right_shop) = tokio::join!(
        Shop::open(Api::new(&left.gateway_url), &left_admin),
        Shop::open(Api::new(&right.gateway_url), &right_admin),
    );
    let (left_orders, right_orders) = tokio::join!(
        place_orders(&left_shop, "left@example.com"),
        place_orders(&right_shop, "right@example.com"),
    );
    for (shop, (customer, orders)) in [(&left_shop, &left_orders), (&right_shop, &right_orders)] {
        for order in orders {
            shop.order_reaches(customer, order, "paid").await;
            assert_eq!(shop.payments(order).await.len(), 1, "charged once");
        }
        // Each administrator sees exactly their own store's orders, none of the other's.
        let page = shop.api.get("/api/orders?limit=100", &shop.admin).await;
        let mut seen: Vec<String> = page["items"]
            .as_array()
            .expect("a page of orders")
            .iter()
            .map(|o| o["id"].as_str().expect("order id").to_string())
            .collect();
        seen.sort();
        let mut expected = orders.clone();
        expected.sort();
        assert_eq!(seen, expected);
    }
    tokio::join!(left.stop(), right.stop());
}

/// A customer of `shop` buys [`ORDERS`] times; returns their token and the order ids.
async fn place_orders(shop: &Shop, email: &str) -> (String, Vec<String>) {
    let customer = shop.api.account(email).await;
    let bone = shop.product("BONE", 2500, 10).await;
    let mut orders = Vec::new();
    for _ in 0..ORDERS {
        orders.push(shop.buy(&customer, &bone, 1).await);
    }
    (customer, orders)
}
