//! Every endpoint, registered with its OpenAPI description.

mod access_requests;
mod alerts;
mod audit;
mod audit_bundle;
mod audit_export;
mod audit_search;
mod device_key;
mod health;
mod ingest;
mod jurisdictions;
mod manager_reports;
mod maps;
pub(crate) mod mfa;
mod misreads;
mod ocr;
pub(crate) mod offboarding;
mod operator;
mod operator_agents;
mod operator_sources;
mod oversight;
mod password;
mod photos;
mod quarterly_report;
pub(crate) mod queries;
mod query_report;
mod registration;
mod rules;
pub(crate) mod security_contacts;
pub(crate) mod session;
pub(crate) mod transparency;
pub(crate) mod users;

pub use audit_search::{Counts, Statistics, compute_statistics};
pub use rules::rules_in_force;

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
        components.add_security_scheme(
            "metrics_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The metrics_token from the service's settings"))
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
        .routes(routes!(jurisdictions::list))
        .routes(routes!(device_key::today))
        .routes(routes!(device_key::by_id))
        .routes(routes!(password::change_password))
        .routes(routes!(registration::security_questions))
        .routes(routes!(registration::register))
        .routes(routes!(registration::start_recovery))
        .routes(routes!(registration::answer_recovery))
        .routes(routes!(access_requests::submit, access_requests::list))
        .routes(routes!(access_requests::approve))
        .routes(routes!(access_requests::reject))
        .routes(routes!(access_requests::rekey))
        .routes(routes!(manager_reports::scan))
        .routes(routes!(manager_reports::statistics_export))
        .routes(routes!(quarterly_report::quarterly))
        .routes(routes!(manager_reports::training_export))
        .routes(routes!(
            security_contacts::get_contacts,
            security_contacts::set_contacts
        ))
        .routes(routes!(oversight::case_reference_rule))
        .routes(routes!(oversight::get_settings, oversight::set_settings))
        .routes(routes!(oversight::list))
        .routes(routes!(oversight::report))
        .routes(routes!(oversight::decide))
        .routes(routes!(misreads::report))
        .routes(routes!(misreads::queue))
        .routes(routes!(misreads::resolve))
        .routes(routes!(misreads::photo))
        .routes(routes!(audit_search::search))
        .routes(routes!(audit_export::export))
        .routes(routes!(audit_bundle::log_export))
        .routes(routes!(audit_search::replay))
        .routes(routes!(audit_search::statistics))
        .routes(routes!(operator::list_agencies, operator::create_agency))
        .routes(routes!(operator::invite_manager))
        .routes(routes!(offboarding::start, offboarding::status))
        .routes(routes!(offboarding::destroy))
        .routes(routes!(offboarding::agency_status))
        .routes(routes!(offboarding::confirm))
        .routes(routes!(offboarding::export_lists))
        .routes(routes!(transparency::page))
        .routes(routes!(
            transparency::get_setting,
            transparency::set_setting
        ))
        .routes(routes!(
            operator::list_sources,
            operator_sources::create_source
        ))
        .routes(routes!(
            operator_sources::list_cameras,
            operator_sources::put_camera
        ))
        .routes(routes!(
            operator_agents::get_agent,
            operator_agents::put_agent,
            operator_agents::delete_agent
        ))
        .routes(routes!(operator_sources::list_policies))
        .routes(routes!(operator_sources::set_policy))
        .routes(routes!(operator::rotate_key))
        .routes(routes!(operator::revoke_keys))
        .routes(routes!(mfa::enroll))
        .routes(routes!(mfa::confirm))
        .routes(routes!(mfa::verify))
        .routes(routes!(rules::get_rules, rules::publish))
        .routes(routes!(rules::affirm))
        .routes(routes!(users::list_users))
        .routes(routes!(users::unlock))
        .routes(routes!(users::disable))
        .routes(routes!(users::enable))
        .routes(routes!(users::record_training))
        .routes(routes!(users::terminate))
        .routes(routes!(users::training_report))
        .routes(routes!(users::termination_report))
        .routes(routes!(queries::run_query, queries::recent_queries))
        .routes(routes!(photos::photo))
        .routes(routes!(query_report::report))
        .routes(routes!(audit::checkpoint))
        .routes(routes!(audit::inclusion))
        .routes(routes!(audit::consistency))
        .routes(routes!(audit::public_key))
        .merge(ingest::routes())
        .merge(alerts::routes())
        .merge(ocr::routes())
        .merge(maps::routes())
}
