//! `gleaner._gleaner`: the Python extension module around the `gleaner` library.
//!
//! Every page goes through [`gleaner::batch::extract_record`], the function `gleaner batch`
//! uses, so a result here is the CLI's record for the same options, and a panic inside the
//! library costs that page an error instead of the interpreter. Extraction runs with the GIL
//! released. The `gleaner` package (`src/gleaner/`) re-exports what is here and defines the
//! exception classes; its stub `_gleaner.pyi` documents the signatures.

use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use gleaner::batch::extract_record;
use gleaner::decode::DEFAULT_MAX_BYTES;
use gleaner::render::{BlockRecord, Record};
use gleaner::Model;
use pyo3::exceptions::PyValueError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple, PyType};

/// The CLI runs on mimalloc (measured faster for the parser's many small allocations); the
/// extension does too, so that a page costs the same in Python as on the command line.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How many pages of an iterable `extract_many` takes in at a time: large enough that the
/// threads rarely wait for the slowest page of a chunk, small enough that a long generator
/// is not held in memory whole.
const CHUNK: usize = 1024;

/// What `extract` returns. Markdown and HTML are to come (CLI issue); each is one more arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OutputFormat {
    /// The article text, paragraphs separated by blank lines (`gleaner extract`).
    Text,
    /// The CLI's JSON record as a dict (`gleaner extract --format json`).
    Json,
}

impl OutputFormat {
    const NAMES: [&'static str; 2] = ["text", "json"];

    fn parse(name: &str) -> PyResult<OutputFormat> {
        match name {
            "text" => Ok(OutputFormat::Text),
            "json" => Ok(OutputFormat::Json),
            other => Err(PyValueError::new_err(format!(
                "output_format '{other}' is not supported; use one of: {}",
                quoted(&OutputFormat::NAMES)
            ))),
        }
    }

    fn name(self) -> &'static str {
        match self {
            OutputFormat::Text => "text",
            OutputFormat::Json => "json",
        }
    }
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The options of one extractor, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Options {
    format: OutputFormat,
    include_comments: bool,
    blocks: bool,
    max_bytes: usize,
}

impl Options {
    fn new(
        output_format: &str,
        include_comments: bool,
        blocks: bool,
        max_bytes: Option<i64>,
        with_metadata: bool,
    ) -> PyResult<Options> {
        let format = OutputFormat::parse(output_format)?;
        if with_metadata && format != OutputFormat::Json {
            // trafilatura's name. gleaner's metadata (title, author, dates, page type, …) are
            // fields of the record, so they come with the record.
            return Err(PyValueError::new_err(
                "with_metadata=True needs output_format='json': the metadata gleaner finds \
                 (title, author, date_published, date_modified, site_name, language, \
                 canonical_url, description, image, tags, page_type, confidence) are fields \
                 of the JSON record",
            ));
        }
        if blocks && format != OutputFormat::Json {
            return Err(PyValueError::new_err(
                "blocks=True adds every block to the JSON record: use it with output_format='json'",
            ));
        }
        let max_bytes = match max_bytes {
            None => DEFAULT_MAX_BYTES,
            Some(n) if n > 0 => usize::try_from(n).unwrap_or(usize::MAX),
            Some(n) => {
                return Err(PyValueError::new_err(format!(
                    "max_bytes must be a positive number of bytes (default {DEFAULT_MAX_BYTES}), got {n}"
                )))
            }
        };
        Ok(Options {
            format,
            include_comments,
            blocks,
            max_bytes,
        })
    }
}

/// A failure of one page (or of loading a model): becomes a `gleaner.GleanerError`.
#[derive(Debug, Clone)]
struct Failure {
    message: String,
    kind: &'static str,
}

impl Failure {
    fn from_error(error: &gleaner::Error) -> Failure {
        Failure {
            message: error.to_string(),
            kind: error.kind(),
        }
    }

    fn panic(payload: &(dyn std::any::Any + Send)) -> Failure {
        let detail = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Failure {
            message: format!(
                "internal error while extracting this page: {detail} (please report it)"
            ),
            kind: "panic",
        }
    }

