//! A real SMTP server process (Python `aiosmtpd`) on 127.0.0.1 that writes
//! every message it accepts to a directory, for tests to read back.
//!
//! The process holds its stdin open to the test process, like the
//! PostgreSQL supervisor: when the pipe closes (the `SmtpServer` is dropped,
//! or the test process dies) it stops. [`SmtpServer::stop`] and
//! [`SmtpServer::restart`] take it down and bring it back on the same port,
//! for "SMTP is down" tests.

use std::io::{BufRead as _, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SCRIPT: &str = r#"
import os, sys, time
from aiosmtpd.controller import Controller

port = int(sys.argv[1]); out = sys.argv[2]

class Sink:
    n = 0
    async def handle_DATA(self, server, session, envelope):
        Sink.n += 1
        name = "%d-%d-%06d" % (time.time_ns(), os.getpid(), Sink.n)
        tmp = os.path.join(out, name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(b"X-Envelope-To: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            data = envelope.original_content or envelope.content
            f.write(data if isinstance(data, bytes) else data.encode())
            f.flush(); os.fsync(f.fileno())
        os.rename(tmp, os.path.join(out, name + ".eml"))
        return "250 Message accepted for delivery"

c = Controller(Sink(), hostname="127.0.0.1", port=port)
c.start()
print("ready", flush=True)
sys.stdin.read()
c.stop()
"#;

/// One message as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// Envelope recipients.
    pub envelope_to: Vec<String>,
    pub to: String,
    pub from: String,
    pub subject: String,
    pub message_id: String,
    /// The body, with quoted-printable soft breaks undone.
    pub body: String,
}

/// A running (or stopped) SMTP sink.
#[derive(Debug)]
pub struct SmtpServer {
    port: u16,
    dir: PathBuf,
    script: PathBuf,
    child: Option<Child>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("finding a free port")
}

fn header(head: &str, name: &str) -> String {
    let mut out = String::new();
    let mut taking = false;
    for line in head.lines() {
        if taking && (line.starts_with(' ') || line.starts_with('\t')) {
            out.push(' ');
            out.push_str(line.trim_start());
            continue;
        }
        taking = false;
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case(name)
        {
            out = v.trim().to_owned();
            taking = true;
        }
    }
    out
}

fn decode_qp(s: &str) -> String {
    let joined = s.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&c) = bytes.get(i) {
        if c == b'='
            && let Some(v) = joined
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(c);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse(raw: &str) -> ReceivedMail {
    let raw = raw.replace("\r\n", "\n");
    let (head, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
    let qp = header(head, "Content-Transfer-Encoding").eq_ignore_ascii_case("quoted-printable");
    let body = if qp { decode_qp(body) } else { body.to_owned() };
    ReceivedMail {
        envelope_to: header(head, "X-Envelope-To")
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        to: header(head, "To"),
        from: header(head, "From"),
        subject: header(head, "Subject"),
        message_id: header(head, "Message-ID"),
        body,
    }
}

impl SmtpServer {
    /// Starts a server on a free port. Needs `python3` with `aiosmtpd`
    /// (scripts/install-test-deps.sh installs it).
    pub fn start() -> Self {
        let dir = std::env::temp_dir().join(format!("sightline-smtp-{}", crate::unique_suffix()));
        std::fs::create_dir_all(&dir).expect("creating the mail directory");
        let script = dir.join("sink.py");
        std::fs::write(&script, SCRIPT).expect("writing the SMTP sink script");
        let mail = dir.join("mail");
        std::fs::create_dir_all(&mail).expect("creating the mail directory");
        let mut s = Self {
            port: free_port(),
            dir,
            script,
            child: None,
        };
        s.restart();
        s
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `smtp://127.0.0.1:PORT`, for the service's settings.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn mail_dir(&self) -> PathBuf {
        self.dir.join("mail")
    }

    /// Stops the server; connections are refused until [`Self::restart`].
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            drop(child.stdin.take());
            let _ = child.wait();
        }
    }

    /// (Re)starts the server on the same port and waits until it accepts.
    pub fn restart(&mut self) {
        self.stop();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mut child = Command::new("python3")
                .arg(&self.script)
                .arg(self.port.to_string())
                .arg(self.mail_dir())
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("starting python3 (install it and aiosmtpd: scripts/install-test-deps.sh)");
            let mut line = String::new();
            let stdout = child.stdout.take().expect("piped stdout");
            let _ = BufReader::new(stdout).read_line(&mut line);
            if line.trim() == "ready" {
                self.child = Some(child);
                return;
            }
            drop(child.stdin.take());
            let out = child.wait_with_output().expect("SMTP sink output");
            let err = String::from_utf8_lossy(&out.stderr).into_owned();
            // The port may linger briefly after a stop: retry, then give up.
            assert!(
                Instant::now() < deadline && err.contains("in use"),
                "the SMTP sink did not start (is aiosmtpd installed?): {err}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Every message received so far, oldest first.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.mail_dir())
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
            .iter()
            .map(|p| parse(&std::fs::read_to_string(p).unwrap_or_default()))
            .collect()
    }

    /// Messages addressed to `address`.
    pub fn messages_to(&self, address: &str) -> Vec<ReceivedMail> {
        self.messages()
            .into_iter()
            .filter(|m| {
                m.envelope_to
                    .iter()
                    .any(|t| t.eq_ignore_ascii_case(address))
            })
            .collect()
    }

    /// Waits (on the real process, up to `timeout`) until at least `n`
    /// messages have arrived, and returns them all.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let deadline = Instant::now() + timeout;
        loop {
            let got = self.messages();
            if got.len() >= n || Instant::now() >= deadline {
                return got;
            }
            // Waiting on an external process, not on the test clock.
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_headers_and_quoted_printable_bodies() {
        let raw = "X-Envelope-To: a@x.test\r\nTo: a@x.test\r\nSubject: Hello\r\n  world\r\n\
                   Content-Transfer-Encoding: quoted-printable\r\n\r\nline one=\r\n continues =3D ok\r\n";
        let m = parse(raw);
        assert_eq!(m.envelope_to, vec!["a@x.test".to_owned()]);
        assert_eq!(m.subject, "Hello world");
        assert_eq!(m.body, "line one continues = ok\n");
    }
}
