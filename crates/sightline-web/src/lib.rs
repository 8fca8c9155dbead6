//! The web app, as the server serves it.
//!
//! `dist/` holds the built app (`node tools/build.mjs` writes it from `app/`,
//! and it is committed so a fresh clone serves the app with no Node step).
//! Every file is embedded in the binary, in debug builds too, so what a
//! test drives is exactly what ships. Nothing here knows about HTTP: the
//! server decides the headers.

use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "dist/"]
struct Dist;

/// One embedded file.
#[derive(Debug, Clone)]
pub struct Asset {
    pub bytes: std::borrow::Cow<'static, [u8]>,
    /// The `Content-Type` to serve it with.
    pub content_type: &'static str,
    /// A strong validator: the hex SHA-256 of the bytes.
    pub etag: String,
}

/// The file at `path` (no leading slash), if the app has one.
pub fn asset(path: &str) -> Option<Asset> {
    let file = Dist::get(path)?;
    let etag = hex(&file.metadata.sha256_hash());
    Some(Asset {
        bytes: file.data,
        content_type: content_type(path),
        etag,
    })
}

/// The app's single page, served for every route the app itself handles.
pub fn index() -> Option<Asset> {
    asset("index.html")
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shell_is_embedded() {
        let index = index().expect("dist/index.html is built and committed");
        let html = String::from_utf8_lossy(&index.bytes);
        assert!(html.contains("<script type=\"module\" src=\"/app.js\""));
        assert_eq!(index.content_type, "text/html; charset=utf-8");
        assert_eq!(index.etag.len(), 64);
        for path in ["app.js", "app.css", "sw.js", "manifest.webmanifest"] {
            assert!(asset(path).is_some(), "{path} missing from dist/");
        }
        assert!(asset("../Cargo.toml").is_none());
    }
}
