//! `gleaner batch` on WARC and JSON Lines inputs, and `--resume`, through the built binary.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

const PAGES: usize = 520;

fn gleaner(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gleaner"));
    command.args(args);
    command.stdin(std::process::Stdio::piped());
    command.stdout(std::process::Stdio::piped());
    command.stderr(std::process::Stdio::piped());
    let mut child = command.spawn().expect("gleaner runs");
    let mut pipe = child.stdin.take().unwrap();
    pipe.write_all(stdin.unwrap_or_default()).unwrap();
    drop(pipe);
    child.wait_with_output().unwrap()
}

fn page(i: usize) -> String {
    format!(
        "<!doctype html><html><head><title>Story {i}</title></head><body>\
         <nav><a href=/>Home</a> <a href=/news>News</a> <a href=/sport>Sport</a></nav>\
         <article><h1>Story {i}: the harbour reopens</h1>\
         <p>Story {i} begins: the harbour reopened on Monday after three months of repairs to \
         the sea wall, which was badly damaged in the January storms, the port authority said.</p>\
         <p>Fishing boats returned to their moorings by the afternoon, and the ferry to the \
         islands will resume its full timetable next week, according to the operator.</p>\
         </article><footer>© 2024 Coast News · Privacy · Terms</footer></body></html>"
    )
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn warc_record(kind: &str, id: &str, uri: &str, content_type: &str, block: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Record-ID: {id}\r\nWARC-Target-URI: {uri}\r\n\
         WARC-Date: 2024-05-01T12:00:00Z\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\n\r\n",
        block.len()
    )
    .into_bytes();
    out.extend_from_slice(block);
    out.extend_from_slice(b"\r\n\r\n");
    out
}

fn http(content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// A WARC.gz with one gzip member per record: a warcinfo record, then per page a request and
/// an HTML response, and every 100th page also a non-HTML response (skipped).
fn write_warc(path: &Path) -> usize {
    let mut data = gzip(&warc_record(
        "warcinfo",
        "<urn:uuid:info>",
        "",
        "application/warc-fields",
        b"software: gleaner-test\r\n",
    ));
    let mut skipped = 0;
    for i in 0..PAGES {
        let uri = format!("https://news.example/{i}");
        data.extend(gzip(&warc_record(
            "request",
            &format!("<urn:uuid:req-{i}>"),
            &uri,
            "application/http; msgtype=request",
            format!("GET /{i} HTTP/1.1\r\nHost: news.example\r\n\r\n").as_bytes(),
        )));
        let content_type = if i % 2 == 0 {
            "text/html; charset=utf-8"
        } else {
            "application/xhtml+xml"
        };
        data.extend(gzip(&warc_record(
            "response",
            &format!("<urn:uuid:page-{i}>"),
            &uri,
            "application/http; msgtype=response",
            &http(content_type, page(i).as_bytes()),
        )));
        if i % 100 == 0 {
            skipped += 1;
            data.extend(gzip(&warc_record(
                "response",
                &format!("<urn:uuid:img-{i}>"),
                &format!("{uri}/logo.png"),
                "application/http; msgtype=response",
                &http("image/png", b"\x89PNG\r\n\x1a\n0000"),
            )));
        }
    }
    std::fs::write(path, data).unwrap();
    skipped
}

fn records(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is JSON"))
        .collect()
}

#[test]
fn warc_gz_input_gives_one_record_per_html_response_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let warc = dir.path().join("crawl.warc.gz");
    let skipped = write_warc(&warc);
    let out = dir.path().join("out.jsonl");
    let result = gleaner(
        &[
            "batch",
            warc.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
            "--jobs",
            "2",
            "--fields",
            "http,warc_date",
        ],
        None,
    );
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("{PAGES} pages, 0 errors"))
            && stderr.contains(&format!("{skipped} non-HTML records skipped")),
        "{stderr}"
    );
    let records = records(&out);
    assert_eq!(records.len(), PAGES);
    for (i, record) in records.iter().enumerate() {
        assert_eq!(record["url"], format!("https://news.example/{i}"));
        assert_eq!(record["warc_record_id"], format!("<urn:uuid:page-{i}>"));
        assert_eq!(record["http_status"], 200);
        assert_eq!(record["warc_date"], "2024-05-01T12:00:00Z");
        assert!(record["title"]
            .as_str()
            .unwrap()
            .starts_with(&format!("Story {i}")));
        let text = record["text"].as_str().unwrap();
        assert!(text.contains(&format!("Story {i} begins")), "{record}");
        assert!(!text.contains("Privacy"), "{record}");
        assert!(record["path"]
            .as_str()
            .unwrap()
            .starts_with(&warc.display().to_string()));
    }
}

