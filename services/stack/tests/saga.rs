//! The order saga across every service, through the gateway, with the real
//! binaries, PostgreSQL and RabbitMQ: a customer buys, the order travels
//! through inventory and payments by events until it is paid or failed.

mod common;

use std::time::Duration;

use common::store::{Api, Shop};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn orders_are_paid_declined_rejected_and_cancelled() {
    let options = common::options("saga");
    let admin_email = options.bootstrap_admin_email.clone().expect("admin email");
    let stack = common::start(options).await;
    let shop = Shop::open(Api::new(&stack.gateway_url), &admin_email).await;
    let customer = shop.api.account("buyer@example.com").await;
    let other = shop.api.account("someone-else@example.com").await;

    // Happy path: paid, shipped, delivered; the stock leaves once.
    let bone = shop.product("BONE", 2500, 10).await;
    let order = shop.buy(&customer, &bone, 2).await;
    let paid = shop.order_reaches(&customer, &order, "paid").await;
    assert_eq!(paid["total"]["amount"], 5000, "{paid}");
    shop.stock_settles(&bone, (8, 0)).await;
    let payments = shop.payments(&order).await;
    assert_eq!(payments.len(), 1, "{payments:?}");
    assert_eq!(payments[0]["status"], "completed");
    // Another customer cannot see or cancel it.
    let path = format!("/api/orders/{order}");
    assert_eq!(
        shop.api
            .send(reqwest::Method::GET, &path, Some(&other), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let cancel = format!("/api/orders/{order}/cancel");
    assert_eq!(
        shop.api
            .send(
                reqwest::Method::POST,
                &cancel,
                Some(&other),
                Some(json!({}))
            )
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Only an administrator ships.
    let ship = format!("/api/orders/{order}/ship");
    let shipment = json!({ "carrier": "La Poste", "trackingNumber": "LP123" });
    assert_eq!(
        shop.api
            .send(
                reqwest::Method::POST,
                &ship,
                Some(&customer),
                Some(shipment.clone())
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    shop.api
        .post(&ship, &shop.admin, shipment, StatusCode::OK)
        .await;
    shop.api
        .post(
            &format!("/api/orders/{order}/deliver"),
            &shop.admin,
            json!({}),
            StatusCode::OK,
        )
        .await;
    shop.order_reaches(&customer, &order, "delivered").await;
    assert_eq!(shop.stock(&bone).await, (8, 0), "stock left exactly once");
    // Shipped orders cannot be cancelled.
    assert_eq!(
        shop.api
            .send(
                reqwest::Method::POST,
                &cancel,
                Some(&customer),
                Some(json!({}))
            )
            .await
            .status,
        StatusCode::CONFLICT
    );

    // Decline: the simulated processor declines totals ending in 13 cents.
    let leash = shop.product("LEASH", 1213, 5).await;
    let order = shop.buy(&customer, &leash, 1).await;
    shop.order_reaches(&customer, &order, "failed").await;
    let payments = shop.payments(&order).await;
    assert_eq!(payments.len(), 1, "{payments:?}");
    assert_eq!(payments[0]["status"], "failed");
    let released = shop
        .api
        .wait_for(
            &format!("/api/stores/{}/inventory/{leash}", shop.store),
            &shop.admin,
            Duration::from_secs(30),
            |s| s["reserved"] == 0,
        )
        .await;
    assert_eq!(released["onHand"], 5, "stock released, not sold");

    // Out of stock: inventory rejects, nothing is charged.
    let kennel = shop.product("KENNEL", 9900, 1).await;
    let order = shop.buy(&customer, &kennel, 3).await;
    shop.order_reaches(&customer, &order, "failed").await;
    assert!(
        shop.payments(&order)
            .await
            .iter()
            .all(|p| p["status"] != "completed")
    );
    assert_eq!(shop.stock(&kennel).await, (1, 0));

    // Cancel after payment: refunded once, stock back once.
    let ball = shop.product("BALL", 700, 4).await;
    let order = shop.buy(&customer, &ball, 3).await;
    shop.order_reaches(&customer, &order, "paid").await;
    let cancel = format!("/api/orders/{order}/cancel");
    shop.api
        .post(&cancel, &customer, json!({}), StatusCode::OK)
        .await;
    assert_eq!(
        shop.api
            .send(
                reqwest::Method::POST,
                &cancel,
                Some(&customer),
                Some(json!({}))
            )
            .await
            .status,
        StatusCode::CONFLICT
    );
    let refunded = shop
        .api
        .wait_for(
            &format!("/api/payments?orderId={order}"),
            &shop.admin,
            Duration::from_secs(30),
            |page| page["items"][0]["status"] == "refunded",
        )
        .await;
    assert_eq!(
        refunded["total"], 1,
        "one payment, refunded once: {refunded}"
    );
    let restocked = shop
        .api
        .wait_for(
            &format!("/api/stores/{}/inventory/{ball}", shop.store),
            &shop.admin,
            Duration::from_secs(30),
            |s| s["onHand"] == 4,
        )
        .await;
    assert_eq!(restocked["reserved"], 0);

    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn orders_placed_while_the_broker_is_unreachable_complete_when_it_returns() {
    let mut options = common::options("outage");
    let admin_email = options.bootstrap_admin_email.clone().expect("admin email");
    let broker: std::net::SocketAddr = "127.0.0.1:5672".parse().expect("address");
    let proxy = kit::testing::TcpProxy::start(broker).await;
    options.amqp_url = format!("amqp://guest:guest@{}/%2f", proxy.addr());
    let stack = common::start(options).await;
    let shop = Shop::open(Api::new(&stack.gateway_url), &admin_email).await;
    let customer = shop.api.account("patient@example.com").await;
    let bone = shop.product("BONE", 2500, 10).await;
    // The product reaches inventory and cart by events: wait until the broker carried them.
    shop.order_reaches(&customer, &shop.buy(&customer, &bone, 1).await, "paid")
        .await;
    shop.stock_settles(&bone, (9, 0)).await;

    proxy.cut();
    let mut orders = Vec::new();
    for _ in 0..3 {
        orders.push(shop.buy(&customer, &bone, 2).await);
    }
    // Accepted, and waiting: nothing can move while the broker is away.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(shop.stock(&bone).await, (9, 0));
    proxy.restore();

    for order in &orders {
        shop.order_reaches(&customer, order, "paid").await;
    }
    // Every order took its units exactly once.
    shop.stock_settles(&bone, (3, 0)).await;
    for order in &orders {
        assert_eq!(shop.payments(order).await.len(), 1);
    }
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_consumer_killed_mid_flow_leaves_no_order_stuck_or_doubled() {
    let options = common::options("crash");
    let admin_email = options.bootstrap_admin_email.clone().expect("admin email");
    let mut stack = common::start(options).await;
    let shop = Shop::open(Api::new(&stack.gateway_url), &admin_email).await;
    let customer = shop.api.account("steady@example.com").await;
    let bone = shop.product("BONE", 2500, 10).await;
    shop.order_reaches(&customer, &shop.buy(&customer, &bone, 1).await, "paid")
        .await;

    stack.kill("payments").await;
    let orders = [
        shop.buy(&customer, &bone, 1).await,
        shop.buy(&customer, &bone, 2).await,
    ];
    for order in &orders {
        // Inventory still reserves; the charge waits for payments.
        shop.order_reaches(&customer, order, "reserved").await;
    }
    stack.restart("payments").await.expect("payments restarts");
    for order in &orders {
        shop.order_reaches(&customer, order, "paid").await;
        assert_eq!(shop.payments(order).await.len(), 1, "charged once");
    }
    shop.stock_settles(&bone, (6, 0)).await;
    stack.stop().await;
}

/// Checkout hands the order to orders synchronously and withdraws `cart.checked_out`. With
/// orders down the hand-over fails, checkout still answers, and the event, published once
/// due, creates the order when orders is back: exactly once, charged once.
#[tokio::test(flavor = "multi_thread")]
async fn a_checkout_while_orders_is_down_becomes_an_order_when_it_returns() {
    let options = common::options("handover");
    let admin_email = options.bootstrap_admin_email.clone().expect("admin email");
    let mut stack = common::start(options).await;
    let shop = Shop::open(Api::new(&stack.gateway_url), &admin_email).await;
    let customer = shop.api.account("early@example.com").await;
    let bone = shop.product("BONE", 2500, 10).await;
    shop.order_reaches(&customer, &shop.buy(&customer, &bone, 1).await, "paid")
        .await;

    stack.kill("orders").await;
    let order = shop.check_out(&customer, &bone, 2).await;
    stack.restart("orders").await.expect("orders restarts");
    shop.order_reaches(&customer, &order, "paid").await;
    assert_eq!(shop.payments(&order).await.len(), 1, "charged once");
    shop.stock_settles(&bone, (7, 0)).await;
    // A checkout orders took at once leaves no event behind; the other one's was published.
    let taken = shop.buy(&customer, &bone, 1).await;
    shop.order_reaches(&customer, &taken, "paid").await;
    shop.stock_settles(&bone, (6, 0)).await;
    let url = stack
        .database_url(&kit::testing::database_url(), "cart")
        .expect("cart's database");
    let cart = sqlx::PgPool::connect(&url).await.expect("cart's database");
    let events = |order: String| {
        let cart = cart.clone();
        async move {
            let published: Vec<bool> = sqlx::query_scalar(
                "SELECT published_at IS NOT NULL FROM kit.outbox \
                 WHERE event_type = 'cart.checked_out' AND envelope->'data'->>'orderId' = $1",
            )
            .bind(order)
            .fetch_all(&cart)
            .await
            .expect("cart's outbox");
            published
        }
    };
    assert_eq!(events(order).await, [true], "the fallback was published");
    assert_eq!(
        events(taken).await,
        Vec::<bool>::new(),
        "withdrawn after the hand-over"
    );
    cart.close().await;
    stack.stop().await;
}
