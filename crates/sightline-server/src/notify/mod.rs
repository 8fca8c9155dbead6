//! Outgoing notifications: mail settings, the SMTP mailer (lettre) and the
//! outbox sender task. Rows reach the outbox inside the transactions of the
//! features that cause them (`sightline_store::enqueue`); this module only
//! delivers them.

mod mailer;
mod sender;

pub use mailer::{MailSettings, Mailer};
pub use sender::{deliver_due, run_sender};