    /// Builds the Python exception (a `GleanerTypeError` for kind "type").
    fn to_exception<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let class = if self.kind == "type" {
            error_class(py, &GLEANER_TYPE_ERROR, "GleanerTypeError")?
        } else {
            error_class(py, &GLEANER_ERROR, "GleanerError")?
        };
        class.call1((self.message.as_str(), self.kind))
    }

    fn to_err(&self, py: Python<'_>) -> PyErr {
        match self.to_exception(py) {
            Ok(exception) => PyErr::from_value(exception),
            Err(e) => e,
        }
    }
}

static GLEANER_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static GLEANER_TYPE_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// The exception classes live in Python (`gleaner/_errors.py`), so that they pickle and
/// carry docstrings like any other.
fn error_class<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyType>>,
    name: &str,
) -> PyResult<Bound<'py, PyType>> {
    cell.import(py, "gleaner._errors", name).cloned()
}

/// Runs `f`, turning a panic into a [`Failure`] of kind "panic".
fn guard<T>(f: impl FnOnce() -> Result<T, Failure>) -> Result<T, Failure> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| Err(Failure::panic(&*payload)))
}

/// One page as the caller gave it, borrowed from the Python object where possible.
enum Html<'a> {
    /// Decoded text: its UTF-8 bytes are read as UTF-8, as `gleaner batch` reads the `"html"`
    /// string of a JSON line, whatever the page declares. Always valid UTF-8.
    Text(Cow<'a, [u8]>),
    /// Raw bytes (plain or gzip, any charset), decoded as `gleaner extract FILE` decodes.
    Bytes(&'a [u8]),
}

struct Page<'a> {
    html: Html<'a>,
    url: Option<Cow<'a, str>>,
    /// A charset from outside the page (an HTTP header), for bytes.
    charset: Option<Cow<'a, str>>,
}

impl Page<'_> {
    fn bytes_and_charset(&self) -> (&[u8], Option<&str>) {
        match &self.html {
            Html::Text(utf8) => (utf8, Some("utf-8")),
            Html::Bytes(bytes) => (bytes, self.charset.as_deref()),
        }
    }
}

fn type_failure(message: String) -> Failure {
    Failure {
        message,
        kind: "type",
    }
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    if obj.is_none() {
        return "None".into();
    }
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "an unknown type".into())
}

/// Reads a short `str` (a URL, a charset, a headline); lone surrogates (from
/// `surrogateescape` decoding, say) become U+FFFD.
fn text_of<'a>(s: &'a Bound<'_, PyString>) -> Cow<'a, str> {
    match s.to_str() {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(lossy(s)),
    }
}

/// A `str` with each lone surrogate replaced by U+FFFD (one each, where PyO3's
/// `to_string_lossy` gives three).
fn lossy(s: &Bound<'_, PyString>) -> String {
    s.call_method1("encode", ("utf-16-le", "surrogatepass"))
        .ok()
        .and_then(|b| b.cast_into::<PyBytes>().ok())
        .map(|b| {
            let units: Vec<u16> = b
                .as_bytes()
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        })
        .unwrap_or_else(|| s.to_string_lossy().into_owned())
}

/// A page given as `str`, as UTF-8 bytes. An ASCII str is read in place. Any other is encoded
/// into a copy that lives for this call only: `to_str` would leave CPython's cached UTF-8
/// copy inside the str object for as long as it lives, doubling the memory of the pages a
/// caller keeps (a list, a DataFrame column).
fn utf8_of<'a>(s: &'a Bound<'_, PyString>) -> Cow<'a, [u8]> {
    let ascii = s
        .call_method0(intern!(s.py(), "isascii"))
        .and_then(|a| a.extract::<bool>())
        .unwrap_or(false);
    if ascii {
        if let Ok(text) = s.to_str() {
            return Cow::Borrowed(text.as_bytes());
        }
    }
    match s.encode_utf8() {
        Ok(bytes) => Cow::Owned(bytes.as_bytes().to_vec()),
        Err(_) => Cow::Owned(lossy(s).into_bytes()),
    }
}

