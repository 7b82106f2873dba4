//! The local half of the matrix: each case against `Catalogue::validate`, plus a check
//! that the table of cases covers every option, scene and rule of the catalogue.

use super::cases::{Case, Check, Expect};
use cyberbara::catalogue::{Catalogue, Rule};
use cyberbara::types::{ErrorCode, GenerationRequest, MediaType, Scene};
use cyberbara::validate::{FieldError, InputFacts, NormalizedRequest};
use serde_json::Value;

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
    let mut facts = InputFacts::new();
    for (url, secs) in &case.lengths {
        facts.set_length(*url, *secs);
    }
    Catalogue::builtin().validate_with(&request, &route(case), &facts)
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
            let sent = |c: &Case| -> Option<Value> {
                names
                    .iter()
                    .find_map(|n| c.body["options"].get(n.as_str()).cloned())
            };
            let accepted_pairs: Vec<(Value, &NormalizedRequest)> = mine
                .iter()
                .filter_map(|(c, r)| Some((sent(c)?, r.as_ref().ok()?)))
                .collect();
            if let Some(fallback) = &option.invalid_becomes {
                // Nothing is refused: a value it cannot use is replaced instead.
                let replaced = accepted_pairs.iter().any(|(sent, done)| {
                    sent != fallback && done.options.get(&option.key) == Some(fallback)
                });
                if !replaced {
                    gaps.push(format!(
                        "{}: no case shows an invalid options.{} replaced",
                        spec.model, option.key
                    ));
                }
            } else if !refused_on(&format!("options.{}", option.key)) {
                gaps.push(format!(
                    "{}: no refused case for options.{}",
                    spec.model, option.key
                ));
            }
            if option.round
                && !accepted_pairs.iter().any(|(sent, done)| {
                    sent.as_f64().is_some_and(|n| n.fract() != 0.0)
                        && done.options.get(&option.key).and_then(Value::as_f64)
                            == sent.as_f64().map(f64::round)
                })
            {
                gaps.push(format!(
                    "{}: no case shows options.{} rounded",
                    spec.model, option.key
                ));
            }
            if option.first_item_only
                && !accepted_pairs.iter().any(|(sent, done)| {
                    sent.as_array().is_some_and(|items| items.len() > 1)
                        && done.options.get(&option.key).cloned()
                            == sent.as_array().map(|i| json_list(&i[..1]))
                })
            {
                gaps.push(format!(
                    "{}: no case shows only the first options.{} kept",
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
            // The newer rules are checked by what their cases show and by a phrase only
            // their own refusal uses, so another rule's refusal cannot stand in for them.
            let refused_with = |field: &str, phrase: &str| {
                refused
                    .iter()
                    .any(|e| e.field == field && e.message.contains(phrase))
            };
            let newer = match rule {
                Rule::ModeByInputs { key, .. } => Some((
                    mine.iter()
                        .any(|(c, r)| r.is_ok() && c.body["options"].get(key.as_str()).is_none())
                        && mine.iter().any(|(c, r)| {
                            r.is_ok() && c.body["options"].get(key.as_str()).is_some()
                        }),
                    refused_with(&format!("options.{key}"), "takes")
                        || refused_with(&format!("options.{key}"), "fits"),
                )),
                Rule::SharedMaxItems { lists, .. } => Some((
                    accepted.iter().any(|a| {
                        lists.iter().all(|l| {
                            a.options
                                .get(l)
                                .and_then(Value::as_array)
                                .is_some_and(|v| !v.is_empty())
                        })
                    }),
                    refused.iter().any(|e| e.message.contains("together")),
                )),
                Rule::NeedsCompanion { key, .. } => Some((
                    accepted.iter().any(|a| a.options.contains_key(key)),
                    refused_with(&format!("options.{key}"), "alone"),
                )),
                Rule::ListRoutesTo { scene, .. } => Some((
                    mine.iter().any(|(c, r)| {
                        c.body["scene"]
                            .as_str()
                            .is_some_and(|s| s != scene.as_str())
                            && r.as_ref().is_ok_and(|done| &done.scene == scene)
                    }),
                    // Routing refuses nothing.
                    true,
                )),
                Rule::MaxInputSeconds {
                    lists,
                    max_secs,
                    declared_by,
                    ..
                } => {
                    let phrase = format!("at most {max_secs} s");
                    let fields: Vec<String> = declared_by
                        .iter()
                        .chain(lists.first())
                        .map(|k| format!("options.{k}"))
                        .collect();
                    Some((
                        accepted.iter().any(|a| a.options.contains_key(&lists[0])),
                        fields.iter().any(|f| refused_with(f, &phrase)),
                    ))
                }
                Rule::PromptUnless { .. } => Some((
                    mine.iter()
                        .any(|(c, r)| r.is_ok() && c.body.get("prompt").is_none()),
                    refused_on("prompt"),
                )),
                _ => None,
            };
            if let Some((accepted_shown, refused_shown)) = newer {
                if !accepted_shown {
                    gaps.push(format!("{}: no accepted case for {rule:?}", spec.model));
                }
                if !refused_shown {
                    gaps.push(format!("{}: no refused case for {rule:?}", spec.model));
                }
                continue;
            }
            let (accept_key, refuse_field) = match rule {
                Rule::ModeByItemCount { key, list, .. } => (key.clone(), Some(list.clone())),
                Rule::RestrictWhen { key, .. } => (key.clone(), Some(key.clone())),
                Rule::OneOfRequired { keys } => (keys[0].clone(), keys.first().cloned()),
                // Moving an item cannot be refused; its target's own checks are covered above.
                Rule::SecondItemBecomes { to, .. } => (to.clone(), None),
                other => unreachable!("handled above: {other:?}"),
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

fn json_list(items: &[Value]) -> Value {
    Value::Array(items.to_vec())
}
