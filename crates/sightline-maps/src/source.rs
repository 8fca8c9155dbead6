//! Where a layer's tiles come from, chosen by configuration: an operator's
//! tile server (URL template), a z/x/y directory, an MBTiles file, or the
//! built-in base map that Sightline renders itself.

use crate::builtin::BuiltinMap;
use crate::tile::TileId;
use anyhow::Context;
use bytes::Bytes;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;

/// Why a tile could not be had. A tile that does not exist is `Ok(None)`,
/// not an error.
#[derive(Debug, Error)]
pub enum TileError {
    /// The operator's tile server answered with an error status.
    #[error("the tile server answered {status}")]
    Upstream { status: u16 },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// An operator's raster XYZ tile server: `http://tiles.example/{z}/{x}/{y}.png`.
/// Built only through [`UrlTemplate::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlTemplate(String);

#[derive(Debug, Error, PartialEq, Eq)]
pub enum TemplateError {
    #[error(
        "a tile URL template must start with http:// (https:// needs TLS support, which this build leaves out)"
    )]
    Scheme,
    #[error("a tile URL template must contain {{z}}, {{x}} and {{y}}")]
    Placeholders,
}

impl UrlTemplate {
    pub fn parse(template: &str) -> Result<Self, TemplateError> {
        let t = template.trim();
        if !t.starts_with("http://") {
            return Err(TemplateError::Scheme);
        }
        if !["{z}", "{x}", "{y}"].iter().all(|p| t.contains(p)) {
            return Err(TemplateError::Placeholders);
        }
        Ok(Self(t.to_owned()))
    }

    pub fn url(&self, id: TileId) -> String {
        self.0
            .replace("{z}", &id.z().to_string())
            .replace("{x}", &id.x().to_string())
            .replace("{y}", &id.y().to_string())
    }
}

/// A layer's source of tiles.
#[derive(Debug, Clone)]
pub enum TileSource {
    /// Rendered by Sightline from embedded data; no network.
    Builtin(Arc<BuiltinMap>),
    /// Fetched from the operator's tile server, through the layer's cache.
    Url {
        template: UrlTemplate,
        client: reqwest::Client,
    },
    /// `{dir}/{z}/{x}/{y}.png`.
    Directory(PathBuf),
    /// An MBTiles file (SQLite; rows in TMS order, y counted from the south).
    MbTiles(SqlitePool),
}

impl TileSource {
    pub fn builtin() -> anyhow::Result<Self> {
        Ok(Self::Builtin(Arc::new(BuiltinMap::new()?)))
    }

    pub fn url(template: UrlTemplate) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(3))
            .user_agent(concat!("sightline/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("building the tile client")?;
        Ok(Self::Url { template, client })
    }

    pub fn directory(dir: &Path) -> anyhow::Result<Self> {
        anyhow::ensure!(
            dir.is_dir(),
            "tiles_dir {} is not a directory",
            dir.display()
        );
        Ok(Self::Directory(dir.to_owned()))
    }

    /// Opens an MBTiles file read-only. Lazy: the file is opened on first use,
    /// but it must exist now.
    pub fn mbtiles(file: &Path) -> anyhow::Result<Self> {
        anyhow::ensure!(file.is_file(), "mbtiles {} not found", file.display());
        let options = SqliteConnectOptions::new()
            .filename(file)
            .read_only(true)
            .immutable(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_lazy_with(options);
        Ok(Self::MbTiles(pool))
    }

    /// The tile's bytes, or `None` where the source has no such tile.
    pub async fn fetch(&self, id: TileId) -> Result<Option<Bytes>, TileError> {
        match self {
            Self::Builtin(map) => {
                let map = map.clone();
                let png = tokio::task::spawn_blocking(move || map.render_png(id))
                    .await
                    .context("tile render task")??;
                Ok(Some(Bytes::from(png)))
            }
            Self::Url { template, client } => {
                let url = template.url(id);
                let resp =
                    client.get(&url).send().await.with_context(|| {
                        format!("fetching tile {}/{}/{}", id.z(), id.x(), id.y())
                    })?;
                let status = resp.status();
                if status == reqwest::StatusCode::NOT_FOUND
                    || status == reqwest::StatusCode::NO_CONTENT
                {
                    return Ok(None);
                }
                if !status.is_success() {
                    return Err(TileError::Upstream {
                        status: status.as_u16(),
                    });
                }
                Ok(Some(resp.bytes().await.context("reading a tile")?))
            }
            Self::Directory(dir) => {
                let path = dir
                    .join(id.z().to_string())
                    .join(id.x().to_string())
                    .join(format!("{}.png", id.y()));
                match tokio::fs::read(&path).await {
                    Ok(b) => Ok(Some(Bytes::from(b))),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(anyhow::Error::new(e)
                        .context(format!("reading {}", path.display()))
                        .into()),
                }
            }
            Self::MbTiles(pool) => {
                let row = (1i64 << id.z()) - 1 - i64::from(id.y());
                let data: Option<Vec<u8>> = sqlx::query_scalar(
                    "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                )
                .bind(i64::from(id.z()))
                .bind(i64::from(id.x()))
                .bind(row)
                .fetch_optional(pool)
                .await
                .context("reading the MBTiles file")?;
                Ok(data.map(Bytes::from))
            }
        }
    }
}

/// The content type of tile bytes, from their first bytes.
pub fn content_type(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"\x89PNG") {
        "image/png"
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        "image/jpeg"
    } else if bytes.get(..4) == Some(b"RIFF".as_slice())
        && bytes.get(8..12) == Some(b"WEBP".as_slice())
    {
        "image/webp"
    } else {
        "application/octet-stream"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_checked() {
        let t = UrlTemplate::parse("http://tiles.example/{z}/{x}/{y}.png").unwrap();
        assert_eq!(
            t.url(TileId::new(3, 2, 1).unwrap()),
            "http://tiles.example/3/2/1.png"
        );
        assert_eq!(
            UrlTemplate::parse("ftp://x/{z}/{x}/{y}"),
            Err(TemplateError::Scheme)
        );
        assert_eq!(
            UrlTemplate::parse("http://x/{z}/{x}"),
            Err(TemplateError::Placeholders)
        );
    }

    #[test]
    fn content_types_are_sniffed() {
        assert_eq!(content_type(b"\x89PNG\r\n"), "image/png");
        assert_eq!(content_type(&[0xff, 0xd8, 0xff, 0xe0]), "image/jpeg");
        assert_eq!(content_type(b"RIFF\0\0\0\0WEBPVP8 "), "image/webp");
    }
}
