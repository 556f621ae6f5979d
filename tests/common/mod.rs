//! Shared fixtures for the integration tests: realistic pages written for these tests, and
//! helpers to run the built `gleaner` binary.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The paragraphs of the article in [`news_page`]; each is long prose inside `<article>`.
pub const ARTICLE_PARAGRAPHS: [&str; 7] = [
    "The regional water authority confirmed on Tuesday that the new treatment plant at \
     Millbrook will begin supplying homes in the northern districts from the first week of \
     March, almost two years after construction started on the former paper mill site.",
    "Engineers spent the winter testing the filtration beds and the ultraviolet disinfection \
     line, which together can treat up to forty million litres a day, enough for roughly a \
     quarter of a million residents once the plant runs at full capacity.",
    "Residents of Oakfield and Hartley Green, where low pressure and discoloured water have \
     been a recurring complaint since the old reservoir was taken out of service, are expected \
     to notice the difference within days of the switch-over, according to the authority.",
    "The project cost 84 million pounds, about nine million more than first budgeted, largely \
     because contaminated soil had to be removed from the old mill grounds before the \
     foundations could be poured, a finance report presented to the board shows.",
    "Councillor Priya Raman, who chairs the infrastructure committee, said the overrun was \
     regrettable but that the plant would secure the supply for decades, and she thanked \
     neighbours for their patience during months of lorry traffic along Mill Lane.",
    "Environmental groups have welcomed the plant's reed-bed system, which cleans the water \
     used to backwash the filters before it returns to the river, although they have asked \
     for the monitoring data to be published every month rather than once a year.",
    "The authority said tours of the visitor centre will be offered to schools from the spring \
     term, and that the old pumping station on the riverbank will be restored as a small \
     museum about the history of the town's water supply.",
];

pub const TITLE: &str = "New Millbrook water plant to supply northern districts from March";
pub const FOOTER_LINE: &str =
    "© 2024 Example Media Ltd. All rights reserved. Privacy Policy | Terms";
pub const COOKIE_TEXT: &str =
    "We use cookies to improve your experience and to show you personalised advertising.";
pub const NAV_LINKS: [&str; 6] = [
    "Home",
    "Politics",
    "Business",
    "Sport",
    "Weather",
    "Obituaries",
];

/// A news article page the way CMSs write them: skip link, header with navigation, cookie
/// banner, breadcrumbs, the article (headline, byline, 7 paragraphs, a subheading), share bar,
/// related-links list, newsletter promo and footer.
pub fn news_page() -> String {
    let paragraphs: String = ARTICLE_PARAGRAPHS
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let sub = if i == 4 {
                "<h2 class=\"article__subheading\">Cost overrun</h2>\n"
            } else {
                ""
            };
            format!("{sub}<p class=\"article__paragraph\">{p}</p>\n")
        })
        .collect();
    let nav: String = NAV_LINKS
        .iter()
        .map(|l| {
            format!(
                "<li class=\"menu-item\"><a href=\"/{}\">{l}</a></li>",
                l.to_lowercase()
            )
        })
        .collect();
    format!(
        r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{TITLE} | The Valley Courier</title>
<meta property="og:title" content="{TITLE}">
<link rel="stylesheet" href="/assets/main.css">
<script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}}</script>
<style>.cookie-banner{{position:fixed;bottom:0}} .site-header{{display:flex}}</style>
</head>
<body class="article-page">
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header">
  <div class="site-header__logo"><a href="/"><img src="/logo.svg" alt="The Valley Courier"></a></div>
  <nav class="main-nav" aria-label="Main"><ul class="menu">{nav}</ul></nav>
  <div class="site-header__actions"><a href="/subscribe" class="btn">Subscribe</a> <a href="/login">Sign in</a></div>
</header>
<div id="cookie-consent" class="cookie-banner" role="dialog">
  <p>{COOKIE_TEXT}</p>
  <button class="cookie-banner__accept">Accept all</button> <button class="cookie-banner__settings">Manage settings</button>
</div>
<main id="main">
<nav class="breadcrumbs"><a href="/">Home</a> › <a href="/news">News</a> › <a href="/news/local">Local</a></nav>
<article class="article">
  <header class="article__header">
    <h1 class="article__headline">{TITLE}</h1>
    <div class="article__byline">By <a href="/authors/jane-doe">Jane Doe</a> · <time datetime="2024-02-13">13 February 2024</time></div>
  </header>
  <figure class="article__image"><img src="/img/plant.jpg" alt=""><figcaption>The treatment plant on the former mill site.</figcaption></figure>
  <div class="article__body">
{paragraphs}  </div>
  <div class="share-bar"><a href="https://twitter.example/share">Share on X</a> <a href="https://facebook.example/share">Share on Facebook</a> <a href="mailto:?subject=x">Email</a></div>
