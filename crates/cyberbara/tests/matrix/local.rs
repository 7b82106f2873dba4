//! The local half of the matrix: each case against `Catalogue::validate`, plus a check
//! that the table of cases covers every option, scene and rule of the catalogue.

use super::cases::{Case, Check, Expect};
use cyberbara::catalogue::{Catalogue, Rule};
use cyberbara::types::{ErrorCode, GenerationRequest, MediaType, Scene};
use cyberbara::validate::{FieldError, NormalizedRequest};

pub fn route(case: &Case) -> MediaType {
    MediaType::parse(case.route)
}

pub fn run(case: &Case) -> Result<NormalizedRequest, Vec<FieldError>> {
    // Built field by field because a missing `model` is itself a case to test.
    let body = &case.body;
    let request = GenerationRequest {
        model: body["model"].as_str().unwrap_or_default().to_string(),
        prompt: body["prompt"].as_str().map(str::to_string),
        scene: body["scene"].as_str().map(Scene::parse),
        options: body["options"].as_object().cloned().unwrap_or_default(),
    };
    Catalogue::builtin().validate(&request, &route(case))
}

/// Why the local validator disagrees with the case, if it does.
pub fn check(case: &Case) -> Result<(), String> {
    match (&case.expect, run(case)) {
        (Expect::Accept(checks), Ok(done)) => {
            for c in checks {
                let holds = match c {
                    Check::Has(key, value) => done.options.get(*key) == Some(value),
                    Check::Absent(key) => !done.options.contains_key(*key),
                    Check::Dropped(key) => done.dropped.iter().any(|d| d == key),
                    Check::Scene(scene) => done.scene.as_str() == *scene,
                };
                if !holds {
                    return Err(format!("{c:?} does not hold for {done:?}"));
                }
            }
            Ok(())
        }
        (Expect::Accept(_), Err(errors)) => Err(format!("refused: {errors:?}")),
        (Expect::Refuse(code, field), Ok(done)) => {
            Err(format!("accepted ({done:?}), expected {code} on {field}"))
        }
        (Expect::Refuse(code, field), Err(errors)) => {
            let first = &errors[0];
            if &first.code != code || first.field != *field {
                return Err(format!(
                    "first error is {} on {}, expected {code} on {field}: {errors:?}",
                    first.code, first.field
                ));
            }
            for e in &errors {
                if !e.message.ends_with('.') || e.message.len() < 20 {
                    return Err(format!("message is not a sentence: {:?}", e.message));
                }
            }
            Ok(())
        }
    }
}

fn model_of(case: &Case) -> &str {
    case.body["model"].as_str().unwrap_or_default()
}

/// Gaps in the table: every option, scene and rule of every model needs an accepted and a
/// refused case, so adding a rule to the catalogue without a case here fails.
pub fn coverage_gaps(cases: &[Case]) -> Vec<String> {
    let mut gaps = Vec::new();
    let results: Vec<(&Case, Result<NormalizedRequest, Vec<FieldError>>)> =
        cases.iter().map(|c| (c, run(c))).collect();
    for spec in &Catalogue::builtin().models {
        let mine: Vec<_> = results
            .iter()
            .filter(|(c, _)| model_of(c) == spec.model)
            .collect();
        let accepted: Vec<&NormalizedRequest> =
            mine.iter().filter_map(|(_, r)| r.as_ref().ok()).collect();
        let refused: Vec<&FieldError> = mine
            .iter()
            .filter_map(|(_, r)| r.as_ref().err())
            .flatten()
            .collect();
        let refused_on = |field: &str| refused.iter().any(|e| e.field == field);
        for option in &spec.options {
            let names: Vec<&String> = std::iter::once(&option.key)
                .chain(&option.aliases)
                .collect();
            if !accepted.iter().any(|a| a.options.contains_key(&option.key)) {
                gaps.push(format!(
                    "{}: no accepted case sends options.{}",
                    spec.model, option.key
                ));
            }
            if !refused_on(&format!("options.{}", option.key)) {
                gaps.push(format!(
                    "{}: no refused case for options.{}",
                    spec.model, option.key
                ));
            }
            for alias in &option.aliases {
                let used = mine
                    .iter()
                    .any(|(c, r)| r.is_ok() && c.body["options"].get(alias.as_str()).is_some());
                if !used {
                    gaps.push(format!("{}: alias {alias} never accepted", spec.model));
                }
            }
            if !option.scenes.is_empty()
                && spec.scenes.iter().any(|s| !option.scenes.contains(s))
                && !accepted
                    .iter()
                    .any(|a| a.dropped.iter().any(|d| names.contains(&d)))
            {
                gaps.push(format!(
                    "{}: no case shows options.{} ignored outside its scenes",
                    spec.model, option.key
                ));
            }
        }
        for scene in &spec.scenes {
            if !accepted.iter().any(|a| &a.scene == scene) {
                gaps.push(format!("{}: no accepted {scene} case", spec.model));
            }
        }
        if !refused.iter().any(|e| {
            e.code == ErrorCode::SceneNotSupported || e.code == ErrorCode::InvalidModelForMediaType
        }) {
            gaps.push(format!("{}: no case refuses a scene", spec.model));
        }
        if !refused.iter().any(|e| {
            e.field.starts_with("options.image_")
                || e.field.starts_with("options.input_images")
                || e.field == "options.imageUrls"
        }) {
            gaps.push(format!(
                "{}: no case refuses a provider-internal key",
                spec.model
            ));
        }
        let forwards_or_drops = accepted
            .iter()
            .any(|a| !a.dropped.is_empty() || a.options.keys().any(|k| spec.option(k).is_none()));
        if !forwards_or_drops {
            gaps.push(format!("{}: no case sends an unknown option", spec.model));
        }
        for rule in &spec.rules {
            let (accept_key, refuse_field) = match rule {
                Rule::ModeByItemCount { key, list, .. } => (key.clone(), Some(list.clone())),
                Rule::RestrictWhen { key, .. } => (key.clone(), Some(key.clone())),
                Rule::OneOfRequired { keys } => (keys[0].clone(), keys.first().cloned()),
                // Moving an item cannot be refused; its target's own checks are covered above.
                Rule::SecondItemBecomes { to, .. } => (to.clone(), None),
            };
            if !accepted.iter().any(|a| a.options.contains_key(&accept_key)) {
                gaps.push(format!("{}: no accepted case for {rule:?}", spec.model));
            }
            if let Some(field) = refuse_field {
                if !refused_on(&format!("options.{field}")) {
                    gaps.push(format!("{}: no refused case for {rule:?}", spec.model));
                }
            }
        }
    }
    gaps
}
