//! Aligned columns, two spaces apart, indented by two, trailing spaces trimmed.

use std::fmt::Write as _;

/// Lays out rows under a header.
///
/// ```
/// let text = accord_render::table::table(&["A", "BB"], &[vec!["xyz".into(), "1".into()]]);
/// assert_eq!(text, "  A    BB\n  xyz  1\n");
/// ```
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let mut out = String::new();
    let line = |cells: &mut dyn Iterator<Item = &str>, out: &mut String| {
        let mut text = String::new();
        for (i, cell) in cells.enumerate() {
            let w = widths.get(i).copied().unwrap_or(0);
            let _ = write!(text, "  {cell:<w$}");
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&mut header.iter().copied(), &mut out);
    for row in rows {
        line(&mut row.iter().map(String::as_str), &mut out);
    }
    out
}