fn html_of<'a>(obj: &'a Bound<'_, PyAny>, what: &str) -> Result<Html<'a>, Failure> {
    if let Ok(s) = obj.cast::<PyString>() {
        Ok(Html::Text(utf8_of(s)))
    } else if let Ok(b) = obj.cast::<PyBytes>() {
        Ok(Html::Bytes(b.as_bytes()))
    } else {
        Err(type_failure(format!(
            "{what} must be str (decoded HTML) or bytes (the page as fetched, any charset, \
             plain or gzip), not {}{}",
            type_name(obj),
            if obj.hasattr("decode").unwrap_or(false) {
                "; pass bytes(...) of it"
            } else {
                ""
            }
        )))
    }
}

fn optional_text<'a>(
    obj: &'a Bound<'_, PyAny>,
    what: &str,
) -> Result<Option<Cow<'a, str>>, Failure> {
    if obj.is_none() {
        Ok(None)
    } else if let Ok(s) = obj.cast::<PyString>() {
        Ok(Some(text_of(s)))
    } else {
        Err(type_failure(format!(
            "{what} must be str or None, not {}",
            type_name(obj)
        )))
    }
}

/// An item of `extract_many`: a page, or a tuple `(page, url)` or `(page, url, charset)`.
fn page_item<'a>(obj: &'a Bound<'_, PyAny>, index: usize) -> Result<Page<'a>, Failure> {
    let what = format!("page {index}");
    let Ok(tuple) = obj.cast::<PyTuple>() else {
        return Ok(Page {
            html: html_of(obj, &what)?,
            url: None,
            charset: None,
        });
    };
    let parts = tuple.as_slice();
    if !(2..=3).contains(&parts.len()) {
        return Err(type_failure(format!(
            "{what} is a tuple of {} items; a page is str, bytes, (html, url) or \
             (html, url, charset)",
            parts.len()
        )));
    }
    Ok(Page {
        html: html_of(&parts[0], &what)?,
        url: optional_text(&parts[1], &format!("the url of {what}"))?,
        charset: match parts.get(2) {
            Some(c) => optional_text(c, &format!("the charset of {what}"))?,
            None => None,
        },
    })
}

/// What became of one page.
enum Outcome {
    Text(String),
    Record(Box<Record>),
    Failed(Failure),
}

/// A configured extractor, shared by every Python object (and module-level call) that uses
/// the same model and options.
struct Core {
    engine: gleaner::Extractor,
    /// The same model set up as `gleaner blocks` runs it, made on first use.
    blocks_engine: OnceLock<gleaner::Extractor>,
    options: Options,
    model_path: Option<PathBuf>,
}

impl Core {
    fn new(model: Model, options: Options, model_path: Option<PathBuf>) -> Core {
        // As the CLI: kinds of noise and their reasons only when blocks are written.
        let engine = gleaner::Extractor::new(model)
            .max_bytes(options.max_bytes)
            .explain(options.blocks)
            .name_kinds(options.blocks)
            .include_comments(options.include_comments);
        Core {
            engine,
            blocks_engine: OnceLock::new(),
            options,
            model_path,
        }
    }

    /// Extracts one page; never panics.
    fn run(&self, page: &Page<'_>) -> Outcome {
        let (bytes, charset) = page.bytes_and_charset();
        let record = guard(|| {
            Ok(extract_record(
                &self.engine,
                bytes,
                charset,
                page.url.as_deref(),
                self.options.blocks,
            ))
        });
        match record {
            Err(failure) => Outcome::Failed(failure),
            Ok(mut record) => match record.error.take() {
                Some(message) => Outcome::Failed(Failure {
                    message,
                    kind: record.error_kind.unwrap_or("panic"),
                }),
                None => match self.options.format {
                    OutputFormat::Text => Outcome::Text(record.text),
                    OutputFormat::Json => Outcome::Record(Box::new(record)),
                },
            },
        }
    }

    /// Every block with its features, labels, scores and reasons, as `gleaner blocks` writes
    /// them; never panics.
    fn blocks(&self, page: &Page<'_>) -> Result<Vec<BlockRecord>, Failure> {
        let (bytes, charset) = page.bytes_and_charset();
        guard(|| {
            let engine = self.blocks_engine.get_or_init(|| {
                self.engine
                    .clone()
                    .explain(true)
                    .name_kinds(true)
                    .include_comments(false)
            });
            gleaner::render::page_block_records_from(
                engine,
                bytes,
                charset,
                self.options.max_bytes,
                page.url.as_deref(),
            )
            .map_err(|e| Failure::from_error(&e))
        })
    }

