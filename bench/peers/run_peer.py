#!/usr/bin/env python3
"""Run one peer main-content extractor over many HTML pages in one process.

Usage:
    python run_peer.py --tool {trafilatura,readability,resiliparse,justext} \
        --output OUT.jsonl [--name FILENAME] INPUT...

INPUT is a file or a directory.  Directories are walked recursively for
*.html / *.htm files and their gzipped forms *.html.gz / *.htm.gz (or, with
--name, only for files with exactly that name, e.g. --name source.html).
Files given explicitly on the command line are always processed.  Pages are
processed in sorted path order.  Files whose name ends in .gz are gunzipped
before the bytes are handed to the tool; the path written to the JSONL is
still the .gz path as found.

For every page exactly one JSON line is written:
    {"path": ..., "title": ..., "text": ...}
plus "error": "<message>" (and "text": "") if the tool raised.

Each tool runs with its default settings for main-content extraction:
  trafilatura : trafilatura.extract(raw_bytes)            (trafilatura decodes)
  readability : readability.Document(raw_bytes).summary() (readability decodes),
                summary HTML converted to plain text, paragraphs separated by
                blank lines
  resiliparse : extract_plain_text(HTMLTree, main_content=True), bytes decoded
                with resiliparse's own detect_encoding/bytes_to_str
  justext     : justext.justext(raw_bytes, stoplist)      (justext decodes);
                non-boilerplate paragraphs joined by blank lines; stoplist
                from <html lang>, else English

Titles: readability -> Document.title(); resiliparse -> HTMLTree.title;
trafilatura/justext (no title from the default call) -> the page's <title>
element, read with a regex (not counted in the extraction time).

At the end a summary goes to stderr: tool, pages, errors, extract-call
seconds, loop wall seconds, total process seconds, pages/s.
"""

import argparse
import gzip
import html as htmllib
import json
import os
import re
import sys
import time

PROCESS_START = time.perf_counter()


# --------------------------------------------------------------------------
# input discovery

PAGE_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")


def collect_inputs(inputs, name=None):
    paths = []
    for inp in inputs:
        if os.path.isdir(inp):
            for root, dirs, files in os.walk(inp):
                for fn in files:
                    if name is not None:
                        ok = fn == name
                    else:
                        ok = fn.lower().endswith(PAGE_SUFFIXES)
                    if ok:
                        paths.append(os.path.join(root, fn))
        elif os.path.isfile(inp):
            paths.append(inp)
        else:
            print(f"warning: no such file or directory: {inp}", file=sys.stderr)
    return sorted(set(paths))


def read_page(path):
    """Raw bytes of a page; *.gz files are gunzipped."""
    with open(path, "rb") as f:
        data = f.read()
    if path.lower().endswith(".gz"):
        data = gzip.decompress(data)
    return data


# --------------------------------------------------------------------------
# helpers

_TITLE_RE = re.compile(rb"<title[^>]*>(.*?)</title\s*>", re.I | re.S)
_HTML_LANG_RE = re.compile(rb"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z_-]+)", re.I | re.S)


def decode_utf8(data):
    return data.decode("utf-8", errors="replace")


def regex_title(data):
    m = _TITLE_RE.search(data[:200000])
    if not m:
        return ""
    t = htmllib.unescape(decode_utf8(m.group(1)))
    return " ".join(t.split())


def norm_title(t):
    return " ".join((t or "").split())


