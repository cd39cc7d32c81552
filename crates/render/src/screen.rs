//! Screening results: hits as text or JSON, batch results as CSV or JSON lines, scored
//! pairs as CSV.

use std::io::Write;

use accord_app::screen::{Customer, Scored};
use accord_screen::{Hit, NameKind};

/// What `accord screen NAME` prints: the hits as text, or as JSON.
pub fn output(name: &str, hits: &[Hit], threshold: f64, n_candidates: usize, json: bool) -> String {
    if json {
        format!("{}\n", hits_json(name, threshold, n_candidates, hits))
    } else {
        self::hits(name, hits, threshold, n_candidates)
    }
}

/// The hits of one name, as text.
pub fn hits(name: &str, hits: &[Hit], threshold: f64, n_candidates: usize) -> String {
    if hits.is_empty() {
        return format!(
            "no match for `{name}` at or above {threshold:.2} among {n_candidates} candidates\n"
        );
    }
    let mut out = String::new();
    for hit in hits {
        let kind = match hit.name_kind {
            NameKind::Primary => "",
            NameKind::Alias => " (alias)",
            NameKind::WeakAlias => " (weak alias)",
        };
        out.push_str(&format!(
            "{:.3}  {}  {}  {}{kind}\n",
            hit.score, hit.candidate_id, hit.schema, hit.matched_name
        ));
        out.push_str(&format!("       {}\n", hit.explanation));
    }
    out
}

/// The hits of one name, as the JSON `accord screen --json` prints.
pub fn hits_json(name: &str, threshold: f64, n_candidates: usize, hits: &[Hit]) -> String {
    crate::pretty(&serde_json::json!({
        "query": name,
        "threshold": threshold,
        "candidates": n_candidates,
        "hits": hits,
    }))
}

/// Batch results as JSON lines, or as CSV.
pub fn batch(
    out: &mut dyn Write,
    customers: &[Customer],
    results: &[Vec<Hit>],
    json: bool,
) -> std::io::Result<()> {
    if json {
        batch_json(out, customers, results)
    } else {
        batch_csv(out, customers, results)
    }
}

/// Batch results as JSON lines: one `{"id", "name", "hits"}` per customer.
pub fn batch_json(
    out: &mut dyn Write,
    customers: &[Customer],
    results: &[Vec<Hit>],
) -> std::io::Result<()> {
    for (customer, hits) in customers.iter().zip(results) {
        let row =
            serde_json::json!({ "id": customer.id, "name": customer.query.name, "hits": hits });
        writeln!(out, "{}", crate::line(&row))?;
    }
    Ok(())
}

/// Batch results as CSV: one row per customer, with its best hit.
pub fn batch_csv(
    out: &mut dyn Write,
    customers: &[Customer],
    results: &[Vec<Hit>],
) -> std::io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record([
        "id",
        "name",
        "hits",
        "top_score",
        "top_candidate",
        "top_schema",
        "top_name",
        "explanation",
    ])?;
    for (customer, hits) in customers.iter().zip(results) {
        let (id, name) = (customer.id.clone(), customer.query.name.clone());
        let record = match hits.first() {
            Some(hit) => [
                id,
                name,
                hits.len().to_string(),
                format!("{:.4}", hit.score),
                hit.candidate_id.clone(),
                hit.schema.to_string(),
                hit.matched_name.clone(),
                hit.explanation.to_string(),
            ],
            None => [
                id,
                name,
                "0".to_owned(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ],
        };
        writer.write_record(&record)?;
    }
    writer.flush()
}

/// The summary line of a batch.
pub fn batch_summary(
    customers: usize,
    names: usize,
    results: &[Vec<Hit>],
    threshold: f64,
) -> String {
    let with_hits = results.iter().filter(|h| !h.is_empty()).count();
    format!(
        "screened {customers} customers against {names} names: {with_hits} with hits at or above {threshold:.2}"
    )
}

/// Scored pairs as CSV: every row written back with a `score` column (and an
/// `explanation` column with `explain`).
pub fn scored_csv(out: &mut dyn Write, scored: &Scored, explain: bool) -> std::io::Result<()> {
    let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(out);
    if let Some(header) = &scored.header {
        let mut header = header.clone();
        header.push("score".to_owned());
        if explain {
            header.push("explanation".to_owned());
        }
        writer.write_record(&header)?;
    }
    for (fields, matched) in &scored.rows {
        let mut record = fields.clone();
        record.push(format!("{:.4}", matched.score));
        if explain {
            record.push(matched.to_string());
        }
        writer.write_record(&record)?;
    }
    writer.flush()
}
