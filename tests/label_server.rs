//! `gleaner label` end to end over HTTP: labels saved through the server are the labels
//! `gleaner train` reads back, reopening resumes, and the server's security rules hold (token,
//! paths, loopback only, nothing written outside --out or over an input).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use gleaner::dataset::Dataset;
use gleaner::Label;

const PAGE: &str = "training-data/pages/news-en-01.html";

/// A running `gleaner label`, stopped when dropped.
struct Server {
    child: Child,
    port: u16,
    token: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(pages: &[&Path], out: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gleaner"))
        .arg("label")
        .args(pages)
        .arg("--out")
        .arg(out)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim();
    let rest = url.strip_prefix("http://127.0.0.1:").expect(url);
    let (port, token) = rest.split_once("/?token=").expect(url);
    Server {
        port: port.parse().unwrap(),
        token: token.to_string(),
        child,
    }
}

/// One HTTP request; the status and body of the answer.
fn request(port: u16, method: &str, target: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap();
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

impl Server {
    fn get(&self, path: &str, query: &str) -> (u16, String) {
        request(
            self.port,
            "GET",
            &format!("{path}?token={}{query}", self.token),
            "",
        )
    }

    fn save(&self, index: usize, labels: &[Label]) -> (u16, String) {
        let body = serde_json::json!({ "labels": labels }).to_string();
        request(
            self.port,
            "POST",
            &format!("/api/save?token={}&i={index}", self.token),
            &body,
        )
    }

    fn page(&self, index: usize) -> serde_json::Value {
        let (status, body) = self.get("/api/page", &format!("&i={index}"));
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    }
}

fn scratch() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    // The page without its labels, as a user's scraped page would be.
    let html = std::fs::read_to_string(PAGE)
        .unwrap()
        .replace("data-gleaner-label", "data-x");
    std::fs::write(input.join("story.html"), html).unwrap();
    let out = dir.path().join("out");
    (dir, input, out)
}

/// Every file under `dir`, relative to it.
fn files_under(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    files.sort();
    files
}

#[test]
fn labels_saved_in_the_browser_are_the_labels_training_reads() {
    let (_dir, input, out) = scratch();
    let server = start(&[&input.join("story.html")], &out);
    let page = server.page(0);
    let blocks = page["blocks"].as_array().unwrap().len();
    assert!(blocks > 20, "{blocks} blocks");
    assert_eq!(page["saved"], false);
    let kinds = [
        Label::Content,
        Label::Boilerplate,
        Label::Teaser,
        Label::Promo,
        Label::Comment,
    ];
    let labels: Vec<Label> = (0..blocks).map(|i| kinds[(i * 7 / 3) % 5]).collect();
    let (status, body) = server.save(0, &labels);
    assert_eq!(status, 200, "{body}");

    // What `gleaner train --data OUT` reads.
    let sets = Dataset::discover(&out).unwrap();
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0].pages.len(), 1);
    let read = sets[0].pages[0].load().unwrap();
    assert!(read.hand_labelled);
    let expected: Vec<Option<Label>> = labels.iter().copied().map(Some).collect();
    assert_eq!(read.labels, expected);
    drop(server);

    // Reopening the same --out resumes with the saved labels.
    let server = start(&[&input.join("story.html")], &out);
    let page = server.page(0);
    assert_eq!(page["saved"], true);
    let resumed: Vec<Label> = serde_json::from_value(page["labels"].clone()).unwrap();
    assert_eq!(resumed, labels);
    let (_, pages) = server.get("/api/pages", "");
    assert!(pages.contains("\"saved\":true"), "{pages}");
}