</article>
<aside class="related">
  <h3 class="related__title">Related stories</h3>
  <ul class="related__list">
    <li><a href="/news/local/reservoir-closure">Old reservoir to close for good after safety review</a></li>
    <li><a href="/news/local/mill-lane-traffic">Mill Lane lorry traffic angers residents</a></li>
    <li><a href="/news/business/water-bills">Water bills set to rise by six per cent</a></li>
    <li><a href="/news/local/hartley-green-school">Hartley Green school wins national award</a></li>
  </ul>
</aside>
<div class="newsletter-promo"><h4>Get the morning briefing</h4><p>Sign up for our free newsletter.</p><form><input type="email" placeholder="Your email"><button>Sign up</button></form></div>
</main>
<footer class="site-footer">
  <ul class="footer-links"><li><a href="/about">About us</a></li><li><a href="/contact">Contact</a></li><li><a href="/advertise">Advertise</a></li><li><a href="/careers">Careers</a></li></ul>
  <p class="copyright">{FOOTER_LINE}</p>
</footer>
<script src="/assets/app.js"></script>
</body>
</html>
"##
    )
}

/// A second, different article page (a blog post), for batches.
pub fn blog_page(topic: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{topic} — Notes from the allotment</title></head>
<body><div id="page"><header id="masthead"><p class="site-title"><a href="/">Notes from the allotment</a></p>
<nav id="site-navigation"><a href="/">Home</a> <a href="/about">About</a> <a href="/archive">Archive</a> <a href="/contact">Contact</a></nav></header>
<div id="content"><div id="primary"><main id="main">
<article class="post type-post hentry"><header class="entry-header"><h1 class="entry-title">{topic}</h1>
<div class="entry-meta">Posted on <time>4 May 2024</time> by Tom</div></header>
<div class="entry-content">
<p>This spring the {topic} bed finally got the attention it deserved: I dug in two barrows of well-rotted manure in March, raked the soil to a fine tilth and left it to settle for a fortnight before sowing anything at all.</p>
<p>The first sowing of {topic} went in on a mild, overcast afternoon in April, in shallow drills about thirty centimetres apart, watered through a fine rose so that the seed would not wash out of the drills.</p>
<p>Germination was patchy at the cold end of the plot, so I resowed the gaps two weeks later, and by the end of the month both sowings had caught up with each other and looked healthy and even.</p>
<p>Next year I will try a few rows under fleece to see whether an earlier start is worth the extra trouble, and I will keep better notes on the dates, which I am already regretting not having done this time.</p>
</div></article>
<nav class="post-navigation"><a href="/prev">← Previous post</a> <a href="/next">Next post →</a></nav>
</main></div>
<aside id="secondary"><section class="widget"><h2 class="widget-title">Recent posts</h2><ul><li><a href="/a">Potatoes in bags</a></li><li><a href="/b">A new water butt</a></li><li><a href="/c">Slug wars</a></li></ul></section></aside></div>
<footer id="colophon"><div class="site-info">Proudly powered by WordPress | Theme: Twenty Something</div></footer></div></body></html>
"#
    )
}

pub fn gleaner() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gleaner"))
}

/// Runs gleaner with `args` (and `stdin` if given), returning its output.
pub fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = gleaner();
    cmd.args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("gleaner binary runs");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        let bytes = bytes.to_vec();
        // Write from a thread so a large input cannot deadlock against a full stdout pipe.
        let writer = std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        });
        let output = child.wait_with_output().expect("gleaner finishes");
        writer.join().expect("stdin writer");
        return output;
    }
    child.wait_with_output().expect("gleaner finishes")
}

/// Runs gleaner and requires exit status 0, returning stdout as text.
pub fn run_ok(args: &[&str], stdin: Option<&[u8]>) -> String {
    let output = run(args, stdin);
    assert!(
        output.status.success(),
        "gleaner {args:?} failed with {}:\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("stdout is UTF-8")
}

/// Parses JSON Lines output.
pub fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// Reads a JSONL file written by `gleaner batch --output`.
pub fn read_jsonl(path: &Path) -> Vec<serde_json::Value> {
    json_lines(&std::fs::read_to_string(path).expect("output file exists"))
}

pub fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, bytes).unwrap();
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// Reader comments under [`blog_with_comments_page`]'s post: prose, like the post itself.
pub const READER_COMMENTS: [&str; 3] = [
    "We tried the same thing with our allotment last spring and the difference in the tomatoes \
     was remarkable, although the slugs seemed to enjoy the mulch even more than we did.",
    "Could you say a bit more about how often you turned the heap over the winter? Ours went \
     cold and slimy in January and I never worked out whether it was too wet or too big.",
    "Thanks for writing this up so clearly. I have shared it with our community garden group \
     and we are going to try a three-bay system by the shed after the summer fair.",
];

