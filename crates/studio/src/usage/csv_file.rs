//! A usage ledger as a CSV file, written with the `csv` crate (quoting, embedded commas
//! and newlines are its business). The columns are listed in the README.

use crate::error::AppError;
use crate::library::{UsageRange, UsageRow};
use std::io::Write;
use std::path::Path;

/// The header row, in order.
pub const CSV_COLUMNS: [&str; 10] = [
    "created_at",
    "transaction_no",
    "type",
    "credits",
    "media_type",
    "scene",
    "model",
    "task_id",
    "description",
    "id",
];

/// Writes the header and one line per row, in the order given (newest first).
pub fn write_csv<W: Write>(rows: &[UsageRow], out: W) -> Result<(), csv::Error> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(CSV_COLUMNS)?;
    // Every text the server wrote goes through `inert`; `type` and `credits` are the app's.
    let text = |value: &Option<String>| inert(value.as_deref().unwrap_or_default());
    for row in rows {
        writer.write_record([
            inert(&row.created_at),
            inert(&row.transaction_no),
            if row.is_refund() { "refund" } else { "charge" }.to_string(),
            row.credits.to_string(),
            text(&row.media_type),
            text(&row.scene),
            text(&row.model),
            text(&row.task_id),
            text(&row.description),
            inert(&row.id),
        ])?;
    }
    writer.flush()?;
    Ok(())
}

/// Text the server wrote, made inert for spreadsheets: a cell that starts like a
/// formula (`=`, `+`, `-`, `@`, tab, carriage return) gets a leading `'`, which
/// spreadsheet programs read as "this is text" (OWASP's advice on CSV injection).
fn inert(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// The name the save dialog suggests: `cyberbara-usage-2026-03-01-to-2026-03-31.csv`,
/// with anything a file name should not hold in a date-time made a `-`.
pub fn suggested_file_name(range: &UsageRange) -> String {
    let part = |bound: &Option<String>, none: &str| match bound {
        None => none.to_string(),
        Some(text) => text
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect(),
    };
    let range = range.normalised();
    format!(
        "cyberbara-usage-{}-to-{}.csv",
        part(&range.from, "start"),
        part(&range.to, "now")
    )
}

/// `path` with `.csv` added when the user typed a name without an extension.
pub fn with_csv_extension(path: &Path) -> std::path::PathBuf {
    if path.extension().is_some() {
        path.to_path_buf()
    } else {
        path.with_extension("csv")
    }
}

/// Writes `rows` to `path` through a temporary file beside it, so a failed write never
/// leaves half a file where the user asked for one.
pub fn save_csv(rows: &[UsageRow], path: &Path) -> Result<(), AppError> {
    let failed =
        |e: &dyn std::fmt::Display| AppError::storage(&format!("write {}", path.display()), e);
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(|e| failed(&e))?;
    write_csv(rows, std::io::BufWriter::new(file.as_file_mut())).map_err(|e| failed(&e))?;
    file.as_file().sync_all().map_err(|e| failed(&e))?;
    file.persist(path).map_err(|e| failed(&e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(credits: i64, description: &str, model: Option<&str>) -> UsageRow {
        UsageRow {
            id: format!("row-{credits}"),
            transaction_no: "79739092304928500".into(),
            credits,
            scene: Some("text-to-image".into()),
            description: Some(description.into()),
            media_type: Some("image".into()),
            task_id: Some("t-1".into()),
            created_at: "2026-03-03T04:31:55.116Z".into(),
            model: model.map(str::to_string),
        }
    }

    #[test]
    fn charges_refunds_quotes_and_formula_like_text() {
        let rows = [
            row(-8, "refund: image task failed", None),
            row(8, "generate image, \"1k\"", Some("nano-banana-pro")),
            row(3, "=HYPERLINK(\"x\")", None),
            UsageRow {
                task_id: Some("+1-555".into()),
                ..row(2, "x", None)
            },
        ];
        let mut out = Vec::new();
        write_csv(&rows, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "created_at,transaction_no,type,credits,media_type,scene,model,task_id,description,id\n\
             2026-03-03T04:31:55.116Z,79739092304928500,refund,-8,image,text-to-image,,t-1,refund: image task failed,row--8\n\
             2026-03-03T04:31:55.116Z,79739092304928500,charge,8,image,text-to-image,nano-banana-pro,t-1,\"generate image, \"\"1k\"\"\",row-8\n\
             2026-03-03T04:31:55.116Z,79739092304928500,charge,3,image,text-to-image,,t-1,\"'=HYPERLINK(\"\"x\"\")\",row-3\n\
             2026-03-03T04:31:55.116Z,79739092304928500,charge,2,image,text-to-image,,'+1-555,x,row-2\n"
        );
    }

    #[test]
    fn the_suggested_name_says_the_range() {
        let name =
            |from: Option<&str>, to: Option<&str>| suggested_file_name(&UsageRange::new(from, to));
        assert_eq!(
            name(Some("2026-03-01"), Some("2026-03-31")),
            "cyberbara-usage-2026-03-01-to-2026-03-31.csv"
        );
        assert_eq!(
            name(None, Some("2026-03-04T00:00:00+01:00")),
            "cyberbara-usage-start-to-2026-03-04T00-00-00-01-00.csv"
        );
        assert_eq!(name(Some("../x"), None), "cyberbara-usage----x-to-now.csv");
        assert_eq!(
            with_csv_extension(Path::new("/tmp/usage")),
            Path::new("/tmp/usage.csv")
        );
        assert_eq!(
            with_csv_extension(Path::new("/tmp/usage.txt")),
            Path::new("/tmp/usage.txt")
        );
    }

    #[test]
    fn saving_replaces_the_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("usage.csv");
        std::fs::write(
            &path,
            "old content that is longer than the new one\n".repeat(50),
        )
        .unwrap();
        save_csv(&[row(8, "generate image", None)], &path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(text.starts_with("created_at,"));
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
        let missing = dir.path().join("no-such-folder").join("usage.csv");
        let err = save_csv(&[], &missing).unwrap_err();
        assert_eq!(err.kind, crate::error::ErrorKind::Storage);
    }
}
