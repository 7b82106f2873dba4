//! The option checks behind [`Catalogue::validate`]: each sent value against its
//! [`OptionSpec`], then the rules that tie several options together.

use super::{FieldError, InputFacts};
use crate::catalogue::{
    join_values, value_text, Catalogue, InputMode, ModelSpec, OptionKind, OptionSpec, OptionTest,
    Rule, ValidationLevel,
};
use crate::option_value::{self, number};
use crate::types::Scene;
use serde_json::{Map, Value};
use std::collections::HashSet;

/// Checks and normalises the options of a known model, collecting every problem.
pub(super) fn check_options(
    catalogue: &Catalogue,
    spec: &ModelSpec,
    scene: &Scene,
    input: &Map<String, Value>,
    facts: &InputFacts,
    errors: &mut Vec<FieldError>,
) -> (Map<String, Value>, Vec<String>) {
    let pass_through = spec.validation == ValidationLevel::PassThrough;
    let mut out = Map::new();
    let mut dropped = Vec::new();
    // Keys whose value was refused: rules that read them would only add noise.
    let mut failed: HashSet<String> = HashSet::new();

    // Pass 1: sort every sent key into declared option, refused internal key or unknown.
    let mut declared: Vec<(&OptionSpec, &str, &Value)> = Vec::new();
    for (key, value) in input {
        if let Some(option) = spec.option(key) {
            if let Some((_, first, _)) = declared.iter().find(|(o, _, _)| o.key == option.key) {
                errors.push(FieldError::request(
                    format!("options.{}", option.key),
                    format!(
                        "options.{first} and options.{key} are the same option; send only options.{}.",
                        option.key
                    ),
                ));
                failed.insert(option.key.clone());
                continue;
            }
            declared.push((option, key.as_str(), value));
        } else if let Some(internal) = catalogue.internal_keys.iter().find(|k| &k.key == key) {
            errors.push(FieldError::request(
                format!("options.{key}"),
                format!(
                    "options.{key} is a provider-internal key the public API does not accept; put the URL(s) in options.{} instead.",
                    internal.use_instead
                ),
            ));
        } else if pass_through {
            out.insert(key.clone(), value.clone());
        } else {
            dropped.push(key.clone());
        }
    }

    // Pass 2: check declared options in catalogue order, so errors come out in the
    // same order as the form shows them.
    for option in &spec.options {
        let Some(&(_, sent_as, value)) = declared.iter().find(|(o, _, _)| o.key == option.key)
        else {
            continue;
        };
        if failed.contains(&option.key) {
            continue;
        }
        if !option.scenes.is_empty() && !option.scenes.contains(scene) {
            if pass_through {
                out.insert(option.key.clone(), value.clone());
            } else {
                dropped.push(sent_as.to_string());
            }
            continue;
        }
        if value.is_null() {
            continue;
        }
        // Some options replace a value they cannot use instead of refusing it.
        let checked = check_value(option, value)
            .or_else(|message| option.invalid_becomes.clone().ok_or(message));
        match checked {
            Ok(v) => {
                out.insert(option.key.clone(), v);
            }
            Err(message) => {
                errors.push(FieldError::request(
                    format!("options.{}", option.key),
                    message,
                ));
                failed.insert(option.key.clone());
            }
        }
    }

    for option in &spec.options {
        if option.required_for.contains(scene)
            && !failed.contains(&option.key)
            && !is_present(out.get(&option.key))
        {
            let what = match option.kind {
                OptionKind::UrlList => "add at least one URL (upload the file first)",
                _ => "set it",
            };
            errors.push(FieldError::request(
                format!("options.{}", option.key),
                format!("options.{} is required for {scene}; {what}.", option.key),
            ));
            failed.insert(option.key.clone());
        }
    }

    for rule in &spec.rules {
        apply_rule(spec, rule, scene, &mut out, &failed, facts, errors);
    }
    (out, dropped)
}