/// The post of [`blog_with_comments_page`].
pub const BLOG_POST_PARAGRAPHS: [&str; 4] = [
    "Three years ago our garden produced more weeds than vegetables, and the soil in the raised \
     beds was so compacted that a fork would bounce off it after a dry week in June.",
    "The change came from a compost heap built out of old pallets behind the greenhouse, fed \
     with kitchen scraps, grass cuttings, shredded cardboard and the leaves from the lime tree.",
    "By the second autumn the heap gave us enough dark, crumbly compost to spread a thick layer \
     over every bed, and the worms did the digging that we had always done by hand.",
    "This year the beans climbed past the top of their canes, the courgettes kept coming until \
     October, and for the first time we gave away more produce than we bought.",
];

/// More of [`blog_with_comments_page`]'s post, for the long version of the page.
pub const MORE_POST_PARAGRAPHS: [&str; 4] = [
    "Building the heap took one weekend. Four pallets stood on their ends and wired together at \
     the corners make a bay a metre square, and a second bay beside it lets one heap rot down \
     while the other is still being filled from the kitchen and the lawn.",
    "The balance matters more than the recipe. Green material such as grass and peelings brings \
     nitrogen and water, brown material such as cardboard, straw and dry leaves brings carbon and \
     air, and a heap with roughly equal layers of each stays warm and sweet-smelling all year.",
    "Turning the heap once a month in the growing season speeds everything up. We fork the outer \
     layer into the middle of the empty bay, add a watering can of water if it looks dry, and \
     cover the top with an old carpet to keep the heat in and the rain out.",
    "If you start one this spring, expect the first usable compost in about a year. Sieve out \
     the woody bits and throw them back on the new heap, and spread the rest on the beds in \
     autumn, when the worms have the whole winter to pull it down into the soil.",
];

/// A WordPress-style blog post followed by a thread of reader comments and a comment form.
pub fn blog_with_comments_page() -> String {
    blog_post_with_thread(&BLOG_POST_PARAGRAPHS, 1)
}

/// [`blog_with_comments_page`] with a longer post and a thread of 30 comments that holds most
/// of the page's words: a long thread under an article is still the readers' comments.
pub fn blog_with_long_thread_page() -> String {
    let post: Vec<&str> = BLOG_POST_PARAGRAPHS
        .iter()
        .chain(&MORE_POST_PARAGRAPHS)
        .copied()
        .collect();
    blog_post_with_thread(&post, 10)
}

fn blog_post_with_thread(post: &[&str], thread_rounds: usize) -> String {
    let post: String = post.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    let comments: String = READER_COMMENTS
        .iter()
        .cycle()
        .take(READER_COMMENTS.len() * thread_rounds)
        .enumerate()
        .map(|(i, c)| {
            let day = i % 28 + 1;
            format!(
                r##"<li id="comment-{i}" class="comment depth-1"><article class="comment-body">
  <footer class="comment-meta"><div class="comment-author vcard"><b class="fn">Reader {i}</b> <span class="says">says:</span></div>
  <div class="comment-metadata"><a href="#comment-{i}"><time datetime="2024-05-{day:02}T10:00:00+00:00">May {day}, 2024 at 10:00 am</time></a></div></footer>
  <div class="comment-content"><p>{c}</p></div>
  <div class="reply"><a class="comment-reply-link" href="#respond">Reply</a></div>
</article></li>
"##
            )
        })
        .collect();
    format!(
        r##"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>How a compost heap saved our garden – Plot and Pot</title>
<meta property="og:type" content="article">
<link rel="canonical" href="https://plotandpot.example/2024/04/compost-heap-saved-our-garden/"></head>
<body class="post-template-default single single-post">
<header class="site-header"><p class="site-title"><a href="/">Plot and Pot</a></p>
<nav class="main-navigation"><ul><li><a href="/">Home</a></li><li><a href="/vegetables">Vegetables</a></li><li><a href="/about">About</a></li></ul></nav></header>
<main id="main" class="site-main">
<article class="post type-post hentry">
<header class="entry-header"><h1 class="entry-title">How a compost heap saved our garden</h1>
<div class="entry-meta">Posted on <time datetime="2024-04-28">April 28, 2024</time> by <a href="/author/ann">Ann</a></div></header>
<div class="entry-content">
{post}</div>
</article>
<div id="comments" class="comments-area">
<h2 class="comments-title">{count} thoughts on “How a compost heap saved our garden”</h2>
<ol class="comment-list">
{comments}</ol>
<div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>
<form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form">
<p class="comment-notes">Your email address will not be published. Required fields are marked *</p>
<p class="comment-form-comment"><label for="comment">Comment *</label> <textarea id="comment" name="comment"></textarea></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Post Comment"></p>
</form></div>
</div>
</main>
<footer class="site-footer"><p>© 2024 Plot and Pot · Proudly powered by WordPress</p></footer>
</body></html>"##,
        count = READER_COMMENTS.len() * thread_rounds
    )
}
