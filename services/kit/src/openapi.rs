//! OpenAPI plumbing: every service's document gets the same security scheme
//! and the shared problem schema.

use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi, RefOr, Server};

use crate::error::PROBLEM_JSON;

/// Name of the bearer security scheme in every document.
pub const BEARER: &str = "bearer";

/// Adds the bearer scheme and the server prefix the gateway exposes, so the
/// docs' "try it out" goes through the gateway; every error response is documented
/// with the media type it is sent with.
pub fn finish(mut doc: OpenApi, title: &str) -> OpenApi {
    problems_as_problem_json(&mut doc);
    doc.info.title = title.to_string();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        BEARER,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .build(),
        ),
    );
    doc.servers = Some(vec![Server::new("/")]);
    doc
}

/// Every 4xx and 5xx answer of the store is an `application/problem+json` document
/// (kit::error): a response documented as `application/json` is re-keyed, so no
/// handler needs to say it and none can get it wrong.
pub fn problems_as_problem_json(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
            &mut item.options,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            rekey_errors(operation);
        }
    }
}

fn rekey_errors(operation: &mut Operation) {
    for (status, response) in &mut operation.responses.responses {
        let RefOr::T(response) = response else {
            continue;
        };
        if !(status.starts_with('4') || status.starts_with('5')) {
            continue;
        }
        if let Some(content) = response.content.shift_remove("application/json") {
            response
                .content
                .entry(PROBLEM_JSON.to_string())
                .or_insert(content);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathsBuilder};
    use utoipa::openapi::{ContentBuilder, OpenApiBuilder, ResponseBuilder};

    #[test]
    fn error_responses_are_documented_as_problem_json_and_successes_are_not() {
        let operation = OperationBuilder::new()
            .response(
                "200",
                ResponseBuilder::new()
                    .description("ok")
                    .content("application/json", ContentBuilder::new().build()),
            )
            .response(
                "404",
                ResponseBuilder::new()
                    .description("missing")
                    .content("application/json", ContentBuilder::new().build()),
            )
            .build();
        let paths = PathsBuilder::new()
            .path(
                "/x",
                utoipa::openapi::PathItem::new(HttpMethod::Get, operation),
            )
            .build();
        let doc = finish(OpenApiBuilder::new().paths(paths).build(), "t");
        let get = doc.paths.paths["/x"].get.as_ref().expect("get");
        let media = |status: &str| match &get.responses.responses[status] {
            RefOr::T(r) => r.content.keys().cloned().collect::<Vec<_>>(),
            RefOr::Ref(_) => vec![],
        };
        assert_eq!(media("200"), ["application/json"]);
        assert_eq!(media("404"), [PROBLEM_JSON]);
    }
}
