//! The web app's HTTP side: the embedded single-page app (`sightline-web`)
//! at `/`, and the security headers every response carries.
//!
//! Routes the app handles itself (`/query`, `/alerts`, …) get the page's
//! shell; anything else unknown is a 404 problem; files get their bytes with an ETag so browsers and the service
//! worker revalidate instead of re-downloading. Nothing under `/api/` ever
//! falls back to the shell: an unknown API path stays a problem document.

use crate::error::ApiError;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The Content-Security-Policy of every response: nothing but our own
/// scripts, styles, images and API; no inline code, no eval, no framing.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
img-src 'self'; connect-src 'self'; font-src 'self'; manifest-src 'self'; \
worker-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The app's own routes (see `app/js/main.js`): these get the shell.
const APP_ROUTES: &[&str] = &[
    "signin", "recover", "register", "splash", "password", "training", "query", "results",
    "recent", "alerts", "inbox", "rules", "reads", "audit", "manage", "operator",
];

/// The public transparency page: the app draws it, signed in or not.
const PUBLIC_PAGES: &[&str] = &["transparency"];

fn is_app_route(path: &str) -> bool {
    let first = path.split('/').next().unwrap_or("");
    APP_ROUTES.contains(&first) || PUBLIC_PAGES.contains(&first)
}

/// Two years, as preload lists expect; sent only where TLS is in play.
const HSTS: &str = "max-age=63072000; includeSubDomains";

/// Serves the app for any request no API route took.
pub async fn fallback(method: Method, headers: HeaderMap, req: Request) -> Response {
    let path = req.uri().path();
    let reserved = path.starts_with("/api/") || path == "/api" || path.starts_with("/tiles/");
    if reserved || !(method == Method::GET || method == Method::HEAD) {
        return ApiError::not_found().into_response();
    }
    let file = path.trim_start_matches('/');
    let asset = if file.is_empty() {
        sightline_web::index()
    } else {
        match sightline_web::asset(file) {
            Some(a) => Some(a),
            // A route of the app: the shell, which draws it.
            None if is_app_route(file) => sightline_web::index(),
            None => None,
        }
    };
    let Some(asset) = asset else {
        return ApiError::not_found().into_response();
    };
    let etag = format!("\"{}\"", asset.etag);
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut resp = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(header::CONTENT_TYPE, asset.content_type)],
            asset.bytes.into_owned(),
        )
            .into_response()
    };
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    // Revalidate every time: a new release is picked up on the next load.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}

/// Adds the security headers to every response, API and app alike.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let tls = req.uri().scheme_str() == Some("https")
        || req
            .headers()
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("geolocation=(), microphone=(), camera=(), payment=(), usb=()"),
    );
    if tls {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    resp
}
