use super::*;

/// Checks that `html` holds only the tags and attributes the renderer may produce, and
/// that every link and image points where it may. Text is escaped, so every `<` in the
/// output must open one of those tags.
fn assert_safe(payload: &str, html: &str) {
    const TAGS: [&str; 20] = [
        "p",
        "em",
        "strong",
        "del",
        "code",
        "pre",
        "a",
        "ul",
        "ol",
        "li",
        "blockquote",
        "br",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "img",
    ];
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        let after = &rest[at + 1..];
        let end = after.find('>').unwrap_or_else(|| panic!("unclosed tag for {payload:?}: {html}"));
        let tag = &after[..end];
        let tag = tag.strip_prefix('/').unwrap_or(tag);
        let name: String = tag.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        assert!(TAGS.contains(&name.as_str()), "tag <{name}> from {payload:?}: {html}");
        let mut attrs = &tag[name.len()..];
        loop {
            attrs = attrs.trim_start();
            if attrs.is_empty() || attrs == "/" {
                break;
            }
            let eq = attrs.find("=\"").unwrap_or_else(|| panic!("bare attribute in {tag:?} from {payload:?}"));
            let key = &attrs[..eq];
            let value_end = attrs[eq + 2..].find('"').unwrap_or_else(|| panic!("unterminated value in {tag:?}"));
            let value = &attrs[eq + 2..eq + 2 + value_end];
            let allowed = match (name.as_str(), key) {
                ("a", "href") => is_safe_link(&decode(value)),
                ("a", "target") => value == "_blank",
                ("a", "rel") => value == "noopener noreferrer",
                ("img", "src") => decode(value).starts_with(FILE_STORE_PREFIX),
                ("img", "alt" | "title") | ("img", "loading") | ("ol", "start") => true,
                ("code", "class") => value.starts_with("language-"),
                _ => false,
            };
            assert!(allowed, "attribute {key}={value:?} on <{name}> from {payload:?}: {html}");
            attrs = &attrs[eq + 2 + value_end + 1..];
        }
        rest = &after[end + 1..];
    }
}

