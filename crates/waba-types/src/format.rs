//! WhatsApp text formatting: `*bold*`, `_italic_`, `~strikethrough~`, and ```` ```monospace``` ````.
//!
//! WhatsApp only formats a marker pair that hugs non-space text on one line, and it has no
//! escape character. So these helpers:
//! - leave empty or blank text unchanged (a bare `**` would show literally);
//! - keep surrounding white space outside the markers (`" hi "` → `" *hi* "`);
//! - wrap each line on its own for the single-character markers, skipping blank lines;
//! - do not wrap text that is already wrapped in the same marker, so applying twice is
//!   applying once;
//! - leave markers inside the text as they are, since there is no way to escape them.

/// `*text*`.
pub fn bold(text: &str) -> String {
    wrap_lines(text, "*")
}

/// `_text_`.
pub fn italic(text: &str) -> String {
    wrap_lines(text, "_")
}

/// `~text~`.
pub fn strikethrough(text: &str) -> String {
    wrap_lines(text, "~")
}

/// ```` ```text``` ````; monospace blocks may span lines, so the text is wrapped whole.
pub fn monospace(text: &str) -> String {
    wrap(text, "```")
}

fn wrap_lines(text: &str, marker: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2 * marker.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&wrap(line, marker));
    }
    out
}

fn wrap(text: &str, marker: &str) -> String {
    let core = text.trim();
    if core.is_empty() {
        return text.to_owned();
    }
    if core.len() > 2 * marker.len() && core.starts_with(marker) && core.ends_with(marker) {
        return text.to_owned();
    }
    let start = text.len() - text.trim_start().len();
    let end = start + core.len();
    let mut out = String::with_capacity(text.len() + 2 * marker.len());
    out.push_str(&text[..start]);
    out.push_str(marker);
    out.push_str(core);
    out.push_str(marker);
    out.push_str(&text[end..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_plain_text() {
        assert_eq!(bold("hi"), "*hi*");
        assert_eq!(italic("hi"), "_hi_");
        assert_eq!(strikethrough("hi"), "~hi~");
        assert_eq!(monospace("let x = 1;"), "```let x = 1;```");
    }

    #[test]
    fn empty_and_blank_text_is_unchanged() {
        assert_eq!(bold(""), "");
        assert_eq!(italic("   "), "   ");
        assert_eq!(monospace("\n"), "\n");
    }

    #[test]
    fn surrounding_whitespace_stays_outside() {
        assert_eq!(bold("  hello world \t"), "  *hello world* \t");
        assert_eq!(monospace(" code "), " ```code``` ");
    }

    #[test]
    fn already_wrapped_text_is_not_wrapped_twice() {
        assert_eq!(bold("*done*"), "*done*");
        assert_eq!(bold(&bold("x y")), "*x y*");
        assert_eq!(monospace("```a```"), "```a```");
        // A lone marker is text, not a wrapping.
        assert_eq!(bold("*"), "***");
    }

    #[test]
    fn markers_inside_are_kept() {
        assert_eq!(bold("2*3=6"), "*2*3=6*");
        assert_eq!(italic("snake_case name"), "_snake_case name_");
        assert_eq!(strikethrough("~approx"), "~~approx~");
    }

    #[test]
    fn each_line_is_wrapped_for_single_markers() {
        assert_eq!(bold("one\n\n two"), "*one*\n\n *two*");
        assert_eq!(monospace("a\nb"), "```a\nb```");
    }

    #[test]
    fn nesting_different_markers() {
        assert_eq!(bold(&italic("both")), "*_both_*");
    }
}