# ISO 639-1 code -> justext stoplist name (only those justext ships)
JUSTEXT_LANGS = {
    "af": "Afrikaans", "sq": "Albanian", "ar": "Arabic", "an": "Aragonese",
    "hy": "Armenian", "ast": "Asturian", "az": "Azerbaijani", "eu": "Basque",
    "be": "Belarusian", "bn": "Bengali", "bs": "Bosnian", "br": "Breton",
    "bg": "Bulgarian", "ca": "Catalan", "ceb": "Cebuano", "cv": "Chuvash",
    "hr": "Croatian", "cs": "Czech", "da": "Danish", "nl": "Dutch",
    "en": "English", "eo": "Esperanto", "et": "Estonian", "fi": "Finnish",
    "fr": "French", "gl": "Galician", "ka": "Georgian", "de": "German",
    "el": "Greek", "gu": "Gujarati", "ht": "Haitian", "he": "Hebrew",
    "iw": "Hebrew", "hi": "Hindi", "hu": "Hungarian", "is": "Icelandic",
    "io": "Ido", "ig": "Igbo", "id": "Indonesian", "ga": "Irish",
    "it": "Italian", "jv": "Javanese", "kn": "Kannada", "kk": "Kazakh",
    "ko": "Korean", "ku": "Kurdish", "ky": "Kyrgyz", "la": "Latin",
    "lv": "Latvian", "lt": "Lithuanian", "lmo": "Lombard", "nds": "Low_Saxon",
    "lb": "Luxembourgish", "mk": "Macedonian", "ms": "Malay",
    "ml": "Malayalam", "mt": "Maltese", "mr": "Marathi", "nap": "Neapolitan",
    "ne": "Nepali", "new": "Newar", "nb": "Norwegian_Bokmal",
    "no": "Norwegian_Bokmal", "nn": "Norwegian_Nynorsk", "oc": "Occitan",
    "fa": "Persian", "pms": "Piedmontese", "pl": "Polish", "pt": "Portuguese",
    "qu": "Quechua", "ro": "Romanian", "ru": "Russian", "sr": "Serbian",
    "sh": "Serbo_Croatian", "scn": "Sicilian", "sk": "Slovak",
    "sl": "Slovenian", "es": "Spanish", "su": "Sundanese", "sw": "Swahili",
    "sv": "Swedish", "tl": "Tagalog", "ta": "Tamil", "te": "Telugu",
    "tr": "Turkish", "tk": "Turkmen", "uk": "Ukrainian", "ur": "Urdu",
    "uz": "Uzbek", "vi": "Vietnamese", "vo": "Volapuk", "wa": "Walloon",
    "war": "Waray_Waray", "cy": "Welsh", "fy": "West_Frisian",
    "pnb": "Western_Panjabi", "yo": "Yoruba",
}


def html_lang(data):
    m = _HTML_LANG_RE.search(data[:100000])
    if not m:
        return None
    code = m.group(1).decode("ascii", "replace").lower().replace("_", "-")
    return code.split("-")[0] or None


# --------------------------------------------------------------------------
# readability summary HTML -> plain text

_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "body", "center", "dd",
    "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hgroup", "hr", "html", "li", "main", "menu", "nav", "ol", "p", "pre",
    "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "ul", "caption",
}


_BR = "\x00"  # <br> marker; source newlines are ordinary whitespace


def html_fragment_to_text(fragment):
    """Plain text of an HTML fragment: one paragraph per block element,
    paragraphs separated by a blank line, <br> -> newline, whitespace inside
    a line collapsed."""
    import lxml.html

    if not fragment or not fragment.strip():
        return ""
    root = lxml.html.fromstring(fragment)
    paras = []
    cur = []

    def flush():
        if cur:
            s = "".join(cur)
            lines = [" ".join(l.split()) for l in s.split(_BR)]
            s = "\n".join(l for l in lines if l)
            if s:
                paras.append(s)
            cur.clear()

    def walk(el):
        tag = el.tag if isinstance(el.tag, str) else None
        if tag is None:  # comment / processing instruction
            if el.tail:
                cur.append(el.tail)
            return
        tag = tag.lower()
        if tag in ("script", "style", "noscript", "template"):
            if el.tail:
                cur.append(el.tail)
            return
        block = tag in _BLOCK_TAGS
        if block:
            flush()
        if tag == "br":
            cur.append(_BR)
        if el.text:
            cur.append(el.text)
        for ch in el:
            walk(ch)
        if block:
            flush()
        elif tag in ("td", "th"):
            cur.append(" ")
        if el.tail:
            cur.append(el.tail)

    walk(root)
    flush()
    return "\n\n".join(paras)