    fn to_python(&self, py: Python<'_>, outcome: Outcome) -> PyResult<Result<Py<PyAny>, Failure>> {
        Ok(match outcome {
            Outcome::Text(text) => Ok(PyString::new(py, &text).into_any().unbind()),
            Outcome::Record(record) => Ok(to_python_value(py, &*record)?),
            Outcome::Failed(failure) => Err(failure),
        })
    }
}

fn to_python_value<T: serde::Serialize + ?Sized>(py: Python<'_>, value: &T) -> PyResult<Py<PyAny>> {
    pythonize::pythonize(py, value)
        .map(Bound::unbind)
        .map_err(PyErr::from)
}

/// The embedded block model, parsed once per process.
fn default_model() -> Result<&'static Model, Failure> {
    static MODEL: OnceLock<Result<Model, Failure>> = OnceLock::new();
    MODEL
        .get_or_init(|| Model::default_model().map_err(|e| Failure::from_error(&e)))
        .as_ref()
        .map_err(Clone::clone)
}

fn load_model(path: Option<&PathBuf>) -> Result<Model, Failure> {
    match path {
        Some(path) => Model::load(path).map_err(|e| Failure::from_error(&e)),
        None => default_model().cloned(),
    }
}

/// The extractors of module-level calls, one per set of options used (a handful at most).
fn shared_core(options: Options) -> Result<Arc<Core>, Failure> {
    static CORES: Mutex<Vec<Arc<Core>>> = Mutex::new(Vec::new());
    const KEEP: usize = 16;
    let mut cores = CORES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(core) = cores.iter().find(|c| c.options == options) {
        return Ok(Arc::clone(core));
    }
    let core = Arc::new(Core::new(default_model()?.clone(), options, None));
    if cores.len() >= KEEP {
        cores.remove(0);
    }
    cores.push(Arc::clone(&core));
    Ok(core)
}

/// Calls `f` on every item on `threads` threads (the calling one when 1), results in input
/// order. `f` must not panic; a worker that dies anyway costs its pages a "panic" failure.
fn parallel_map<T: Sync>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> Outcome + Sync,
) -> Vec<Outcome> {
    let workers = threads.min(items.len());
    if workers <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<Outcome>> = (0..items.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        done.push((i, f(item)));
                    }
                    done
                })
            })
            .collect();
        for handle in handles {
            for (i, outcome) in handle.join().unwrap_or_default() {
                results[i] = Some(outcome);
            }
        }
    });
    results
        .into_iter()
        .map(|r| {
            r.unwrap_or_else(|| {
                Outcome::Failed(Failure {
                    message: "internal error: the worker thread extracting this page stopped \
                              (please report it)"
                        .into(),
                    kind: "panic",
                })
            })
        })
        .collect()
}

fn thread_count(threads: Option<i64>) -> PyResult<usize> {
    match threads {
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
        Some(n) if n >= 1 => Ok(usize::try_from(n).unwrap_or(usize::MAX).min(1024)),
        Some(n) => Err(PyValueError::new_err(format!(
            "threads must be at least 1 (or None for one per core), got {n}"
        ))),
    }
}

/// Extracts the article of web pages with one model and one set of options. Load it once and
/// call `extract` (or `extract_many`) for every page; it is safe to share between threads.
///
/// Extractor(model=None, *, output_format="text", include_comments=False, blocks=False,
/// max_bytes=None, with_metadata=False): model is a file from `gleaner train` (None: the
/// built-in model); the options are those of gleaner.extract.
#[pyclass(frozen, module = "gleaner")]
struct Extractor {
    core: Arc<Core>,
}

#[pymethods]
impl Extractor {
    #[new]
    #[pyo3(signature = (model=None, *, output_format="text", include_comments=false, blocks=false, max_bytes=None, with_metadata=false))]
    fn new(
        py: Python<'_>,
        model: Option<PathBuf>,
        output_format: &str,
        include_comments: bool,
        blocks: bool,
        max_bytes: Option<i64>,
        with_metadata: bool,
    ) -> PyResult<Self> {
        let options = Options::new(
            output_format,
            include_comments,
            blocks,
            max_bytes,
            with_metadata,
        )?;
        let core = match &model {
            None => shared_core(options),
            Some(path) => load_model(Some(path)).map(|m| Arc::new(Core::new(m, options, model))),
        }
        .map_err(|f| f.to_err(py))?;
        Ok(Extractor { core })
    }