/// Whether the request's options let a model that needs a prompt go without one
/// ([`Rule::PromptUnless`]).
pub(super) fn prompt_waived(spec: &ModelSpec, options: &Map<String, Value>) -> bool {
    spec.rules.iter().any(|rule| match rule {
        Rule::PromptUnless { all, any } => {
            all.iter().all(|t| holds(spec, options, t))
                && (any.is_empty() || any.iter().any(|t| holds(spec, options, t)))
        }
        _ => false,
    })
}

/// An [`OptionTest`] on `options`, an omitted option judged by its default.
fn holds(spec: &ModelSpec, options: &Map<String, Value>, test: &OptionTest) -> bool {
    let sent = options.get(&test.key).filter(|v| !v.is_null());
    let default = spec.option(&test.key).and_then(|o| o.default.as_ref());
    let Some(value) = sent.or(default) else {
        return false;
    };
    match &test.equals {
        None => is_present(Some(value)),
        Some(expected) => same_value(expected, value),
    }
}

/// `a, b or c` with each key written as `options.key`.
fn option_names(keys: &[String], last_sep: &str) -> String {
    let names: Vec<String> = keys.iter().map(|k| format!("options.{k}")).collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} {last_sep} {last}", rest.join(", ")),
    }
}

/// What a mode of [`Rule::ModeByInputs`] accepts, in words.
fn mode_needs(mode: &InputMode, all_lists: &[&str]) -> String {
    let mut parts: Vec<String> = mode
        .lists
        .iter()
        .filter(|b| b.max_items > 0)
        .map(|b| {
            if b.min_items == b.max_items {
                format!("{} options.{}", b.min_items, b.list)
            } else {
                format!("{}-{} options.{}", b.min_items, b.max_items, b.list)
            }
        })
        .collect();
    let none: Vec<String> = all_lists
        .iter()
        .filter(|l| !mode.lists.iter().any(|b| b.list == **l && b.max_items > 0))
        .map(|l| l.to_string())
        .collect();
    if !none.is_empty() {
        parts.push(format!("no {}", option_names(&none, "or")));
    }
    if mode.min_total > 0 && mode.lists.len() > 1 {
        parts.push(format!("at least {} reference in all", mode.min_total));
    }
    parts.join(", ")
}

/// Why the list counts do not fit `mode`, if they do not.
fn misfit(mode: &InputMode, counts: &[(&str, usize)]) -> bool {
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    total < mode.min_total
        || counts.iter().any(|(list, n)| {
            let (lo, hi) = mode
                .lists
                .iter()
                .find(|b| b.list == *list)
                .map_or((0, 0), |b| (b.min_items, b.max_items));
            *n < lo || *n > hi
        })
}

fn is_present(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::Array(items)) => !items.is_empty(),
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(_) => true,
    }
}