# --------------------------------------------------------------------------
# tools: each returns (title, text); the "extract" part is timed separately

def make_trafilatura():
    import trafilatura

    def run(data):
        t0 = time.perf_counter()
        text = trafilatura.extract(data)
        dt = time.perf_counter() - t0
        return regex_title(data), text or "", dt

    return run, {"trafilatura": trafilatura.__version__}


def make_readability():
    import readability
    from readability import Document

    def run(data):
        t0 = time.perf_counter()
        doc = Document(data)
        title = doc.title()
        summary = doc.summary()
        text = html_fragment_to_text(summary)
        dt = time.perf_counter() - t0
        return norm_title(title), text, dt

    try:
        from importlib.metadata import version
        v = version("readability-lxml")
    except Exception:  # pragma: no cover
        v = getattr(readability, "__version__", "?")
    return run, {"readability-lxml": v}


def make_resiliparse():
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.encoding import bytes_to_str, detect_encoding
    from resiliparse.parse.html import HTMLTree

    def run(data):
        t0 = time.perf_counter()
        s = bytes_to_str(data, detect_encoding(data))
        tree = HTMLTree.parse(s)
        text = extract_plain_text(tree, main_content=True)
        dt = time.perf_counter() - t0
        return norm_title(tree.title), text or "", dt

    from importlib.metadata import version
    return run, {"resiliparse": version("resiliparse")}


def make_justext():
    import justext

    available = set(justext.get_stoplists())
    cache = {}

    def stoplist_for(data):
        name = JUSTEXT_LANGS.get(html_lang(data) or "", "English")
        if name not in available:
            name = "English"
        if name not in cache:
            cache[name] = justext.get_stoplist(name)
        return cache[name]

    def run(data):
        t0 = time.perf_counter()
        stop = stoplist_for(data)
        paras = justext.justext(data, stop)
        text = "\n\n".join(p.text for p in paras if not p.is_boilerplate)
        dt = time.perf_counter() - t0
        return regex_title(data), text, dt

    from importlib.metadata import version
    return run, {"justext": version("justext")}


TOOLS = {
    "trafilatura": make_trafilatura,
    "readability": make_readability,
    "resiliparse": make_resiliparse,
    "justext": make_justext,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tool", required=True, choices=sorted(TOOLS))
    ap.add_argument("--output", "-o", required=True, help="output JSONL file ('-' = stdout)")
    ap.add_argument("--name", default=None,
                    help="in directories, take only files with exactly this file name "
                         "(e.g. source.html) instead of *.html/*.htm/*.html.gz/*.htm.gz")
    ap.add_argument("inputs", nargs="+", help="HTML files or directories")
    args = ap.parse_args()

    paths = collect_inputs(args.inputs, args.name)
    run, versions = TOOLS[args.tool]()

    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")
    n = errors = 0
    extract_s = 0.0
    loop_t0 = time.perf_counter()
    for path in paths:
        rec = {"path": path, "title": "", "text": ""}
        try:
            data = read_page(path)
            title, text, dt = run(data)
            extract_s += dt
            rec["title"] = title or ""
            rec["text"] = text or ""
        except Exception as e:  # one line per page, always
            errors += 1
            rec["text"] = ""
            rec["error"] = f"{type(e).__name__}: {e}"
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        n += 1
    loop_s = time.perf_counter() - loop_t0
    if out is not sys.stdout:
        out.close()
    total_s = time.perf_counter() - PROCESS_START

    vs = ", ".join(f"{k} {v}" for k, v in versions.items())
    print(
        f"tool={args.tool} ({vs}) pages={n} errors={errors} "
        f"extract_s={extract_s:.3f} loop_s={loop_s:.3f} process_s={total_s:.3f} "
        f"pages_per_s_loop={n / loop_s if loop_s > 0 else 0:.1f} "
        f"pages_per_s_process={n / total_s if total_s > 0 else 0:.1f}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
