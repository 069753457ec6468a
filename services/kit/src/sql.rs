//! Small SQL helpers every service's store needs.

/// A list row together with the number of rows matching the filters
/// (`COUNT(*) OVER () AS total`), so a page and its total come from one query.
#[derive(Debug, sqlx::FromRow)]
pub struct Counted<T> {
    /// The row.
    #[sqlx(flatten)]
    pub row: T,
    /// Rows matching the filters, across all pages.
    pub total: i64,
}

/// Splits counted rows into the rows and the total (0 for an empty page).
pub fn split_counted<T>(rows: Vec<Counted<T>>) -> (Vec<T>, i64) {
    let total = rows.first().map_or(0, |r| r.total);
    (rows.into_iter().map(|r| r.row).collect(), total)
}

/// An `ILIKE` pattern matching `text` anywhere, with the pattern's wildcards
/// escaped so a search for `50%` means those characters, not "50 and anything".
pub fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_are_escaped() {
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
