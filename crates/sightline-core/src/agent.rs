//! OpenALPR / Rekor agents' image service: where the operator says a
//! source's agent serves its photos, and the only things a payload may
//! contribute to a request there (a validated UUID and a crop box).
//!
//! No request ever goes anywhere but an [`AgentBaseUrl`] the operator
//! registered, followed by a fixed path built from an [`AgentUuid`]: a
//! payload cannot name a host, a port or a path (no SSRF).

use serde::{Deserialize, Serialize};
use std::fmt;

/// The base URL of an agent's image service, e.g. `http://10.1.2.3:8355`:
/// `http`, a host (IPv4, `[IPv6]` or a DNS name), an optional port, and
/// nothing else (no user info, path, query or fragment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AgentBaseUrl {
    host: String,
    port: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadAgentUrl {
    #[error(
        "only http:// is supported: the agent's image service speaks plain HTTP (port 8355 by default)"
    )]
    Scheme,
    #[error("the URL has no host")]
    NoHost,
    #[error("the host is not an IPv4 address, a bracketed IPv6 address or a DNS name")]
    Host,
    #[error("the port is not a number from 1 to 65535")]
    Port,
    #[error("the URL may hold only a scheme, a host and a port: no user, path, query or fragment")]
    Extra,
}

/// The port of OpenALPR's agent web service.
pub const DEFAULT_AGENT_PORT: u16 = 8355;

fn dns_name(h: &str) -> bool {
    h.len() <= 253
        && h.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

impl AgentBaseUrl {
    /// Parses `http://host[:port][/]`. A missing port means 8355.
    pub fn parse(raw: &str) -> Result<Self, BadAgentUrl> {
        let raw = raw.trim();
        let rest = match raw.get(..7) {
            Some(s) if s.eq_ignore_ascii_case("http://") => raw.get(7..).unwrap_or_default(),
            _ => return Err(BadAgentUrl::Scheme),
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.is_empty() {
            return Err(BadAgentUrl::NoHost);
        }
        if rest.contains(['/', '?', '#', '@', '\\', '%']) || rest.chars().any(char::is_whitespace) {
            return Err(BadAgentUrl::Extra);
        }
        let (host, port) = if let Some(v6) = rest.strip_prefix('[') {
            let (addr, after) = v6.split_once(']').ok_or(BadAgentUrl::Host)?;
            addr.parse::<std::net::Ipv6Addr>()
                .map_err(|_| BadAgentUrl::Host)?;
            let port = match after {
                "" => None,
                p => Some(p.strip_prefix(':').ok_or(BadAgentUrl::Extra)?),
            };
            (format!("[{addr}]"), port)
        } else {
            let (host, port) = match rest.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (rest, None),
            };
            let host = host.to_ascii_lowercase();
            if host.is_empty() {
                return Err(BadAgentUrl::NoHost);
            }
            let is_ip = host.parse::<std::net::Ipv4Addr>().is_ok();
            let looks_numeric = host.bytes().all(|b| b.is_ascii_digit() || b == b'.');
            if !is_ip && (looks_numeric || !dns_name(&host)) {
                return Err(BadAgentUrl::Host);
            }
            (host, port)
        };
        let port = match port {
            None => DEFAULT_AGENT_PORT,
            Some(p) => match p.parse::<u16>() {
                Ok(n) if n > 0 && p.bytes().all(|b| b.is_ascii_digit()) => n,
                _ => return Err(BadAgentUrl::Port),
            },
        };
        Ok(Self { host, port })
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The full frame of a capture: `/img/{uuid}.jpg`.
    pub fn frame_url(&self, uuid: &AgentUuid) -> String {
        format!("{self}/img/{}.jpg", uuid.as_str())
    }

    /// A crop of a capture: `/crop/{uuid}?x1=..&y1=..&x2=..&y2=..`.
    pub fn crop_url(&self, uuid: &AgentUuid, b: &CropBox) -> String {
        format!(
            "{self}/crop/{}?x1={}&y1={}&x2={}&y2={}",
            uuid.as_str(),
            b.x1,
            b.y1,
            b.x2,
            b.y2
        )
    }
}

impl fmt::Display for AgentBaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "http://{}:{}", self.host, self.port)
    }
}

