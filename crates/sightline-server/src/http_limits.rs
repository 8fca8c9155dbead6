//! What one node lets clients hold: time to send a request, requests in
//! flight, open connections, who reads `/metrics`, which proxies are
//! believed. The accept loop in [`crate::serving`] applies the connection
//! cap and the header-read timeout; the middleware here the in-flight cap
//! and the whole-request deadline.

use crate::app::AppState;
use crate::client_addr::TrustedProxies;
use crate::error::ApiError;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use hyper::body::{Body as HttpBody, Frame, SizeHint};
use secrecy::{ExposeSecret as _, SecretString};
use sha2::{Digest as _, Sha256};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// A connection must finish sending a request's headers this long
    /// after it opens, or after its previous response (so it is also the
    /// keep-alive idle limit); otherwise it is closed.
    pub header_read_timeout: Duration,
    /// From headers received to response started, body upload included.
    pub request_timeout: Duration,
    /// Requests handled at once; more are refused with 503 `overloaded`.
    pub max_in_flight: usize,
    /// Connections open at once; more are closed on accept.
    pub max_connections: usize,
    /// The bearer token `/metrics` wants; unset, `/metrics` is 404.
    pub metrics_token: Option<SecretString>,
    pub proxies: TrustedProxies,
    /// Rate-limit keys kept at most (see [`crate::limits`]).
    pub rate_limit_keys: usize,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(120),
            max_in_flight: 1_024,
            max_connections: 4_096,
            metrics_token: None,
            proxies: TrustedProxies::default(),
            rate_limit_keys: crate::limits::DEFAULT_CAPACITY,
        }
    }
}

/// The settings and what they size, built once per state.
#[derive(Debug)]
pub struct HttpRuntime {
    pub settings: HttpSettings,
    pub limiter: crate::limits::RateLimiter,
    in_flight: Arc<tokio::sync::Semaphore>,
}

impl HttpRuntime {
    pub fn new(settings: HttpSettings) -> Self {
        Self {
            limiter: crate::limits::RateLimiter::with_capacity(settings.rate_limit_keys),
            in_flight: Arc::new(tokio::sync::Semaphore::new(settings.max_in_flight.max(1))),
            settings,
        }
    }

    /// Whether `authorization` carries the metrics token, compared in
    /// constant time (over digests, so the length does not show either).
    pub fn metrics_token_ok(&self, authorization: Option<&HeaderValue>) -> bool {
        let Some(want) = &self.settings.metrics_token else {
            return false;
        };
        let got = authorization
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        let (a, b) = (
            Sha256::digest(got.as_bytes()),
            Sha256::digest(want.expose_secret().as_bytes()),
        );
        a.iter()
            .zip(b.iter())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
            && !got.is_empty()
    }
}

/// Refuses a request at once when `max_in_flight` are being handled:
/// queueing them would only grow memory and latency.
pub async fn shed_load(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Ok(_permit) = state.http().in_flight.clone().try_acquire_owned() else {
        let mut resp = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            "the service is handling as many requests as it can; try again in a second",
        )
        .into_response();
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return resp;
    };
    next.run(req).await
}

/// Bounds a request from headers received to response started: 408
/// `request_timeout` when the client had not finished sending the body,
/// 503 `response_timeout` when the service was the slow one.
pub async fn deadline(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit = state.http().settings.request_timeout;
    let (parts, body) = req.into_parts();
    let received = Arc::new(AtomicBool::new(body.is_end_stream()));
    let body = Body::new(Tracked {
        inner: body,
        received: received.clone(),
    });
    match tokio::time::timeout(limit, next.run(Request::from_parts(parts, body))).await {
        Ok(resp) => resp,
        Err(_) if !received.load(Ordering::Acquire) => ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            format!(
                "the request body did not arrive within {} ms",
                limit.as_millis()
            ),
        )
        .into_response(),
        Err(_) => {
            let mut resp = ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "response_timeout",
                format!(
                    "the service did not answer within {} ms; try again later",
                    limit.as_millis()
                ),
            )
            .into_response();
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            resp
        }
    }
}

/// A request body that notes when it has been read to the end.
struct Tracked {
    inner: Body,
    received: Arc<AtomicBool>,
}

impl HttpBody for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) || self.inner.is_end_stream() {
            self.received.store(true, Ordering::Release);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
