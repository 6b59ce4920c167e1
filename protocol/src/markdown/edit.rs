//! Formatting edits of the composer as pure functions over the text and the selection
//! (byte offsets; [`utf16_to_byte`] and [`byte_to_utf16`] convert a textarea's).

/// The text after an edit and the selection to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// A formatting the toolbar offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Bold,
    Italic,
    Strikethrough,
    InlineCode,
    CodeBlock,
    BulletedList,
    NumberedList,
    Quote,
}

impl Format {
    /// Every formatting, in toolbar order.
    pub const ALL: [Format; 8] = [
        Format::Bold,
        Format::Italic,
        Format::Strikethrough,
        Format::InlineCode,
        Format::CodeBlock,
        Format::BulletedList,
        Format::NumberedList,
        Format::Quote,
    ];

    /// Applies the formatting to the selection `start..end` of `text`.
    pub fn apply(self, text: &str, start: usize, end: usize) -> Edit {
        let (start, end) = clamp(text, start, end);
        match self {
            Format::Bold => wrap(text, start, end, "**", "bold text"),
            Format::Italic => wrap(text, start, end, "_", "italic text"),
            Format::Strikethrough => wrap(text, start, end, "~~", "struck text"),
            Format::InlineCode => wrap(text, start, end, "`", "code"),
            Format::CodeBlock => code_block(text, start, end),
            Format::BulletedList => prefix_lines(text, start, end, |_| "- ".to_string()),
            Format::NumberedList => prefix_lines(text, start, end, |i| format!("{}. ", i + 1)),
            Format::Quote => prefix_lines(text, start, end, |_| "> ".to_string()),
        }
    }
}

fn clamp(text: &str, start: usize, end: usize) -> (usize, usize) {
    let fix = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let (a, b) = (fix(start), fix(end));
    (a.min(b), a.max(b))
}

/// Wraps the selection in `marker` (or removes it when already wrapped); with nothing
/// selected, inserts a selected placeholder.
fn wrap(text: &str, start: usize, end: usize, marker: &str, placeholder: &str) -> Edit {
    let m = marker.len();
    if start >= m && text[start - m..].starts_with(marker) && text[end..].starts_with(marker) && start < end {
        let inner = &text[start..end];
        let text = format!("{}{inner}{}", &text[..start - m], &text[end + m..]);
        return Edit { text, start: start - m, end: end - m };
    }
    let inner = if start == end { placeholder } else { &text[start..end] };
    let text = format!("{}{marker}{inner}{marker}{}", &text[..start], &text[end..]);
    Edit { start: start + m, end: start + m + inner.len(), text }
}

fn code_block(text: &str, start: usize, end: usize) -> Edit {
    let before = &text[..start];
    let lead = if before.is_empty() || before.ends_with('\n') { "" } else { "\n" };
    let inner = if start == end { "code" } else { &text[start..end] };
    let open = format!("{lead}```\n");
    let text = format!("{before}{open}{inner}\n```\n{}", text[end..].trim_start_matches('\n'));
    Edit { start: start + open.len(), end: start + open.len() + inner.len(), text }
}

/// Starts every line touched by the selection with `prefix(line_number)`.
fn prefix_lines(text: &str, start: usize, end: usize, prefix: impl Fn(usize) -> String) -> Edit {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let block: Vec<String> =
        text[line_start..line_end].split('\n').enumerate().map(|(i, line)| format!("{}{line}", prefix(i))).collect();
    let block = block.join("\n");
    let text = format!("{}{block}{}", &text[..line_start], &text[line_end..]);
    Edit { start: line_start + block.len(), end: line_start + block.len(), text }
}

/// Makes the selection a link to `url` (the selection, or the URL, is its text).
pub fn link(text: &str, start: usize, end: usize, url: &str) -> Edit {
    let (start, end) = clamp(text, start, end);
    let label = if start == end { url } else { &text[start..end] };
    let inserted = format!("[{label}]({url})");
    let text = format!("{}{inserted}{}", &text[..start], &text[end..]);
    Edit { start: start + inserted.len(), end: start + inserted.len(), text }
}

/// A textarea's UTF-16 offset as a byte offset into `text`.
pub fn utf16_to_byte(text: &str, offset: u32) -> usize {
    let mut units = 0u32;
    for (i, c) in text.char_indices() {
        if units >= offset {
            return i;
        }
        units += c.len_utf16() as u32;
    }
    text.len()
}

/// A byte offset into `text` as a textarea's UTF-16 offset.
pub fn byte_to_utf16(text: &str, offset: usize) -> u32 {
    text[..offset.min(text.len())].chars().map(|c| c.len_utf16() as u32).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(e: &Edit) -> String {
        format!("{}[{}]{}", &e.text[..e.start], &e.text[e.start..e.end], &e.text[e.end..])
    }

    #[test]
    fn wrapping_marks_the_selection_and_toggles_back() {
        let e = Format::Bold.apply("make this bold", 10, 14);
        assert_eq!(show(&e), "make this **[bold]**");
        let back = Format::Bold.apply(&e.text, e.start, e.end);
        assert_eq!(show(&back), "make this [bold]");
        assert_eq!(show(&Format::Italic.apply("a b", 2, 3)), "a _[b]_");
        assert_eq!(show(&Format::Strikethrough.apply("", 0, 0)), "~~[struck text]~~");
        assert_eq!(show(&Format::InlineCode.apply("run x", 4, 5)), "run `[x]`");
    }

    #[test]
    fn line_formats_prefix_every_selected_line() {
        let text = "milk\nbread\neggs";
        assert_eq!(Format::BulletedList.apply(text, 0, text.len()).text, "- milk\n- bread\n- eggs");
        assert_eq!(Format::NumberedList.apply(text, 2, 7).text, "1. milk\n2. bread\neggs");
        assert_eq!(Format::Quote.apply("hi\nthere", 4, 4).text, "hi\n> there");
    }

    #[test]
    fn code_blocks_stand_on_their_own_lines() {
        let e = Format::CodeBlock.apply("see: let x = 1;", 5, 15);
        assert_eq!(e.text, "see: \n```\nlet x = 1;\n```\n");
        assert_eq!(&e.text[e.start..e.end], "let x = 1;");
    }

    #[test]
    fn links_use_the_selection_or_the_url() {
        assert_eq!(link("our shop", 4, 8, "https://shop.example").text, "our [shop](https://shop.example)");
        assert_eq!(link("", 0, 0, "https://x.example").text, "[https://x.example](https://x.example)");
    }

    #[test]
    fn textarea_offsets_convert_through_multibyte_text() {
        let text = "Привіт 👋 x";
        let byte = utf16_to_byte(text, 9); // after the emoji (2 UTF-16 units)
        assert_eq!(&text[byte..], " x");
        assert_eq!(byte_to_utf16(text, byte), 9);
        // Offsets inside a character never split it.
        assert_eq!(show(&Format::Bold.apply(text, 1, 3)), "**[П]**ривіт 👋 x");
    }
}
