//! The HTTP client that fetches photos from agents' image services.
//!
//! It only ever requests the registered base URL plus a fixed path
//! ([`AgentBaseUrl::frame_url`] / [`AgentBaseUrl::crop_url`]), follows no
//! redirect (a redirect could point anywhere), uses no proxy from the
//! environment, bounds the connection and each read in time, and reads at
//! most [`MAX_PHOTO_BYTES`] of a body.

use secrecy::ExposeSecret as _;
use sightline_core::agent::AgentBaseUrl;
use sightline_ingest::{MAX_PHOTO_BYTES, check_photo};
use sightline_store::{AgentFetch, AgentService};
use std::time::Duration;

/// Why a photo could not be fetched. The text is kept with the pending read
/// and, on refusal, in the operator's log: it never holds credentials.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("the agent did not answer: {0}")]
    Unreachable(String),
    #[error("the agent answered HTTP {0}")]
    Status(u16),
    #[error("the agent's photo is larger than {MAX_PHOTO_BYTES} bytes")]
    TooLarge,
    #[error("the agent's answer is not a photo: {0}")]
    NotAPhoto(String),
}

/// Timeouts of one fetch.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    /// Between two reads of the response, and for the whole response.
    pub read: Duration,
}

/// A client for agents' image services. Cloning shares its connections.
#[derive(Debug, Clone)]
pub struct AgentClient {
    http: reqwest::Client,
}

/// The reqwest error's own message, without its chain (which may repeat
/// the URL at length).
fn brief(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "connection failed".to_owned()
    } else {
        e.to_string()
    }
}

impl AgentClient {
    pub fn new(t: Timeouts) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(t.connect)
            .read_timeout(t.read)
            .timeout(t.read * 4)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(concat!("sightline/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { http })
    }

    /// Fetches one photo and checks it like any photo (type by magic bytes,
    /// size limit).
    pub async fn fetch(
        &self,
        service: &AgentService,
        what: &AgentFetch,
    ) -> Result<Vec<u8>, FetchError> {
        let url = url_of(&service.base_url, what);
        let mut req = self.http.get(url);
        if let Some(user) = &service.username {
            req = req.basic_auth(
                user,
                service
                    .password
                    .as_ref()
                    .map(|p| p.expose_secret().to_owned()),
            );
        }
        let mut resp = req
            .send()
            .await
            .map_err(|e| FetchError::Unreachable(brief(&e)))?;
        if !resp.status().is_success() {
            return Err(FetchError::Status(resp.status().as_u16()));
        }
        if resp
            .content_length()
            .is_some_and(|n| n > MAX_PHOTO_BYTES as u64)
        {
            return Err(FetchError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| FetchError::Unreachable(brief(&e)))?
        {
            if body.len() + chunk.len() > MAX_PHOTO_BYTES {
                return Err(FetchError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        check_photo("agent", &body).map_err(|v| FetchError::NotAPhoto(v.message))?;
        Ok(body)
    }
}

fn url_of(base: &AgentBaseUrl, what: &AgentFetch) -> String {
    match &what.crop {
        None => base.frame_url(&what.uuid),
        Some(b) => base.crop_url(&what.uuid, b),
    }
}
