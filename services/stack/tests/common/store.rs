//! A client for driving the whole store through the gateway in tests.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

/// Calls the gateway, asserting statuses and returning JSON.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
}

/// What a request answered.
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

impl Api {
    pub fn new(gateway_url: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: gateway_url.to_string(),
        }
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|err| panic!("{method} {path}: {err}"));
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Answer { status, body }
    }

    /// Sends and asserts the status, returning the body.
    pub async fn expect(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        status: StatusCode,
    ) -> Value {
        let answer = self.send(method.clone(), path, token, body).await;
        assert_eq!(
            answer.status, status,
            "{method} {path} answered {}",
            answer.body
        );
        answer.body
    }

    pub async fn get(&self, path: &str, token: &str) -> Value {
        self.expect(
            reqwest::Method::GET,
            path,
            Some(token),
            None,
            StatusCode::OK,
        )
        .await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value, status: StatusCode) -> Value {
        self.expect(reqwest::Method::POST, path, Some(token), Some(body), status)
            .await
    }

    /// Registers and logs in; returns the access token.
    pub async fn account(&self, email: &str) -> String {
        let password = "end to end passphrase 7";
        let credentials = json!({ "email": email, "password": password, "displayName": "E2E" });
        self.expect(
            reqwest::Method::POST,
            "/api/auth/register",
            None,
            Some(credentials),
            StatusCode::CREATED,
        )
        .await;
        let login = json!({ "email": email, "password": password });
        let session = self
            .expect(
                reqwest::Method::POST,
                "/api/auth/login",
                None,
                Some(login),
                StatusCode::OK,
            )
            .await;
        session["accessToken"]
            .as_str()
            .expect("access token")
            .to_string()
    }

    /// Polls `GET path` until `done` holds for its body, for at most `timeout`.
    pub async fn wait_for(
        &self,
        path: &str,
        token: &str,
        timeout: Duration,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let answer = self
                .send(reqwest::Method::GET, path, Some(token), None)
                .await;
            if answer.status == StatusCode::OK && done(&answer.body) {
                return answer.body;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "gave up waiting on {path}: last answer {} {}",
                answer.status,
                answer.body
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// The fixtures of a shop: an administrator, a category, a store.
pub struct Shop {
    pub api: Api,
    pub admin: String,
    pub category: String,
    pub store: String,
}

impl Shop {
    pub async fn open(api: Api, admin_email: &str) -> Self {
        let admin = api.account(admin_email).await;
        let category = api
            .post(
                "/api/categories",
                &admin,
                json!({ "name": "Toys", "slug": "toys" }),
                StatusCode::CREATED,
            )
            .await;
        let store = api
            .post(
                "/api/stores",
                &admin,
                json!({
                    "code": "PAR-01",
                    "name": "Paris Bastille",
                    "address": { "line1": "1 rue de la Roquette", "city": "Paris", "postalCode": "75011", "country": "FR" },
                    "timezone": "Europe/Paris",
                }),
                StatusCode::CREATED,
            )
            .await;
        Self {
            category: category["id"].as_str().expect("category id").to_string(),
            store: store["id"].as_str().expect("store id").to_string(),
            api,
            admin,
        }
    }

    /// A product at `price` cents with `stock` units on hand in the shop's store.
    pub async fn product(&self, sku: &str, price: i64, stock: i64) -> String {
        let product = self
            .api
            .post(
                "/api/products",
                &self.admin,
                json!({ "sku": sku, "name": sku, "categoryId": self.category, "price": { "amount": price, "currency": "EUR" } }),
                StatusCode::CREATED,
            )
            .await;
        let id = product["id"].as_str().expect("product id").to_string();
        let path = format!("/api/stores/{}/inventory/{id}", self.store);
        self.api
            .expect(
                reqwest::Method::PUT,
                &path,
                Some(&self.admin),
                Some(json!({ "onHand": stock, "minStock": 0, "reason": "initial stock" })),
                StatusCode::OK,
            )
            .await;
        id
    }

    /// `(onHand, reserved)` of a product in the shop's store.
    pub async fn stock(&self, product: &str) -> (i64, i64) {
        let item = self
            .api
            .get(
                &format!("/api/stores/{}/inventory/{product}", self.store),
                &self.admin,
            )
            .await;
        (
            item["onHand"].as_i64().expect("onHand"),
            item["reserved"].as_i64().expect("reserved"),
        )
    }

    /// Waits until `(onHand, reserved)` of a product settles at `expected`: inventory hears
    /// of a paid or cancelled order by an event, after the order's own status changed.
    pub async fn stock_settles(&self, product: &str, expected: (i64, i64)) {
        let path = format!("/api/stores/{}/inventory/{product}", self.store);
        self.api
            .wait_for(&path, &self.admin, Duration::from_secs(30), |item| {
                (item["onHand"].as_i64(), item["reserved"].as_i64())
                    == (Some(expected.0), Some(expected.1))
            })
            .await;
    }

    /// Puts `quantity` of `product` in the customer's cart and checks out; returns the order
    /// id, once it checked that the order behind checkout's `Location` can be read at once.
    pub async fn buy(&self, customer: &str, product: &str, quantity: i64) -> String {
        let order = self.check_out(customer, product, quantity).await;
        self.readable_at_once(customer, &order).await;
        order
    }

    /// Puts `quantity` of `product` in the customer's cart and checks out; the order id.
    pub async fn check_out(&self, customer: &str, product: &str, quantity: i64) -> String {
        self.api
            .post(
                "/api/cart/items",
                customer,
                json!({ "productId": product, "quantity": quantity }),
                StatusCode::CREATED,
            )
            .await;
        let checkout = self
            .api
            .post(
                "/api/cart/checkout",
                customer,
                json!({ "storeId": self.store }),
                StatusCode::ACCEPTED,
            )
            .await;
        checkout["orderId"].as_str().expect("order id").to_string()
    }

    /// Checks that the order can be read as soon as checkout answered: no 404 while orders
    /// catches up.
    async fn readable_at_once(&self, customer: &str, order: &str) {
        let read = self
            .api
            .send(
                reqwest::Method::GET,
                &format!("/api/orders/{order}"),
                Some(customer),
                None,
            )
            .await;
        assert_eq!(read.status, StatusCode::OK, "{}", read.body);
        assert_eq!(read.body["id"], order);
    }

    /// Waits until the order reaches `status`.
    pub async fn order_reaches(&self, token: &str, order: &str, status: &str) -> Value {
        let path = format!("/api/orders/{order}");
        self.api
            .wait_for(&path, token, Duration::from_secs(60), |o| {
                o["status"] == status
            })
            .await
    }

    /// The payments of an order, as the administrator sees them.
    pub async fn payments(&self, order: &str) -> Vec<Value> {
        let page = self
            .api
            .get(&format!("/api/payments?orderId={order}"), &self.admin)
            .await;
        page["items"].as_array().cloned().unwrap_or_default()
    }
}