    /// Extracts one page: the text (output_format="text") or the record (a dict, "json").
    ///
    /// `html` is str (decoded HTML) or bytes (as fetched: plain or gzip, any charset); `url`
    /// is where it came from, when known; `charset` an HTTP header's charset, for bytes.
    /// Raises GleanerError (with .kind) for a page that cannot be read, GleanerTypeError for
    /// an argument of the wrong type.
    #[pyo3(signature = (html, url=None, *, charset=None))]
    fn extract(
        &self,
        py: Python<'_>,
        html: &Bound<'_, PyAny>,
        url: Option<&Bound<'_, PyAny>>,
        charset: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        extract_one(py, &self.core, html, url, charset)
    }

    /// Extracts many pages on `threads` threads with the GIL released; returns one result
    /// per page in input order, a `GleanerError` instance in place of a page that failed.
    #[pyo3(signature = (pages, threads=None))]
    fn extract_many<'py>(
        &self,
        py: Python<'py>,
        pages: &Bound<'py, PyAny>,
        threads: Option<i64>,
    ) -> PyResult<Bound<'py, PyList>> {
        let threads = thread_count(threads)?;
        if pages.is_instance_of::<PyString>() || pages.is_instance_of::<PyBytes>() {
            return Err(Failure {
                message: "extract_many takes an iterable of pages (a list, a generator …); \
                          for one page use extract()"
                    .into(),
                kind: "type",
            }
            .to_err(py));
        }
        let mut iter = pages.try_iter().map_err(|_| {
            type_failure(format!(
                "pages must be an iterable of str or bytes pages, not {}",
                type_name(pages)
            ))
            .to_err(py)
        })?;
        let out = PyList::empty(py);
        let mut index = 0;
        loop {
            let mut chunk = Vec::with_capacity(CHUNK);
            for item in iter.by_ref().take(CHUNK) {
                chunk.push(item?);
            }
            if chunk.is_empty() {
                break;
            }
            let items: Vec<Result<Page<'_>, Failure>> = chunk
                .iter()
                .enumerate()
                .map(|(i, obj)| page_item(obj, index + i))
                .collect();
            index += chunk.len();
            let core = &*self.core;
            let outcomes = py.detach(|| {
                parallel_map(&items, threads, |item| match item {
                    Ok(page) => core.run(page),
                    Err(failure) => Outcome::Failed(failure.clone()),
                })
            });
            drop(items);
            for outcome in outcomes {
                match core.to_python(py, outcome)? {
                    Ok(value) => out.append(value)?,
                    Err(failure) => out.append(failure.to_exception(py)?)?,
                }
            }
        }
        Ok(out)
    }

    /// Every block of the page as a dict, as `gleaner blocks FILE` prints them (one JSON
    /// object a line): text, tag, tag_path, label, score, first_score, reasons, features.
    #[pyo3(signature = (html, url=None, *, charset=None))]
    fn blocks(
        &self,
        py: Python<'_>,
        html: &Bound<'_, PyAny>,
        url: Option<&Bound<'_, PyAny>>,
        charset: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        blocks_one(py, &self.core, html, url, charset)
    }

    /// The output format: "text" or "json".
    #[getter]
    fn output_format(&self) -> &'static str {
        self.core.options.format.name()
    }

    #[getter]
    fn include_comments(&self) -> bool {
        self.core.options.include_comments
    }

    /// All options as a dict: output_format, include_comments, blocks, max_bytes.
    #[getter]
    fn options<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let o = &self.core.options;
        let dict = PyDict::new(py);
        dict.set_item("output_format", o.format.name())?;
        dict.set_item("include_comments", o.include_comments)?;
        dict.set_item("blocks", o.blocks)?;
        dict.set_item("max_bytes", o.max_bytes)?;
        Ok(dict)
    }

    #[getter]
    fn max_bytes(&self) -> usize {
        self.core.options.max_bytes
    }

    /// The model file, or None for the built-in model.
    #[getter]
    fn model(&self) -> Option<PathBuf> {
        self.core.model_path.clone()
    }

    fn __repr__(&self) -> String {
        let o = &self.core.options;
        format!(
            "gleaner.Extractor(model={}, output_format={:?}, include_comments={}, blocks={}, max_bytes={})",
            self.core
                .model_path
                .as_ref()
                .map_or("None".to_string(), |p| format!("{:?}", p.display().to_string())),
            o.format.name(),
            py_bool(o.include_comments),
            py_bool(o.blocks),
            o.max_bytes
        )
    }

    /// Pickles as its model path and options (the model is loaded again where it is
    /// unpickled), so an extractor can travel to Spark executors or worker processes.
    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let o = &self.core.options;
        let restore = py
            .import("gleaner._gleaner")?
            .getattr("_restore_extractor")?;
        let args = (
            self.core.model_path.clone(),
            o.format.name(),
            o.include_comments,
            o.blocks,
            o.max_bytes,
        )
            .into_pyobject(py)?;
        Ok((restore, args))
    }
}

fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

#[pyfunction]
fn _restore_extractor(
    py: Python<'_>,
    model: Option<PathBuf>,
    output_format: &str,
    include_comments: bool,
    blocks: bool,
    max_bytes: i64,
) -> PyResult<Extractor> {
    Extractor::new(
        py,
        model,
        output_format,
        include_comments,
        blocks,
        Some(max_bytes),
        false,
    )
}

fn single_page<'a>(
    html: &'a Bound<'_, PyAny>,
    url: Option<&'a Bound<'_, PyAny>>,
    charset: Option<&'a Bound<'_, PyAny>>,
) -> Result<Page<'a>, Failure> {
    Ok(Page {
        html: html_of(html, "html")?,
        url: match url {
            Some(u) => optional_text(u, "url")?,
            None => None,
        },
        charset: match charset {
            Some(c) => optional_text(c, "charset")?,
            None => None,
        },
    })
}

fn extract_one(
    py: Python<'_>,
    core: &Core,
    html: &Bound<'_, PyAny>,
    url: Option<&Bound<'_, PyAny>>,
    charset: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let page = single_page(html, url, charset).map_err(|f| f.to_err(py))?;
    let outcome = py.detach(|| core.run(&page));
    core.to_python(py, outcome)?.map_err(|f| f.to_err(py))
}

fn blocks_one(
    py: Python<'_>,
    core: &Core,
    html: &Bound<'_, PyAny>,
    url: Option<&Bound<'_, PyAny>>,
    charset: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let page = single_page(html, url, charset).map_err(|f| f.to_err(py))?;
    let blocks = py.detach(|| core.blocks(&page)).map_err(|f| f.to_err(py))?;
    to_python_value(py, &blocks)
}

/// Extracts the article of one page with the built-in model (loaded once per process).
///
/// `html` is str (decoded HTML, read as `gleaner batch` reads the "html" of a JSON line) or
/// bytes (the page as fetched: plain or gzip, any charset, decoded as `gleaner extract FILE`
/// decodes it). `url`, when known, helps tell the page type. Options, as the CLI's:
/// output_format ("text" or "json": the record as a dict), include_comments, blocks (with
/// JSON), max_bytes; charset is an HTTP header's charset for bytes. with_metadata=True is
/// accepted with JSON, whose record holds title, title_clickbait, page_type, confidence.
/// Raises GleanerError (with .kind: "empty", "decode", "panic" …) or GleanerTypeError.
#[pyfunction]
#[pyo3(signature = (html, url=None, *, output_format="text", include_comments=false, blocks=false, max_bytes=None, charset=None, with_metadata=false))]
#[allow(clippy::too_many_arguments)]
fn extract(
    py: Python<'_>,
    html: &Bound<'_, PyAny>,
    url: Option<&Bound<'_, PyAny>>,
    output_format: &str,
    include_comments: bool,
    blocks: bool,
    max_bytes: Option<i64>,
    charset: Option<&Bound<'_, PyAny>>,
    with_metadata: bool,
) -> PyResult<Py<PyAny>> {
    let options = Options::new(
        output_format,
        include_comments,
        blocks,
        max_bytes,
        with_metadata,
    )?;
    // The page's type is checked first, so a wrong argument is reported as such.
    single_page(html, url, charset).map_err(|f| f.to_err(py))?;
    let core = shared_core(options).map_err(|f| f.to_err(py))?;
    extract_one(py, &core, html, url, charset)
}