#[test]
fn every_request_without_the_token_is_forbidden() {
    let (_dir, input, out) = scratch();
    let server = start(&[&input.join("story.html")], &out);
    for target in [
        "/",
        "/app.js",
        "/api/pages",
        "/api/page?i=0",
        "/?token=",
        "/x",
    ] {
        let (status, body) = request(server.port, "GET", target, "");
        assert_eq!(status, 403, "{target}: {body}");
        // A token one character off: the first character changed, never kept (a fixed
        // replacement would equal the real token whenever it starts with that character).
        let first = if server.token.starts_with('0') {
            '1'
        } else {
            '0'
        };
        let wrong = format!(
            "{target}{}token={first}{}",
            if target.contains('?') { "&" } else { "?" },
            &server.token[1..]
        );
        assert_eq!(request(server.port, "GET", &wrong, "").0, 403, "{wrong}");
    }
    let body = r#"{"labels":["content"]}"#;
    assert_eq!(request(server.port, "POST", "/api/save?i=0", body).0, 403);
    assert!(!out.join("story.html").exists());
    // With the token, the page and its assets are served.
    assert_eq!(server.get("/", "").0, 200);
    assert_eq!(server.get("/app.js", "").0, 200);
}

#[test]
fn paths_are_refused_and_nothing_is_written_outside_out() {
    let (dir, input, out) = scratch();
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, "do not serve me").unwrap();
    let server = start(&[&input.join("story.html")], &out);
    let absolute = secret.display().to_string();
    for target in [
        "/../secret.txt",
        "/api/../../secret.txt",
        "/..%2f..%2fsecret.txt",
        absolute.as_str(),
        "/etc/passwd",
        "//etc/passwd",
    ] {
        let (status, body) = server.get(target, "");
        assert!(status == 400 || status == 404, "{target}: {status}");
        assert!(!body.contains("do not serve me") && !body.contains("root:"));
    }
    for index in ["../secret.txt", &absolute, "1", "-1"] {
        let (status, _) = server.get("/api/page", &format!("&i={index}"));
        assert_eq!(status, 404, "{index}");
        let (status, _) = request(
            server.port,
            "POST",
            &format!("/api/save?token={}&i={index}", server.token),
            r#"{"labels":[]}"#,
        );
        assert_eq!(status, 404, "{index}");
    }
    // A wrong number of labels is refused and writes nothing.
    assert_eq!(server.save(0, &[Label::Content]).0, 422);
    let before = files_under(dir.path());
    assert_eq!(before, ["in/story.html", "secret.txt"]);
    let page = server.page(0);
    let labels = vec![Label::Content; page["blocks"].as_array().unwrap().len()];
    assert_eq!(server.save(0, &labels).0, 200);
    assert_eq!(
        files_under(dir.path()),
        ["in/story.html", "out/story.html", "secret.txt"]
    );
    let original = std::fs::read_to_string(input.join("story.html")).unwrap();
    assert!(!original.contains("data-gleaner-label"));
}

#[test]
fn an_out_directory_that_would_overwrite_an_input_is_refused() {
    let (_dir, input, _) = scratch();
    let status = Command::new(env!("CARGO_BIN_EXE_gleaner"))
        .arg("label")
        .arg(input.join("story.html"))
        .arg("--out")
        .arg(&input)
        .stdout(Stdio::null())
        .output()
        .unwrap();
    assert!(!status.status.success());
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert!(stderr.contains("overwrite an input"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn a_symlink_in_out_to_an_input_is_refused() {
    let (_dir, input, out) = scratch();
    std::fs::create_dir(&out).unwrap();
    std::os::unix::fs::symlink(input.join("story.html"), out.join("story.html")).unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_gleaner"))
        .arg("label")
        .arg(input.join("story.html"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(!status.status.success());
}

#[cfg(target_os = "linux")]
#[test]
fn the_server_listens_on_loopback_only() {
    let (_dir, input, out) = scratch();
    let server = start(&[&input.join("story.html")], &out);
    let port = format!(":{:04X}", server.port);
    let mut listening = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // local address, and state 0A (listening).
            if fields.len() > 3 && fields[1].ends_with(&port) && fields[3] == "0A" {
                listening.push(fields[1].to_string());
            }
        }
    }
    assert_eq!(listening, [format!("0100007F{port}")]);
}