fn apply_rule(
    spec: &ModelSpec,
    rule: &Rule,
    scene: &Scene,
    out: &mut Map<String, Value>,
    failed: &HashSet<String>,
    facts: &InputFacts,
    errors: &mut Vec<FieldError>,
) {
    match rule {
        Rule::ModeByInputs { key, modes } => {
            let mut lists: Vec<&str> = Vec::new();
            for bound in modes.iter().flat_map(|m| &m.lists) {
                if !lists.contains(&bound.list.as_str()) {
                    lists.push(&bound.list);
                }
            }
            if failed.contains(key) || lists.iter().any(|l| failed.contains(*l)) {
                return;
            }
            let counts: Vec<(&str, usize)> = lists
                .iter()
                .map(|l| (*l, option_value::list(out, l).len()))
                .collect();
            let got = counts
                .iter()
                .map(|(l, n)| format!("{n} {l}"))
                .collect::<Vec<_>>()
                .join(", ");
            match out.get(key).and_then(Value::as_str).map(str::to_string) {
                Some(chosen) => {
                    if let Some(mode) = modes.iter().find(|m| m.value == chosen) {
                        if misfit(mode, &counts) {
                            errors.push(FieldError::request(
                                format!("options.{key}"),
                                format!(
                                    "options.{key} {chosen} takes {} (got {got}); change the references or options.{key}, or leave options.{key} out to have it inferred.",
                                    mode_needs(mode, &lists)
                                ),
                            ));
                        }
                    }
                }
                None => match modes.iter().find(|m| !misfit(m, &counts)) {
                    Some(mode) => {
                        out.insert(key.clone(), Value::String(mode.value.clone()));
                    }
                    None => {
                        let ways: Vec<String> = modes
                            .iter()
                            .map(|m| format!("{} takes {}", m.value, mode_needs(m, &lists)))
                            .collect();
                        errors.push(FieldError::request(
                            format!("options.{key}"),
                            format!(
                                "No options.{key} fits these references (got {got}): {}; change the references.",
                                ways.join("; ")
                            ),
                        ));
                    }
                },
            }
        }
        Rule::SharedMaxItems { lists, max_items } => {
            if lists.iter().any(|l| failed.contains(l)) {
                return;
            }
            let total: usize = lists.iter().map(|l| option_value::list(out, l).len()).sum();
            if total > *max_items {
                let field = lists
                    .iter()
                    .find(|l| !option_value::list(out, l).is_empty())
                    .unwrap_or(&lists[0]);
                errors.push(FieldError::request(
                    format!("options.{field}"),
                    format!(
                        "{} may hold at most {max_items} URLs together (got {total}); remove some.",
                        option_names(lists, "and")
                    ),
                ));
            }
        }
        Rule::NeedsCompanion { key, with } => {
            if failed.contains(key)
                || with.iter().any(|w| failed.contains(w))
                || !is_present(out.get(key))
                || with.iter().any(|w| is_present(out.get(w)))
            {
                return;
            }
            errors.push(FieldError::request(
                format!("options.{key}"),
                format!(
                    "options.{key} cannot be sent alone; add {} as well, or remove options.{key}.",
                    option_names(with, "or")
                ),
            ));
        }
        // Applied while the scene is decided, and to the prompt check.
        Rule::ListRoutesTo { .. } | Rule::PromptUnless { .. } => {}
        Rule::MaxInputSeconds {
            lists,
            max_secs,
            declared_by,
            when,
        } => {
            if when.as_ref().is_some_and(|t| !holds(spec, out, t)) {
                return;
            }
            let condition = when
                .as_ref()
                .and_then(|t| {
                    Some(format!(
                        " when options.{} is {}",
                        t.key,
                        value_text(t.equals.as_ref()?)
                    ))
                })
                .unwrap_or_default();
            if let Some(declared) = declared_by {
                let length = out.get(declared).and_then(number);
                if let Some(length) = length.filter(|l| *l > *max_secs) {
                    if !failed.contains(declared) {
                        errors.push(FieldError::request(
                            format!("options.{declared}"),
                            format!(
                                "options.{declared} is {length} s, but the input may last at most {max_secs} s{condition}; use a shorter video."
                            ),
                        ));
                        return;
                    }
                }
            }
            if lists.iter().any(|l| failed.contains(l)) {
                return;
            }
            let current: &Map<String, Value> = out;
            let measured: f64 = lists
                .iter()
                .flat_map(|l| option_value::list(current, l))
                .filter_map(Value::as_str)
                .filter_map(|url| facts.length(url))
                .sum();
            if measured > *max_secs {
                errors.push(FieldError::request(
                    format!("options.{}", lists[0]),
                    format!(
                        "The media in {} last {:.1} s in total, but at most {max_secs} s are allowed{condition}; use a shorter video.",
                        option_names(lists, "and"),
                        measured
                    ),
                ));
            }
        }
        Rule::ModeByItemCount { key, list, modes } => {
            if failed.contains(key) || failed.contains(list) {
                return;
            }
            let count = option_value::list(out, list).len();
            let chosen = out.get(key).and_then(Value::as_str).map(str::to_string);
            match chosen {
                Some(mode) => {
                    if let Some(bound) = modes.iter().find(|m| m.value == mode) {
                        if count < bound.min_items || count > bound.max_items {
                            let need = if bound.max_items == 0 {
                                "no items".to_string()
                            } else {
                                format!("{}-{} items", bound.min_items, bound.max_items)
                            };
                            errors.push(FieldError::request(
                                format!("options.{list}"),
                                format!(
                                    "options.{list} must contain {need} when options.{key} is {mode} (got {count}); change the {list} or options.{key}."
                                ),
                            ));
                        }
                    }
                }
                None => {
                    if let Some(bound) = modes
                        .iter()
                        .find(|m| (m.min_items..=m.max_items).contains(&count))
                    {
                        out.insert(key.clone(), Value::String(bound.value.clone()));
                    } else {
                        let ways: Vec<String> = modes
                            .iter()
                            .map(|m| format!("{} takes {}-{}", m.value, m.min_items, m.max_items))
                            .collect();
                        errors.push(FieldError::request(
                            format!("options.{list}"),
                            format!(
                                "options.{list} holds {count} items, which no options.{key} accepts ({}); send fewer items.",
                                ways.join(", ")
                            ),
                        ));
                    }
                }
            }
        }
        Rule::RestrictWhen {
            when_key,
            when_value,
            key,
            allowed,
        } => {
            if failed.contains(key) || out.get(when_key).and_then(Value::as_str) != Some(when_value)
            {
                return;
            }
            if let Some(value) = out.get(key) {
                if !allowed.iter().any(|a| same_value(a, value)) {
                    errors.push(FieldError::request(
                        format!("options.{key}"),
                        format!(
                            "options.{key} must be {} when options.{when_key} is {when_value} (got {}).",
                            join_values(allowed, " or "),
                            value_text(value)
                        ),
                    ));
                }
            }
        }
        Rule::OneOfRequired { keys } => {
            if keys
                .iter()
                .any(|k| failed.contains(k) || is_present(out.get(k)))
            {
                return;
            }
            let names: Vec<String> = keys.iter().map(|k| format!("options.{k}")).collect();
            errors.push(FieldError::request(
                names.first().cloned().unwrap_or_default(),
                format!(
                    "One of {} is required; provide the URL of the video to process.",
                    names.join(" or ")
                ),
            ));
        }
        Rule::SecondItemBecomes {
            list,
            to,
            scene: when,
        } => {
            if when != scene || is_present(out.get(to)) {
                return;
            }
            let second = out
                .get(list)
                .and_then(Value::as_array)
                .and_then(|items| items.get(1))
                .cloned();
            if let Some(second) = second {
                out.insert(to.clone(), second);
            }
        }
    }
}