#[test]
fn resume_finishes_a_cut_warc_run_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let warc = dir.path().join("crawl.warc.gz");
    write_warc(&warc);
    let out = dir.path().join("out.jsonl");
    let args = [
        "batch",
        warc.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ];
    assert!(gleaner(&args, None).status.success());
    let full = std::fs::read(&out).unwrap();
    // As if killed: 200 whole lines and a torn one.
    let cut = full
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .nth(199)
        .unwrap()
        .0
        + 30;
    std::fs::write(&out, &full[..cut]).unwrap();
    let mut resume = args.to_vec();
    resume.push("--resume");
    let result = gleaner(&resume, None);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("{} pages", PAGES - 200)) && stderr.contains("200 already done"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&out).unwrap(), full);
    // Resuming a finished run adds nothing.
    let result = gleaner(&resume, None);
    assert!(result.status.success());
    assert_eq!(std::fs::read(&out).unwrap(), full);
}

#[test]
fn jsonl_from_files_and_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = String::new();
    for i in 0..40 {
        let line = serde_json::json!({"url": format!("https://j.example/{i}"), "html": page(i)});
        lines.push_str(&format!("{line}\n"));
    }
    lines.push_str("{\"url\": \"https://j.example/broken\"\n");
    lines.push_str("{\"url\": \"https://j.example/nohtml\"}\n");
    let jsonl = dir.path().join("pages.jsonl.gz");
    std::fs::write(&jsonl, gzip(lines.as_bytes())).unwrap();
    let out = dir.path().join("out.jsonl");
    let result = gleaner(
        &[
            "batch",
            jsonl.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert!(result.status.success());
    let records = records(&out);
    assert_eq!(records.len(), 42);
    let shown = jsonl.display().to_string();
    for (i, record) in records[..40].iter().enumerate() {
        assert_eq!(record["path"], format!("{shown}:{}", i + 1));
        assert_eq!(record["url"], format!("https://j.example/{i}"));
        assert!(record["text"]
            .as_str()
            .unwrap()
            .contains(&format!("Story {i} begins")));
    }
    assert_eq!(records[40]["error_kind"], "parse");
    assert_eq!(records[40]["text"], "");
    assert_eq!(records[41]["error_kind"], "parse");
    assert_eq!(records[41]["url"], "https://j.example/nohtml");

    // The same lines on standard input, output on standard output.
    let result = gleaner(&["batch", "-", "--output", "-"], Some(lines.as_bytes()));
    assert!(result.status.success());
    let stdout = String::from_utf8(result.stdout).unwrap();
    let paths: Vec<String> = stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["path"].to_string())
        .collect();
    assert_eq!(paths.len(), 42);
    assert_eq!(paths[0], "\"-:1\"");
}

#[test]
fn files_from_a_list_on_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let mut list = String::new();
    for i in 0..5 {
        let path = dir.path().join(format!("p{i}.html"));
        std::fs::write(&path, page(i)).unwrap();
        list.push_str(&format!("{}\n", path.display()));
    }
    list.push_str(&format!("{}\n", dir.path().join("gone.html").display()));
    let out = dir.path().join("out.jsonl");
    let result = gleaner(
        &[
            "batch",
            "--files-from",
            "-",
            "--output",
            out.to_str().unwrap(),
        ],
        Some(list.as_bytes()),
    );
    assert!(result.status.success());
    let records = records(&out);
    assert_eq!(records.len(), 6);
    assert_eq!(records[5]["error_kind"], "io");
    assert!(records[2]["title"].as_str().unwrap().starts_with("Story 2"));
}
