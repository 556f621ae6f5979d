//! `gleaner label`: a labelling page in the browser, served by gleaner itself.
//!
//! Data flow: every page given is read, decoded and mapped block by block
//! ([`gleaner::labelling::BlockMap`]), scored by the model (its labels are the starting
//! point), and resumed from `--out` when a saved copy of it is there. A small blocking HTTP
//! server (`tiny_http`, one request at a time) then answers on 127.0.0.1 only:
//!
//! - `/` (the page), `/app.js`, `/app.css`: assets embedded in the binary;
//! - `/api/pages`: the pages and which are saved; `/api/page?i=N`: page N's blocks, scores
//!   and labels;
//! - `POST /api/save?i=N` with `{"labels": [...]}`: writes page N with those labels into
//!   `--out` (a new file beside nothing else: never an input, never outside `--out`).
//!
//! Every request must carry the random token printed with the URL (`?token=`), or it is
//! answered 403; pages are addressed by their index in the command line, never by a path.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use gleaner::labelling::{read_labels, BlockMap};
use gleaner::{Extractor, Label};
use rand::RngCore;
use serde::{Deserialize, Serialize};

const INDEX_HTML: &str = include_str!("label/index.html");
const APP_JS: &str = include_str!("label/app.js");
const APP_CSS: &str = include_str!("label/app.css");

/// How close to the threshold (in content probability) a block's score must be to count as
/// uncertain, highlighted and visited first.
const UNCERTAIN_MARGIN: f64 = 0.15;

/// The largest save request read (labels of one page as JSON).
const MAX_BODY: u64 = 4 << 20;

/// Arguments of `gleaner label`.
#[derive(clap::Args)]
pub struct LabelArgs {
    /// HTML pages to label (plain or gzipped, any charset).
    #[arg(required = true, num_args = 1..)]
    pages: Vec<PathBuf>,
    /// Directory the labelled pages are saved into (created if missing); labels saved there
    /// before are read back, so running the command again resumes.
    #[arg(long)]
    out: PathBuf,
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Model whose labels the blocks start with (default: the built-in one).
    #[arg(long)]
    model: Option<PathBuf>,
}

/// One page being labelled.
struct LabelPage {
    name: String,
    out_path: PathBuf,
    map: Option<BlockMap>,
    /// Why the page cannot be labelled, when it cannot.
    error: Option<String>,
    blocks: Vec<BlockView>,
    /// Labels as last saved (or as found in `--out` at start).
    saved: Option<Vec<Label>>,
}

#[derive(Serialize, Clone)]
struct BlockView {
    text: String,
    tag: &'static str,
    heading: u8,
    links: bool,
    score: f64,
    model_label: Label,
    uncertain: bool,
}

#[derive(Serialize)]
struct PageSummary<'a> {
    index: usize,
    name: &'a str,
    blocks: usize,
    saved: bool,
    changed: bool,
    error: Option<&'a str>,
}

#[derive(Serialize)]
struct PageDetail<'a> {
    index: usize,
    name: &'a str,
    out_path: String,
    error: Option<&'a str>,
    blocks: &'a [BlockView],
    labels: Vec<Label>,
    saved: bool,
}

#[derive(Deserialize)]
struct SaveRequest {
    labels: Vec<Label>,
}

/// The file name a page is saved under: its own name (without `.gz`), made `.html`, with
/// `-2`, `-3`… when two inputs share a name.
fn out_names(pages: &[PathBuf]) -> Vec<String> {
    let mut used = std::collections::HashSet::new();
    pages
        .iter()
        .map(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "page".into());
            let name = name.strip_suffix(".gz").unwrap_or(&name);
            let stem = name
                .strip_suffix(".html")
                .or_else(|| name.strip_suffix(".htm"))
                .unwrap_or(name);
            let stem: String = stem
                .chars()
                .map(|c| if c == '/' || c == '\\' { '_' } else { c })
                .collect();
            let mut candidate = format!("{stem}.html");
            let mut n = 2;
            while !used.insert(candidate.clone()) {
                candidate = format!("{stem}-{n}.html");
                n += 1;
            }
            candidate
        })
        .collect()
}