/// Every block of a page as a dict, with the built-in model (`gleaner blocks FILE`).
#[pyfunction]
#[pyo3(name = "blocks", signature = (html, url=None, *, charset=None, max_bytes=None))]
fn blocks_fn(
    py: Python<'_>,
    html: &Bound<'_, PyAny>,
    url: Option<&Bound<'_, PyAny>>,
    charset: Option<&Bound<'_, PyAny>>,
    max_bytes: Option<i64>,
) -> PyResult<Py<PyAny>> {
    let options = Options::new("text", false, false, max_bytes, false)?;
    single_page(html, url, charset).map_err(|f| f.to_err(py))?;
    let core = shared_core(options).map_err(|f| f.to_err(py))?;
    blocks_one(py, &core, html, url, charset)
}

/// Clickbait probability (0–1) of a headline, or a list of them for a list of headlines.
#[pyfunction]
fn clickbait_score(py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let model = gleaner::clickbait::default_model().ok_or_else(|| {
        Failure {
            message: "the built-in clickbait model could not be read; reinstall gleaner".into(),
            kind: "model",
        }
        .to_err(py)
    })?;
    if let Ok(s) = text.cast::<PyString>() {
        let s = text_of(s);
        let score = py.detach(|| model.score(&s));
        return Ok(score.into_pyobject(py)?.into_any().unbind());
    }
    if text.is_instance_of::<PyBytes>() || text.is_none() {
        return Err(type_failure(format!(
            "text must be str or a list of str, not {}",
            type_name(text)
        ))
        .to_err(py));
    }
    let items: Vec<Bound<'_, PyAny>> = text
        .try_iter()
        .map_err(|_| {
            type_failure(format!(
                "text must be str or a list of str, not {}",
                type_name(text)
            ))
            .to_err(py)
        })?
        .collect::<PyResult<_>>()?;
    let texts = items
        .iter()
        .enumerate()
        .map(|(i, obj)| match obj.cast::<PyString>() {
            Ok(s) => Ok(text_of(s)),
            Err(_) => Err(type_failure(format!(
                "headline {i} must be str, not {}",
                type_name(obj)
            ))
            .to_err(py)),
        })
        .collect::<PyResult<Vec<_>>>()?;
    let scores: Vec<f64> = py.detach(|| texts.iter().map(|t| model.score(t)).collect());
    Ok(PyList::new(py, scores)?.into_any().unbind())
}

/// For the test suite only: runs `pages` (bools: True panics) through the same guard and
/// thread pool as `extract_many`, so that a panic is shown to cost one page, not the process.
#[pyfunction]
#[pyo3(signature = (panics, threads=1))]
fn _panic_guard_check(
    py: Python<'_>,
    panics: Vec<bool>,
    threads: i64,
) -> PyResult<Bound<'_, PyList>> {
    let threads = thread_count(Some(threads))?;
    let outcomes = py.detach(|| {
        parallel_map(&panics, threads, |&panic| {
            match guard(|| {
                if panic {
                    panic!("deliberate panic for the test suite");
                }
                Ok("ok".to_string())
            }) {
                Ok(text) => Outcome::Text(text),
                Err(failure) => Outcome::Failed(failure),
            }
        })
    });
    let out = PyList::empty(py);
    for outcome in outcomes {
        match outcome {
            Outcome::Text(text) => out.append(text)?,
            Outcome::Failed(failure) => out.append(failure.to_exception(py)?)?,
            Outcome::Record(_) => unreachable!("the check makes no records"),
        }
    }
    Ok(out)
}

#[pymodule]
fn _gleaner(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Extractor>()?;
    m.add_function(wrap_pyfunction!(extract, m)?)?;
    m.add_function(wrap_pyfunction!(blocks_fn, m)?)?;
    m.add_function(wrap_pyfunction!(clickbait_score, m)?)?;
    m.add_function(wrap_pyfunction!(_restore_extractor, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_guard_check, m)?)?;
    m.add("DEFAULT_MAX_BYTES", DEFAULT_MAX_BYTES)?;
    m.add("OUTPUT_FORMATS", OutputFormat::NAMES.to_vec())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
