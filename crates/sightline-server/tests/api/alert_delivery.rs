//! The outbox under failure: SMTP down during a hit, and a node that
//! committed a hit but died before sending it. Each (read, entry,
//! recipient) is emailed exactly once. And without a relay, a mail
//! directory gets each message once, as an `.eml` file.

use crate::alerts::{add, entry, new_list, read};
use crate::both_backends;
use crate::helpers::{Db, mail_for, outbox_settled, spawn_app};
use sightline_store::backoff;
use sightline_testkit::SmtpServer;
use time::Duration;

/// The `.eml` files in `dir`, with any half-written ones.
fn mail_files(dir: &std::path::Path) -> (Vec<String>, usize) {
    let names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    let partial = names.iter().filter(|n| n.ends_with(".partial")).count();
    let mut eml: Vec<String> = names.into_iter().filter(|n| n.ends_with(".eml")).collect();
    eml.sort();
    (eml, partial)
}

async fn without_a_relay_each_mail_lands_once_in_the_mail_directory(db: Db) {
    let app = spawn_app(db).await;
    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("mail");
    let first = app.start_sender_to_dir(&maildir);
    let jones = app.login("hsi.jones").await;
    let list = new_list(&app, &jones, "Files").await;
    add(&app, &jones, list, entry("FILE001", "PA")).await;
    read(&app, "file-1", "FILE001", "PA").await;
    outbox_settled(&app.store, 1).await;
    let (files, partial) = mail_files(&maildir);
    assert_eq!((files.len(), partial), (1, 0), "{files:?}");
    let text = std::fs::read_to_string(maildir.join(&files[0])).unwrap();
    assert!(text.contains("To: hsi.jones@agency.test"), "{text}");
    assert!(text.contains("FILE001"), "{text}");
    assert!(text.contains("Message-ID: <"), "{text}");
    // Another sender, long after every lease: nothing is written twice.
    drop(first);
    app.advance(Duration::hours(2));
    let second = app.start_sender_to_dir(&maildir);
    outbox_settled(&app.store, 1).await;
    drop(second);
    assert_eq!(mail_files(&maildir).0, files);
    assert_eq!(app.store.outbox().counts().await.unwrap(), (0, 1));
}

async fn mail_held_while_smtp_is_down_arrives_once_when_it_returns(db: Db) {
    let app = spawn_app(db).await;
    let mut smtp = SmtpServer::start();
    smtp.stop();
    let _sender = app.start_sender(&smtp);
    let jones = app.login("hsi.jones").await;
    let list = new_list(&app, &jones, "Down").await;
    add(&app, &jones, list, entry("DOWN001", "PA")).await;
    read(&app, "down-1", "DOWN001", "PA").await;
    // The sender tries, fails and backs off (by the injected clock).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while app.store.outbox().max_attempts().await.unwrap() < 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "the sender never tried"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(app.store.outbox().counts().await.unwrap(), (1, 0));
    smtp.restart();
    // Not due yet: the clock has not moved past the backoff.
    assert!(smtp.messages().is_empty());
    app.advance(backoff(1) + Duration::seconds(1));
    let got = mail_for(&smtp, "hsi.jones@agency.test", 1).await;
    assert_eq!(got.len(), 1);
    assert!(got[0].subject.contains("DOWN001"));
    outbox_settled(&app.store, 1).await;
    // Later passes, even after every lease could have lapsed, send nothing more.
    app.advance(Duration::hours(2));
    let sender = app.start_sender(&smtp);
    outbox_settled(&app.store, 1).await;
    drop(sender);
    assert_eq!(smtp.messages().len(), 1);
    assert_eq!(app.store.outbox().counts().await.unwrap(), (0, 1));
}

async fn a_hit_committed_by_a_node_that_died_before_sending_is_sent_once_by_another(db: Db) {
    // The serving node has no sender: it commits the read, the hit and its
    // pending email, and is gone before any delivery.
    let app = spawn_app(db).await;
    let smtp = SmtpServer::start();
    let jones = app.login("hsi.jones").await;
    let list = new_list(&app, &jones, "Crash").await;
    add(&app, &jones, list, entry("CRASH01", "PA")).await;
    read(&app, "crash-1", "CRASH01", "PA").await;
    assert_eq!(app.store.outbox().counts().await.unwrap(), (1, 0));
    assert!(smtp.messages().is_empty());
    // Two other nodes start senders on the same database.
    let a = app.start_sender(&smtp);
    let b = app.start_sender(&smtp);
    let got = mail_for(&smtp, "hsi.jones@agency.test", 1).await;
    assert_eq!(got.len(), 1);
    outbox_settled(&app.store, 1).await;
    drop((a, b));
    assert_eq!(smtp.messages().len(), 1, "emailed exactly once");
    assert!(!got[0].message_id.is_empty());
}

both_backends!(
    mail_held_while_smtp_is_down_arrives_once_when_it_returns,
    a_hit_committed_by_a_node_that_died_before_sending_is_sent_once_by_another,
    without_a_relay_each_mail_lands_once_in_the_mail_directory,
);