fn load_page(extractor: &Extractor, path: &Path, out_path: PathBuf) -> LabelPage {
    let name = path.display().to_string();
    let mut page = LabelPage {
        name,
        out_path,
        map: None,
        error: None,
        blocks: Vec::new(),
        saved: None,
    };
    let decoded = std::fs::read(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
        .and_then(|bytes| {
            gleaner::decode::decode(&bytes, None, gleaner::decode::DEFAULT_MAX_BYTES)
                .map_err(|e| e.to_string())
        });
    let html = match decoded {
        Ok(d) => d.html,
        Err(e) => {
            page.error = Some(e);
            return page;
        }
    };
    let map = match BlockMap::new(&html) {
        Ok(map) => map,
        Err(e) => {
            page.error = Some(e.to_string());
            return page;
        }
    };
    let extraction = extractor.extract_html(&html);
    let threshold = extractor
        .model()
        .threshold_for(extraction.page_type_probabilities.as_ref());
    page.blocks = extraction
        .blocks
        .iter()
        .map(|b| BlockView {
            text: b.block.text.clone(),
            tag: b.block.tag,
            heading: b.block.heading_level,
            links: b.block.link_chars * 2 > b.block.chars,
            score: b.score,
            model_label: b.label,
            uncertain: (b.score - threshold).abs() < UNCERTAIN_MARGIN,
        })
        .collect();
    page.saved = read_saved(&page.out_path, map.texts());
    page.map = Some(map);
    page
}

/// The labels of a page's saved copy, when it has one whose blocks are the page's.
fn read_saved(path: &Path, texts: &[String]) -> Option<Vec<Label>> {
    let bytes = std::fs::read(path).ok()?;
    let html = gleaner::decode::decode(&bytes, None, gleaner::decode::DEFAULT_MAX_BYTES)
        .ok()?
        .html;
    let read = read_labels(&html);
    if read.texts != texts {
        return None;
    }
    read.labels.into_iter().collect()
}

/// Same file, by identity, as any of `inputs` (a hard link or symlink included).
fn is_an_input(path: &Path, inputs: &[PathBuf]) -> bool {
    let Ok(target) = std::fs::canonicalize(path) else {
        return false;
    };
    inputs
        .iter()
        .any(|input| std::fs::canonicalize(input).is_ok_and(|i| i == target))
        || same_inode(path, inputs)
}

#[cfg(unix)]
fn same_inode(path: &Path, inputs: &[PathBuf]) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    inputs
        .iter()
        .any(|i| std::fs::metadata(i).is_ok_and(|m| m.dev() == meta.dev() && m.ino() == meta.ino()))
}

#[cfg(not(unix))]
fn same_inode(_: &Path, _: &[PathBuf]) -> bool {
    false
}

struct Server {
    token: String,
    pages: Vec<LabelPage>,
    inputs: Vec<PathBuf>,
    out: PathBuf,
}

pub fn run(args: LabelArgs) -> Result<ExitCode, String> {
    let extractor = super::extractor(args.model.as_ref())?;
    std::fs::create_dir_all(&args.out)
        .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    let out = std::fs::canonicalize(&args.out)
        .map_err(|e| format!("cannot open {}: {e}", args.out.display()))?;
    let names = out_names(&args.pages);
    for (input, name) in args.pages.iter().zip(&names) {
        if is_an_input(&out.join(name), &args.pages) {
            return Err(format!(
                "saving {} into {} would overwrite an input page; choose another --out",
                input.display(),
                out.display()
            ));
        }
    }
    let pages: Vec<LabelPage> = args
        .pages
        .iter()
        .zip(names)
        .map(|(path, name)| load_page(&extractor, path, out.join(name)))
        .collect();
    let mut token_bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut token_bytes);
    let token: String = token_bytes.iter().map(|b| format!("{b:02x}")).collect();
    let server = tiny_http::Server::http(("127.0.0.1", args.port))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", args.port))?;
    let port = server
        .server_addr()
        .to_ip()
        .map(|a| a.port())
        .ok_or("the server has no IP address")?;
    let loaded = pages.iter().filter(|p| p.error.is_none()).count();
    for page in pages.iter().filter(|p| p.error.is_some()) {
        eprintln!(
            "gleaner: {}: {}",
            page.name,
            page.error.as_deref().unwrap_or_default()
        );
    }
    eprintln!(
        "gleaner: {loaded} of {} pages ready to label; saving into {}; press Ctrl-C to stop",
        pages.len(),
        out.display()
    );
    super::print_out(&format!("http://127.0.0.1:{port}/?token={token}"))?;
    let mut state = Server {
        token,
        pages,
        inputs: args.pages,
        out,
    };
    for request in server.incoming_requests() {
        state.answer(request, port);
    }
    Ok(ExitCode::SUCCESS)
}

fn json_response(status: u16, body: String) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    response(status, "application/json", body)
}

fn response(
    status: u16,
    content_type: &str,
    body: String,
) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    let mut response = tiny_http::Response::from_string(body).with_status_code(status);
    for (name, value) in [
        ("Content-Type", format!("{content_type}; charset=utf-8")),
        ("Cache-Control", "no-store".into()),
        ("X-Content-Type-Options", "nosniff".into()),
        (
            "Content-Security-Policy",
            "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
                .into(),
        ),
    ] {
        if let Ok(header) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(header);
        }
    }
    response
}

fn error_json(status: u16, message: &str) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    json_response(status, serde_json::json!({ "error": message }).to_string())
}

/// The value of `key` in a query string (no percent-decoding: the values used are hex and
/// digits).
fn query_value<'a>(query: &'a str, key: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

/// Compares in time independent of where the strings differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

