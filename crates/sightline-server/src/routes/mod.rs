//! Every endpoint, registered with its OpenAPI description.

mod audit;
mod health;
mod ingest;
mod photos;
mod queries;
mod session;

use crate::app::AppState;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sightline API",
        description = "License plate reader data service: purpose-bound plate queries, ingest, and an audit log of every action.",
    ),
    components(schemas(crate::error::Problem)),
    modifiers(&Security),
)]
struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A session token from POST /api/v1/auth/login"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "ingest_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A data source's ingest-only API key (sk_…)"))
                    .build(),
            ),
        );
    }
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(health::metrics))
        .routes(routes!(health::openapi))
        .routes(routes!(session::login))
        .routes(routes!(session::logout))
        .routes(routes!(session::me))
        .routes(routes!(queries::run_query, queries::recent_queries))
        .routes(routes!(photos::photo))
        .routes(routes!(audit::checkpoint))
        .routes(routes!(audit::inclusion))
        .routes(routes!(audit::consistency))
        .routes(routes!(audit::public_key))
        .merge(ingest::routes())
}