/// Equality as a person reads it: `"10"`, `10` and `10.0` are the same duration.
fn same_value(a: &Value, b: &Value) -> bool {
    match (number(a), number(b)) {
        (Some(x), Some(y)) => x == y,
        _ => value_text(a) == value_text(b),
    }
}

fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

/// Type-checks, normalises and bounds one value; the error is the full sentence.
fn check_value(option: &OptionSpec, value: &Value) -> Result<Value, String> {
    let field = format!("options.{}", option.key);
    let mut value = match option.kind {
        OptionKind::String | OptionKind::Url => match value {
            Value::String(s) if !s.trim().is_empty() => value.clone(),
            _ => {
                let what = if option.kind == OptionKind::Url {
                    "a URL string"
                } else {
                    "a non-empty string"
                };
                return Err(format!("{field} must be {what} (got {}).", shown(value)));
            }
        },
        OptionKind::Boolean => match value {
            Value::Bool(_) => value.clone(),
            _ => {
                return Err(format!(
                    "{field} must be true or false (got {}).",
                    shown(value)
                ))
            }
        },
        OptionKind::Integer => match value.as_f64() {
            Some(n) if value.is_number() && n.fract() == 0.0 => value.clone(),
            _ => {
                return Err(format!(
                    "{field} must be a whole number (got {}).",
                    shown(value)
                ))
            }
        },
        OptionKind::Number => match value {
            Value::Number(_) => value.clone(),
            _ => return Err(format!("{field} must be a number (got {}).", shown(value))),
        },
        OptionKind::StringOrNumber => match value {
            Value::Number(_) => value.clone(),
            Value::String(s) if !s.trim().is_empty() => value.clone(),
            _ => {
                return Err(format!(
                    "{field} must be a number or a string such as \"10\" (got {}).",
                    shown(value)
                ))
            }
        },
        OptionKind::UrlList => {
            let ok = value.as_array().is_some_and(|items| {
                items
                    .iter()
                    .all(|i| i.as_str().is_some_and(|s| !s.trim().is_empty()))
            });
            if !ok {
                return Err(format!(
                    "{field} must be a list of URL strings such as [\"https://…/a.png\"] (got {}).",
                    shown(value)
                ));
            }
            value.clone()
        }
    };

    if let (Some(format), Value::String(s)) = (option.format, &value) {
        if !format.matches(s) {
            return Err(format!(
                "{field} must be {} (got {}).",
                format.describe(),
                shown(&value)
            ));
        }
    }

    if option.first_item_only {
        if let Some(first) = value.as_array().and_then(|items| items.first()).cloned() {
            value = Value::Array(vec![first]);
        }
    }

    let bounded = option.min.is_some() || option.max.is_some() || option.round;
    if bounded && number(&value).is_none() {
        return Err(format!("{field} must be a number (got {}).", shown(&value)));
    }
    if option.round {
        if let Some(n) = number(&value) {
            value = Value::from(n.round() as i64);
        }
    }

    if let Value::String(s) = &value {
        if let Some(n) = option
            .normalize
            .iter()
            .find(|n| n.from.eq_ignore_ascii_case(s.trim()))
        {
            value = Value::String(n.to.clone());
        }
    }

    if option.enforce_allowed
        && !option.allowed.is_empty()
        && !option.allowed.iter().any(|a| same_value(a, &value))
    {
        return Err(format!(
            "{field} must be one of {} (got {}).",
            join_values(&option.allowed, ", "),
            value_text(&value)
        ));
    }

    if option.min.is_some() || option.max.is_some() {
        if let Some(n) = number(&value) {
            let too_low = option
                .min
                .is_some_and(|lo| n < lo || (option.min_exclusive && n == lo));
            let too_high = option.max.is_some_and(|hi| n > hi);
            if too_low || too_high {
                let bounds = match (option.min, option.max) {
                    (Some(lo), _) if option.min_exclusive => format!("more than {lo}"),
                    (Some(lo), Some(hi)) => format!("between {lo} and {hi}"),
                    (Some(lo), None) => format!("at least {lo}"),
                    (None, Some(hi)) => format!("at most {hi}"),
                    (None, None) => String::new(),
                };
                return Err(format!(
                    "{field} must be {bounds} (got {}).",
                    value_text(&value)
                ));
            }
        }
    }

    if let Some(items) = value.as_array().filter(|items| !items.is_empty()) {
        let count = items.len();
        match (option.min_items, option.max_items) {
            (Some(lo), Some(hi)) if lo == hi && count != lo => {
                return Err(format!(
                    "{field} must contain exactly {lo} URL{} (got {count}).",
                    if lo == 1 { "" } else { "s" }
                ));
            }
            (Some(lo), _) if count < lo => {
                return Err(format!(
                    "{field} must contain at least {lo} URLs (got {count})."
                ));
            }
            (_, Some(hi)) if count > hi => {
                return Err(format!(
                    "{field} accepts at most {hi} URLs (got {count}); remove some."
                ));
            }
            _ => {}
        }
    }
    Ok(value)
}
