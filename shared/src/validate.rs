//! What stored text may be: the rules every name, title and description is parsed with.

use crate::messages::Msg;

/// Characters no stored text may hold: controls other than tab and line breaks (NUL among
/// them), and the bidirectional embeddings, overrides and isolates (U+202A–U+202E,
/// U+2066–U+2069), with which `a\u{202e}gpj.exe` shows as `aexe.jpg`.
pub fn is_hidden_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Text with surrounding whitespace removed, a length in characters within bounds, and no
/// [hidden control](is_hidden_control): every name, title and description people read.
pub fn bounded_text(text: &str, min: usize, max: usize) -> Result<String, Msg> {
    if text.chars().any(is_hidden_control) {
        return Err(Msg::HiddenCharacters);
    }
    let trimmed = text.trim();
    let len = trimmed.chars().count();
    if len < min {
        Err(if min == 1 { Msg::Required } else { Msg::TooShort { min } })
    } else if len > max {
        Err(Msg::TooLong { max })
    } else {
        Ok(trimmed.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        assert_eq!(bounded_text(" ab ", 3, 5), Err(Msg::TooShort { min: 3 }));
        assert_eq!(bounded_text("abcdef", 1, 5), Err(Msg::TooLong { max: 5 }));
        assert_eq!(bounded_text("  ", 1, 5), Err(Msg::Required));
    }

    #[test]
    fn hidden_controls_are_refused_and_line_breaks_kept() {
        for hidden in ["a\u{0}b", "invoice\u{202e}fdp.exe", "x\u{2066}y", "bell\u{7}", "c1\u{85}"] {
            assert_eq!(bounded_text(hidden, 0, 50), Err(Msg::HiddenCharacters), "{hidden:?}");
        }
        assert_eq!(bounded_text("two\nlines\tand a tab", 0, 50).unwrap(), "two\nlines\tand a tab");
        assert_eq!(bounded_text("مرحبا \u{200f}שלום", 0, 50).unwrap(), "مرحبا \u{200f}שלום", "marks are text");
    }
}
