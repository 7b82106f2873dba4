//! The generated part of `docs/CATALOGUE.md`: the catalogue rendered as Markdown tables.

use super::{count_range, join_values, value_text, Catalogue, OptionSpec, PromptRequirement};
use crate::types::Scene;
use std::fmt::Write as _;

impl Catalogue {
    /// The catalogue as Markdown (the generated part of `docs/CATALOGUE.md`).
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail; the results are ignored for that reason.
        let _ = writeln!(
            out,
            "| Model | Media | Scenes | Prompt | Validation |\n| --- | --- | --- | --- | --- |"
        );
        for m in &self.models {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                m.model,
                m.media_type,
                m.scenes
                    .iter()
                    .map(Scene::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
                match m.prompt {
                    PromptRequirement::Required => "required",
                    PromptRequirement::Optional => "optional",
                },
                m.validation.describe()
            );
        }
        if !self.internal_keys.is_empty() {
            let _ = writeln!(
                out,
                "\nRefused provider-internal keys (unless a model declares them as its own option): {}.",
                self.internal_keys
                    .iter()
                    .map(|k| format!("`{}` (use `{}`)", k.key, k.use_instead))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        for m in &self.models {
            let _ = writeln!(out, "\n### `{}` — {}\n", m.model, m.label);
            if !m.description.is_empty() {
                let _ = writeln!(out, "{}\n", m.description);
            }
            let _ = writeln!(
                out,
                "| Option | Aliases | Type | Allowed | Default | Limits | Applies to | Required for | Help |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
            );
            for o in &m.options {
                let _ = writeln!(out, "| {} |", option_row(o).join(" | "));
            }
            if !m.rules.is_empty() {
                out.push('\n');
            }
            for r in &m.rules {
                let _ = writeln!(out, "- {}", r.describe());
            }
        }
        out
    }
}

fn option_row(o: &OptionSpec) -> Vec<String> {
    let mut allowed = if o.allowed.is_empty() {
        "any".to_string()
    } else if o.enforce_allowed {
        join_values(&o.allowed, " / ")
    } else {
        format!("recommended: {}", join_values(&o.allowed, " / "))
    };
    if let Some(format) = o.format {
        allowed = format.describe().to_string();
    }
    if let Some(fallback) = &o.invalid_becomes {
        allowed.push_str(&format!(
            " (anything else becomes {})",
            value_text(fallback)
        ));
    }
    if !o.normalize.is_empty() {
        let rewrites: Vec<String> = o
            .normalize
            .iter()
            .map(|n| format!("{}→{}", n.from, n.to))
            .collect();
        allowed.push_str(&format!(" (normalised: {})", rewrites.join(", ")));
    }
    let mut limits = Vec::new();
    match (o.min, o.max) {
        (Some(lo), _) if o.min_exclusive => limits.push(format!("> {lo}")),
        (Some(lo), Some(hi)) => limits.push(format!("{lo} to {hi}")),
        (Some(lo), None) => limits.push(format!(">= {lo}")),
        (None, Some(hi)) => limits.push(format!("<= {hi}")),
        (None, None) => {}
    }
    match (o.min_items, o.max_items) {
        (Some(lo), Some(hi)) => limits.push(format!(
            "{} item{}",
            count_range(lo, hi),
            if hi == 1 { "" } else { "s" }
        )),
        (Some(lo), None) => limits.push(format!(">= {lo} items")),
        (None, Some(hi)) => limits.push(format!("<= {hi} items")),
        (None, None) => {}
    }
    if o.round {
        limits.push("rounded to whole".to_string());
    }
    if o.first_item_only {
        limits.push("first URL used".to_string());
    }
    let scenes = |list: &[Scene], empty: &str| {
        if list.is_empty() {
            empty.to_string()
        } else {
            list.iter()
                .map(Scene::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    vec![
        format!("`{}`", o.key),
        o.aliases
            .iter()
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(", "),
        o.kind.describe().to_string(),
        allowed,
        o.default.as_ref().map(value_text).unwrap_or_default(),
        limits.join(", "),
        scenes(&o.scenes, "all"),
        scenes(&o.required_for, ""),
        o.help.replace('|', "\\|"),
    ]
}
