//! The widget's words in its visitor's language, made from `locales/*.json` by the build
//! script (the operator app's `leptos_i18n` needs Leptos, which the widget does without).

include!(concat!(env!("OUT_DIR"), "/texts.rs"));

/// One of [`LANGUAGES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Language(usize);

impl Language {
    /// The first of `asked` (language tags such as `uk-UA`, most wanted first) that the
    /// widget speaks, else English.
    pub fn pick(asked: &[String]) -> Language {
        asked
            .iter()
            .find_map(|tag| {
                let primary = tag.split(['-', '_']).next().unwrap_or_default().trim().to_ascii_lowercase();
                LANGUAGES.iter().position(|l| *l == primary)
            })
            .map_or(Language(0), Language)
    }

    /// Its code for `<html lang>`.
    pub fn code(self) -> &'static str {
        LANGUAGES[self.0]
    }

    /// `text` in this language.
    pub fn text(self, text: Text) -> &'static str {
        WORDS[self.0][text as usize]
    }

    /// `text` with its `{{ name }}` placeholder filled with `value`.
    pub fn fill(self, text: Text, name: &str, value: &str) -> String {
        self.text(text).replace(&format!("{{{{ {name} }}}}"), value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked(tags: &[&str]) -> Vec<String> {
        tags.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn the_first_language_the_widget_speaks_is_chosen_else_english() {
        assert_eq!(Language::pick(&asked(&["uk-UA", "en-US"])).code(), "uk");
        assert_eq!(Language::pick(&asked(&["de-DE", "UK"])).code(), "uk");
        assert_eq!(Language::pick(&asked(&["en-GB", "uk"])).code(), "en");
        assert_eq!(Language::pick(&asked(&["de", "fr"])).code(), "en");
        assert_eq!(Language::pick(&[]).code(), "en");
    }

    #[test]
    fn texts_come_from_their_language_with_placeholders_filled() {
        let uk = Language::pick(&asked(&["uk"]));
        assert_eq!(uk.text(Text::Send), "Надіслати");
        assert_eq!(Language(0).text(Text::Send), "Send");
        assert_eq!(uk.fill(Text::IsTyping, "name", "Анна"), "Анна друкує…");
        assert_eq!(Language(0).fill(Text::ServerError, "status", "502"), "The server answered with an error (502).");
        // A value that looks like a placeholder is not filled again.
        assert_eq!(Language(0).fill(Text::IsTyping, "name", "{{ name }}"), "{{ name }} is typing…");
    }
}
