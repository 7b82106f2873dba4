//! `docs/CATALOGUE.md` carries a table generated from `Catalogue::builtin()`, so the
//! documentation cannot drift from the rules the code enforces. `UPDATE_DOCS=1 cargo test
//! -p cyberbara --test catalogue_docs` rewrites it; a normal run fails when it differs.

use cyberbara::catalogue::Catalogue;
use std::path::PathBuf;

const BEGIN: &str = "<!-- BEGIN GENERATED: Catalogue::markdown() — edit crates/cyberbara/src/catalogue.rs, then run UPDATE_DOCS=1 cargo test -p cyberbara --test catalogue_docs -->";
const END: &str = "<!-- END GENERATED -->";

fn doc_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/CATALOGUE.md")
}

fn section() -> String {
    format!(
        "## Catalogue and validation\n\n\
         Every model the app knows, with its options, as `crates/cyberbara` validates them \
         (`Catalogue::builtin()` / `Catalogue::validate`). The sandbox validates with the same table. \
         Strict models drop unknown options; pass-through models forward them; models only the \
         server lists are accepted as generic pass-through entries (`Catalogue::with_listed`).\n\n\
         {BEGIN}\n\n{}\n{END}\n",
        Catalogue::builtin().markdown().trim_end()
    )
}

/// Replaces the section from its heading to the end marker, keeping everything else.
fn splice(existing: &str, section: &str) -> String {
    let heading = "## Catalogue and validation";
    match (existing.find(heading), existing.find(END)) {
        (Some(start), Some(end)) if end > start => format!(
            "{}{}{}",
            &existing[..start],
            section,
            existing[end + END.len()..].trim_start_matches('\n')
        ),
        _ if existing.trim().is_empty() => format!("# Catalogue\n\n{section}"),
        _ => format!("{}\n\n{section}", existing.trim_end()),
    }
}

#[test]
fn catalogue_doc_matches_the_catalogue() {
    let path = doc_path();
    let existing = std::fs::read_to_string(&path).unwrap_or_default();
    let wanted = splice(&existing, &section());
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &wanted).unwrap();
        return;
    }
    assert!(
        existing == wanted,
        "docs/CATALOGUE.md differs from the catalogue; run `UPDATE_DOCS=1 cargo test -p cyberbara --test catalogue_docs` and commit the result."
    );
}

#[test]
fn generated_table_lists_every_model_and_option() {
    let text = Catalogue::builtin().markdown();
    for model in &Catalogue::builtin().models {
        assert!(
            text.contains(&format!("### `{}`", model.model)),
            "{}",
            model.model
        );
        for option in &model.options {
            assert!(
                text.contains(&format!("| `{}` |", option.key)),
                "{}",
                option.key
            );
        }
    }
}