impl TryFrom<String> for AgentBaseUrl {
    type Error = BadAgentUrl;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<AgentBaseUrl> for String {
    fn from(u: AgentBaseUrl) -> String {
        u.to_string()
    }
}

/// The identifier an agent gives a capture (`best_uuid`, `uuid`), as used
/// in its image service's paths: 1 to 128 ASCII letters, digits, `-` and
/// `_`. Anything else (a `/`, `.`, `%`, `?`) is refused, so no payload can
/// steer a request to another path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AgentUuid(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an agent UUID is 1 to 128 ASCII letters, digits, '-' or '_'")]
pub struct BadAgentUuid;

/// What [`AgentUuid::parse`] accepts, for error messages.
pub const AGENT_UUID_CHARSET: &str = "1 to 128 ASCII letters, digits, '-' or '_'";

impl AgentUuid {
    pub fn parse(raw: &str) -> Result<Self, BadAgentUuid> {
        if (1..=128).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            Ok(Self(raw.to_owned()))
        } else {
            Err(BadAgentUuid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for AgentUuid {
    type Error = BadAgentUuid;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<AgentUuid> for String {
    fn from(u: AgentUuid) -> String {
        u.0
    }
}

/// A pixel box in a capture's full frame, `x1 < x2`, `y1 < y2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CropBox {
    pub x1: u32,
    pub y1: u32,
    pub x2: u32,
    pub y2: u32,
}

/// The largest frame side a crop box may reach (16K video).
pub const MAX_FRAME_SIDE: u32 = 16_384;

impl CropBox {
    /// The box around a plate's corner points, grown by a margin (a quarter
    /// of the plate's width each side horizontally, half its height each
    /// side vertically, at least 8 px) and clamped to the frame when its
    /// size is known. `None` for no points, a degenerate box, or points
    /// outside any plausible frame.
    pub fn around(points: &[(i64, i64)], frame: Option<(u32, u32)>) -> Option<Self> {
        let max = i64::from(MAX_FRAME_SIDE);
        if points.is_empty()
            || points
                .iter()
                .any(|&(x, y)| !(-max..=max).contains(&x) || !(-max..=max).contains(&y))
        {
            return None;
        }
        let xs = points.iter().map(|p| p.0);
        let ys = points.iter().map(|p| p.1);
        let (x1, x2) = (xs.clone().min()?, xs.max()?);
        let (y1, y2) = (ys.clone().min()?, ys.max()?);
        if x2 <= x1 || y2 <= y1 {
            return None;
        }
        let mx = ((x2 - x1) / 4).max(8);
        let my = ((y2 - y1) / 2).max(8);
        let (w, h) = frame.map_or((max, max), |(w, h)| (i64::from(w), i64::from(h)));
        let clamp = |v: i64, hi: i64| u32::try_from(v.clamp(0, hi.min(max))).unwrap_or(0);
        let b = Self {
            x1: clamp(x1 - mx, w),
            y1: clamp(y1 - my, h),
            x2: clamp(x2 + mx, w),
            y2: clamp(y2 + my, h),
        };
        (b.x2 > b.x1 && b.y2 > b.y1).then_some(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        let u = AgentBaseUrl::parse("http://10.1.2.3:8355").unwrap();
        assert_eq!(u.to_string(), "http://10.1.2.3:8355");
        assert_eq!(
            AgentBaseUrl::parse(" HTTP://Agent-1.Lot.example/ ")
                .unwrap()
                .to_string(),
            "http://agent-1.lot.example:8355"
        );
        assert_eq!(
            AgentBaseUrl::parse("http://[::1]:9000")
                .unwrap()
                .to_string(),
            "http://[::1]:9000"
        );
        for (raw, e) in [
            ("https://10.1.2.3", BadAgentUrl::Scheme),
            ("ftp://x", BadAgentUrl::Scheme),
            ("10.1.2.3:8355", BadAgentUrl::Scheme),
            ("http://", BadAgentUrl::NoHost),
            ("http://:80", BadAgentUrl::NoHost),
            ("http://a/b", BadAgentUrl::Extra),
            ("http://a/../b", BadAgentUrl::Extra),
            ("http://user:pw@a", BadAgentUrl::Extra),
            ("http://a?x=1", BadAgentUrl::Extra),
            ("http://a#f", BadAgentUrl::Extra),
            ("http://a%2fb", BadAgentUrl::Extra),
            ("http://a:0", BadAgentUrl::Port),
            ("http://a:70000", BadAgentUrl::Port),
            ("http://a:+80", BadAgentUrl::Port),
            ("http://a_b", BadAgentUrl::Host),
            ("http://999.1.1.1", BadAgentUrl::Host),
            ("http://[::g]", BadAgentUrl::Host),
            ("http://-a.example", BadAgentUrl::Host),
        ] {
            assert_eq!(AgentBaseUrl::parse(raw), Err(e), "{raw}");
        }
    }

    #[test]
    fn uuids_and_fixed_paths() {
        let base = AgentBaseUrl::parse("http://127.0.0.1:9").unwrap();
        let id = AgentUuid::parse("ABC-123_x-1763640000123").unwrap();
        assert_eq!(
            base.frame_url(&id),
            "http://127.0.0.1:9/img/ABC-123_x-1763640000123.jpg"
        );
        let b = CropBox {
            x1: 1,
            y1: 2,
            x2: 3,
            y2: 4,
        };
        assert_eq!(
            base.crop_url(&id, &b),
            "http://127.0.0.1:9/crop/ABC-123_x-1763640000123?x1=1&y1=2&x2=3&y2=4"
        );
        for bad in [
            "",
            "../etc",
            "a/b",
            "a.b",
            "a?b",
            "a%2f",
            "a b",
            "é",
            &"a".repeat(129),
        ] {
            assert_eq!(AgentUuid::parse(bad), Err(BadAgentUuid), "{bad}");
        }
    }

    #[test]
    fn crop_box_has_a_margin_and_stays_in_the_frame() {
        let pts = [(62, 219), (115, 217), (114, 245), (61, 247)];
        let b = CropBox::around(&pts, Some((1280, 720))).unwrap();
        assert_eq!(
            b,
            CropBox {
                x1: 48,
                y1: 202,
                x2: 128,
                y2: 262
            }
        );
        let edge = CropBox::around(&[(0, 0), (100, 20)], Some((100, 20))).unwrap();
        assert_eq!(
            edge,
            CropBox {
                x1: 0,
                y1: 0,
                x2: 100,
                y2: 20
            }
        );
        assert_eq!(CropBox::around(&[], None), None);
        assert_eq!(CropBox::around(&[(5, 5), (5, 9)], None), None);
        assert_eq!(CropBox::around(&[(0, 0), (99_999, 9)], None), None);
    }
}