/// HTML character references a browser would decode in an attribute.
fn decode(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let semi = tail.find(';').unwrap_or(0);
        let entity = &tail[1..semi.max(1)];
        let decoded = match entity {
            "amp" => Some('&'),
            "quot" => Some('"'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "#39" | "#x27" => Some('\''),
            e if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16).ok().and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match (decoded, semi) {
            (Some(c), s) if s > 0 => {
                out.push(c);
                rest = &tail[s + 1..];
            }
            _ => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

const DANGEROUS_URLS: [&str; 24] = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java&#x09;script:alert(1)",
    "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)",
    "&#x6A;avascript:alert(1)",
    "&#0000106avascript:alert(1)",
    "javascript&colon;alert(1)",
    "jav&#x0D;ascript:alert(1)",
    "\u{1}javascript:alert(1)",
    "java\u{0}script:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:text/html,<script>alert(1)</script>",
    "livescript:alert(1)",
    "%6A%61%76%61%73%63%72%69%70%74:alert(1)",
    "//evil.example/steal",
    "feed:javascript:alert(1)",
    "file:///etc/passwd",
    "javascript://%0aalert(1)",
    "javascript:alert%281%29",
    "\\javascript:alert(1)",
    "jav\u{ad}ascript:alert(1)",
];

const RAW_HTML: [&str; 36] = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<body onload=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    "<link rel=stylesheet href=javascript:alert(1)>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<input onfocus=alert(1) autofocus>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<base href=javascript:alert(1)//>",
    "<table background=javascript:alert(1)>",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\">",
    "<SCRIPT/XSS SRC=\"http://x.example/xss.js\"></SCRIPT>",
    "<<SCRIPT>alert(\"XSS\");//<</SCRIPT>",
    "<SCRIPT SRC=http://x.example/xss.js?< B >",
    "<iframe srcdoc=\"<script>alert(1)</script>\">",
    "<style>@import 'javascript:alert(1)';</style>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<x onclick=alert(1)>click me",
    "<a href=&#106;avascript:alert(1)>x</a>",
    "<img src=\"x` `<script>alert(1)</script>\"` `>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text x=\"20\" y=\"20\">x</text></a></svg>",
    "<marquee onstart=alert(1)>",
    "<div>\n\n<script>alert(1)</script>\n\n</div>",
    "</p><script>alert(1)</script><p>",
];

const MARKDOWN_TRICKS: [&str; 16] = [
    "![x\" onerror=\"alert(1)](/api/files/a.png)",
    "![x](/api/files/a.png\" onerror=\"alert(1))",
    "![x](/api/files/a.png \"t\\\" onerror=\\\"alert(1)\")",
    "[![x\" onerror=\"alert(1)](/api/files/a)](http://ok.example)",
    "![x](/api/files/../../etc/passwd)",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "```\"><script>alert(1)</script>\nx\n```",
    "[x](http://ok.example \"a\\\" onmouseover=\\\"alert(1)\")",
    "http://x.example/\"onmouseover=\"alert(1)",
    "https://ok.example/<script>alert(1)</script>",
    "**<img src=x onerror=alert(1)>**",
    "> <script>alert(1)</script>",
    "- [x](javascript:alert(1))\n- ![y](javascript:alert(1))",
    "[a](<javascript:alert(1)>)",
    "<javascript:alert(1)>",
];

fn corpus() -> Vec<String> {
    let mut payloads = Vec::new();
    for url in DANGEROUS_URLS {
        payloads.push(format!("[click]({url})"));
        payloads.push(format!("[click](<{url}>)"));
        payloads.push(format!("![img]({url})"));
        payloads.push(format!("<{url}>"));
        payloads.push(format!("[ref]\n\n[ref]: {url}"));
        payloads.push(format!("[click]({url} \"title\")"));
    }
    payloads.extend(RAW_HTML.iter().map(|s| s.to_string()));
    payloads.extend(MARKDOWN_TRICKS.iter().map(|s| s.to_string()));
    payloads
}

#[test]
fn no_xss_payload_yields_executable_markup() {
    let payloads = corpus();
    assert!(payloads.len() >= 100, "{} payloads", payloads.len());
    for payload in &payloads {
        assert_safe(payload, &to_safe_html(payload, ""));
    }
}

#[test]
fn raw_html_is_shown_as_text() {
    assert_eq!(to_safe_html("<script>alert(1)</script>", ""), "&lt;script&gt;alert(1)&lt;/script&gt;");
    assert_eq!(to_safe_html("a <b>bold</b> claim", ""), "<p>a &lt;b&gt;bold&lt;/b&gt; claim</p>\n");
}

#[test]
fn formatting_renders() {
    assert_eq!(
        to_safe_html("**bold** *it* ~~gone~~ `code`", ""),
        "<p><strong>bold</strong> <em>it</em> <del>gone</del> <code>code</code></p>\n"
    );
    assert_eq!(to_safe_html("- one\n- two", ""), "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n");
    assert_eq!(to_safe_html("1. one\n2. two", ""), "<ol>\n<li>one</li>\n<li>two</li>\n</ol>\n");
    assert_eq!(to_safe_html("> quoted", ""), "<blockquote>\n<p>quoted</p>\n</blockquote>\n");
    assert_eq!(to_safe_html("```\nlet x = 1;\n```", ""), "<pre><code>let x = 1;\n</code></pre>\n");
}

#[test]
fn links_open_in_a_new_tab_without_an_opener() {
    assert_eq!(
        to_safe_html("[shop](https://shop.example/a?b=1&c=2)", ""),
        "<p><a href=\"https://shop.example/a?b=1&amp;c=2\" target=\"_blank\" rel=\"noopener noreferrer\">shop</a></p>\n"
    );
    assert!(to_safe_html("<orders@shop.example>", "").contains("href=\"mailto:orders@shop.example\""));
    // A refused link keeps its text.
    assert_eq!(to_safe_html("[click](javascript:alert(1))", ""), "<p>click</p>\n");
}

#[test]
fn plain_urls_become_links() {
    assert_eq!(
        to_safe_html("see https://shop.example/pots, then call", ""),
        "<p>see <a href=\"https://shop.example/pots\" target=\"_blank\" rel=\"noopener noreferrer\">https://shop.example/pots</a>, then call</p>\n"
    );
    assert_eq!(to_safe_html("nothttp://x", ""), "<p>nothttp://x</p>\n");
    assert_eq!(to_safe_html("http:// alone", ""), "<p>http:// alone</p>\n");
}

#[test]
fn images_load_only_from_our_file_store() {
    assert_eq!(
        to_safe_html("![pot](/api/files/abc123)", ""),
        "<p><img src=\"/api/files/abc123\" title=\"\" alt=\"pot\" loading=\"lazy\"></p>\n"
    );
    assert_eq!(to_safe_html("![pot](https://tracker.example/p.gif)", ""), "<p>pot</p>\n");
    assert_eq!(
        to_safe_html("![pot](/api/files/abc123)", "/space/lines"),
        "<p><img src=\"/space/lines/api/files/abc123\" title=\"\" alt=\"pot\" loading=\"lazy\"></p>\n",
        "under the server's base path"
    );
}

#[test]
#[should_panic(expected = "attribute href")]
fn the_checker_catches_a_script_link() {
    assert_safe("test", "<a href=\"jav&#x61;script:alert(1)\">x</a>");
}

#[test]
#[should_panic(expected = "tag <script>")]
fn the_checker_catches_a_script_tag() {
    assert_safe("test", "<p><script>alert(1)</script></p>");
}

#[test]
fn a_new_line_is_a_line_break() {
    assert_eq!(to_safe_html("Good afternoon!\nHow can I help?", ""), "<p>Good afternoon!<br />\nHow can I help?</p>\n");
}

#[test]
fn previews_read_without_marks() {
    assert_eq!(to_plain_text("**Good afternoon!**\nYes, we *deliver*."), "Good afternoon! Yes, we deliver.");
    assert_eq!(to_plain_text("- one\n- two `x<y`"), "one two x<y");
    assert_eq!(to_plain_text("see [the shop](https://example.com) <b>now</b>"), "see the shop <b>now</b>");
    assert_eq!(to_plain_text("File: photo.jpg"), "File: photo.jpg");
}

/// The links a rendering holds: (href, text).
fn links(html: &str) -> Vec<(String, String)> {
    html.split("<a href=\"")
        .skip(1)
        .map(|rest| {
            let (href, after) = rest.split_once('"').unwrap();
            let text = after.split_once('>').unwrap().1.split_once("</a>").unwrap().0;
            (href.replace("&amp;", "&"), text.replace("&amp;", "&"))
        })
        .collect()
}

#[test]
fn plain_urls_are_linked_whole() {
    for (text, url) in [
        (
            "https://en.wikipedia.org/wiki/Rust_(programming_language)",
            "https://en.wikipedia.org/wiki/Rust_(programming_language)",
        ),
        ("see https://example.com/~user/page now", "https://example.com/~user/page"),
        ("https://example.com/search?q=a*b*c", "https://example.com/search?q=a*b*c"),
        (
            "https://docs.rs/tokio/latest/tokio/sync/struct.Mutex.html#method.lock_owned",
            "https://docs.rs/tokio/latest/tokio/sync/struct.Mutex.html#method.lock_owned",
        ),
        ("the file: https://example.com/my_file_name_.txt.", "https://example.com/my_file_name_.txt"),
        ("(see https://example.com/x)", "https://example.com/x"),
        ("https://example.com/a_(b)_c)", "https://example.com/a_(b)_c"),
        ("Really? https://example.com/faq?!", "https://example.com/faq"),
        ("**bold https://example.com/b** after", "https://example.com/b"),
        ("https://example.com/?a=1&b=2 ok", "https://example.com/?a=1&b=2"),
        ("https://example.com/q&amp; x", "https://example.com/q"),
    ] {
        let html = to_safe_html(text, "");
        assert_eq!(links(&html), vec![(url.to_string(), url.to_string())], "{text} -> {html}");
    }
    // Code stays code, and a written link keeps its text.
    assert!(links(&to_safe_html("`https://example.com/a_b_`", "")).is_empty());
    assert!(links(&to_safe_html("```\nhttps://example.com/a\n```", "")).is_empty());
    assert_eq!(
        links(&to_safe_html("[the docs](https://example.com/a_b_c) and https://example.com/d_e", "")),
        vec![
            ("https://example.com/a_b_c".to_string(), "the docs".to_string()),
            ("https://example.com/d_e".to_string(), "https://example.com/d_e".to_string())
        ]
    );
    assert_eq!(to_safe_html("**bold https://example.com/b** after", "").matches("<strong>").count(), 1);
}

#[test]
fn literal_text_shows_exactly_as_written() {
    for text in [
        "2*3*4 = 24, my file is __init__.py, the price is *5*",
        "# 1 order",
        "1) first\n- second\n> not a quote\n+ plus\n2. two",
        "a line\n===\n---\n***",
        "`not code` ~~not struck~~ [not](a link) ![no](image) <b>no html</b> &amp; \\n",
        "    four spaces are not code",
        "C:\\Users\\me\\file_1.txt",
    ] {
        let expected = format!(
            "<p>{}</p>\n",
            text.lines().map(|l| escape_text(l.trim_start())).collect::<Vec<_>>().join("<br />\n")
        );
        let html = to_safe_html(&literal(text, true), "");
        assert_eq!(html.replace("&#32;", "").replace("    ", ""), expected, "{text}");
    }
    // URLs stay whole links, and text around them stays literal.
    let html = to_safe_html(&literal("see https://en.wikipedia.org/wiki/Rust_(programming_language) *now*", true), "");
    assert_eq!(
        links(&html),
        vec![(
            "https://en.wikipedia.org/wiki/Rust_(programming_language)".to_string(),
            "https://en.wikipedia.org/wiki/Rust_(programming_language)".to_string()
        )]
    );
    assert!(html.ends_with(" *now*</p>\n"), "{html}");
}