impl Server {
    fn answer(&mut self, mut request: tiny_http::Request, port: u16) {
        let url = request.url().to_string();
        let (path, query) = url.split_once('?').unwrap_or((&url, ""));
        let token_ok = query_value(query, "token").is_some_and(|t| same_secret(t, &self.token));
        let host_ok = request
            .headers()
            .iter()
            .find(|h| h.field.equiv("Host"))
            .is_none_or(|h| {
                let host = h.value.as_str();
                host == format!("127.0.0.1:{port}") || host == format!("localhost:{port}")
            });
        let reply = if !token_ok || !host_ok {
            error_json(
                403,
                "forbidden: open the URL gleaner label printed, with its token",
            )
        } else if path.contains("..") || path.contains('\\') || path.contains("//") {
            error_json(400, "paths are not accepted: pages are addressed by index")
        } else {
            let index = query_value(query, "i").and_then(|i| i.parse::<usize>().ok());
            match (request.method(), path) {
                (tiny_http::Method::Get, "/") => response(
                    200,
                    "text/html",
                    INDEX_HTML.replace("{{TOKEN}}", &self.token),
                ),
                (tiny_http::Method::Get, "/app.js") => {
                    response(200, "text/javascript", APP_JS.into())
                }
                (tiny_http::Method::Get, "/app.css") => response(200, "text/css", APP_CSS.into()),
                (tiny_http::Method::Get, "/api/pages") => self.summaries(),
                (tiny_http::Method::Get, "/api/page") => self.detail(index),
                (tiny_http::Method::Post, "/api/save") => {
                    let mut body = String::new();
                    let read = request.as_reader().take(MAX_BODY).read_to_string(&mut body);
                    match read {
                        Ok(_) => self.save(index, &body),
                        Err(e) => error_json(400, &format!("cannot read the request: {e}")),
                    }
                }
                _ => error_json(404, "not found"),
            }
        };
        // A browser that went away is no reason to stop serving.
        let _ = request.respond(reply);
    }

    fn summaries(&self) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
        let list: Vec<PageSummary<'_>> = self
            .pages
            .iter()
            .enumerate()
            .map(|(index, p)| PageSummary {
                index,
                name: &p.name,
                blocks: p.blocks.len(),
                saved: p.saved.is_some(),
                changed: p.saved.as_ref().is_some_and(|labels| {
                    labels
                        .iter()
                        .zip(&p.blocks)
                        .any(|(l, b)| *l != b.model_label)
                }),
                error: p.error.as_deref(),
            })
            .collect();
        json_response(200, serde_json::to_string(&list).unwrap_or_default())
    }

    fn detail(&self, index: Option<usize>) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
        let Some((index, page)) = index.and_then(|i| Some((i, self.pages.get(i)?))) else {
            return error_json(404, "no such page");
        };
        let labels = page
            .saved
            .clone()
            .unwrap_or_else(|| page.blocks.iter().map(|b| b.model_label).collect());
        let detail = PageDetail {
            index,
            name: &page.name,
            out_path: page.out_path.display().to_string(),
            error: page.error.as_deref(),
            blocks: &page.blocks,
            labels,
            saved: page.saved.is_some(),
        };
        json_response(200, serde_json::to_string(&detail).unwrap_or_default())
    }

    fn save(
        &mut self,
        index: Option<usize>,
        body: &str,
    ) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
        let Some(page) = index.and_then(|i| self.pages.get_mut(i)) else {
            return error_json(404, "no such page");
        };
        let Some(map) = &page.map else {
            return error_json(
                409,
                page.error.as_deref().unwrap_or("cannot label this page"),
            );
        };
        let request: SaveRequest = match serde_json::from_str(body) {
            Ok(r) => r,
            Err(e) => return error_json(400, &format!("not a list of labels: {e}")),
        };
        let html = match map.write_labels(&request.labels) {
            Ok(html) => html,
            Err(e) => return error_json(422, &e.to_string()),
        };
        // Only ever a file directly inside --out, never an input, written whole then renamed.
        let inside = page.out_path.parent() == Some(self.out.as_path());
        if !inside || is_an_input(&page.out_path, &self.inputs) {
            return error_json(403, "refusing to write outside --out or over an input page");
        }
        let temporary = self.out.join(format!(
            ".{}.tmp",
            page.out_path
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        ));
        let written = std::fs::File::create(&temporary)
            .and_then(|mut f| f.write_all(html.as_bytes()).and_then(|()| f.sync_all()))
            .and_then(|()| std::fs::rename(&temporary, &page.out_path));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&temporary);
            return error_json(
                500,
                &format!("cannot write {}: {e}", page.out_path.display()),
            );
        }
        page.saved = Some(request.labels);
        json_response(
            200,
            serde_json::json!({ "saved": page.out_path.display().to_string() }).to_string(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_names_are_plain_html_and_distinct() {
        let names = out_names(&[
            PathBuf::from("a/page.html.gz"),
            PathBuf::from("b/page.html"),
            PathBuf::from("c/other.htm"),
        ]);
        assert_eq!(names, ["page.html", "page-2.html", "other.html"]);
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
    }
}
