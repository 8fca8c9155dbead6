//! The sending side: settings and a lettre transport.
//!
//! `smtp://host:port` sends in plain text (loopback relays and the tests);
//! the STARTTLS and implicit-TLS schemes need lettre's rustls feature, which
//! this build leaves out, so such URLs are refused at start-up rather than
//! silently downgraded. Without a relay, a mail directory takes each
//! message as an `.eml` file (the demo's mailbox): named by its Message-ID,
//! written whole and then renamed, so a resend replaces the same file.

use anyhow::{Context as _, anyhow, bail};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Tokio1Executor};
use sightline_store::ClaimedMail;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long one SMTP conversation (connect to QUIT) may take before it
/// counts as failed.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(7);

/// What the service needs to send mail.
#[derive(Debug, Clone, Default)]
pub struct MailSettings {
    /// `smtp://host:port`; `None` keeps mail in the outbox unsent, unless
    /// `mail_dir` is set.
    pub smtp_url: Option<String>,
    /// With no `smtp_url`: a directory that receives each message as an
    /// `.eml` file instead of a relay.
    pub mail_dir: Option<PathBuf>,
    /// The From address.
    pub mail_from: String,
    /// Links in emails start with this, e.g. `https://sightline.example`.
    pub public_base_url: String,
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Dir(PathBuf),
}

/// A configured transport: an SMTP relay or a mail directory.
#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

fn host_port(url: &str) -> anyhow::Result<(String, u16)> {
    let rest = match url.split_once("://") {
        Some(("smtp", rest)) => rest,
        Some((scheme, _)) => bail!(
            "SMTP scheme '{scheme}' needs TLS support, which this build does not include; use smtp://host:port for a local relay"
        ),
        None => bail!("the SMTP URL must look like smtp://host:port"),
    };
    let rest = rest.trim_end_matches('/');
    let (host, port) = rest.rsplit_once(':').unwrap_or((rest, "25"));
    let port = port
        .parse::<u16>()
        .with_context(|| format!("bad SMTP port in {url}"))?;
    if host.is_empty() {
        bail!("the SMTP URL names no host");
    }
    Ok((host.to_owned(), port))
}

fn from_address(mail_from: &str) -> anyhow::Result<Mailbox> {
    mail_from
        .parse()
        .map_err(|e| anyhow!("mail_from '{mail_from}' is not an address: {e}"))
}

impl Mailer {
    pub fn new(smtp_url: &str, mail_from: &str) -> anyhow::Result<Self> {
        let (host, port) = host_port(smtp_url)?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(port)
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        Ok(Self {
            transport: Transport::Smtp(transport),
            from: from_address(mail_from)?,
        })
    }

    /// Delivers into `dir` (created if missing) instead of a relay.
    pub fn to_dir(dir: &Path, mail_from: &str) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the mail directory {}", dir.display()))?;
        Ok(Self {
            transport: Transport::Dir(dir.to_owned()),
            from: from_address(mail_from)?,
        })
    }

    /// Sends one claimed outbox message. Its Message-ID derives from the
    /// dedupe key, so a resend after a crash is recognisably the same mail.
    pub async fn send(&self, mail: &ClaimedMail, domain: &str) -> anyhow::Result<()> {
        let to: Mailbox = mail
            .recipient
            .parse()
            .map_err(|e| anyhow!("recipient is not an address: {e}"))?;
        let id = sightline_store::sha256_hex(mail.dedupe_key.as_bytes());
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.as_str())
            .message_id(Some(format!("<{id}@{domain}>")))
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .context("building an email")?;
        match &self.transport {
            // Bounds the whole conversation, not only each command, so a
            // claimed batch always finishes inside its lease.
            Transport::Smtp(smtp) => {
                tokio::time::timeout(SMTP_TIMEOUT, smtp.send(message))
                    .await
                    .map_err(|_| {
                        anyhow!("the SMTP conversation took longer than {SMTP_TIMEOUT:?}")
                    })?
                    .context("sending over SMTP")?;
            }
            Transport::Dir(dir) => {
                let file = dir.join(format!("{id}.eml"));
                let partial = dir.join(format!(".{id}.eml.partial"));
                tokio::fs::write(&partial, message.formatted())
                    .await
                    .with_context(|| format!("writing {}", partial.display()))?;
                tokio::fs::rename(&partial, &file)
                    .await
                    .with_context(|| format!("writing {}", file.display()))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_parse_and_tls_schemes_are_refused_not_downgraded() {
        assert_eq!(
            host_port("smtp://127.0.0.1:2525").ok(),
            Some(("127.0.0.1".to_owned(), 2525))
        );
        assert_eq!(
            host_port("smtp://relay").ok(),
            Some(("relay".to_owned(), 25))
        );
        assert!(host_port("smtps://relay:465").is_err());
        assert!(host_port("relay:25").is_err());
    }
}
