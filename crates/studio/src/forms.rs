//! The Create page's forms, made from the catalogue: which control each option gets, its
//! choices and default, its range, and what each reference slot means. The front end
//! draws these and never interprets the catalogue itself, so the form, the client's
//! pre-check and the sandbox's check all follow one table.

use cyberbara::catalogue::{
    Catalogue, ModelSpec, OptionKind, OptionSpec, PromptRequirement, Rule, ValidationLevel,
};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

/// Options shown without opening "More options": the ones that shape every output.
const COMMON_KEYS: &[&str] = &[
    "aspect_ratio",
    "resolution",
    "duration",
    "generationType",
    "mode",
    "sound",
];

/// One model as a form.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ModelForm {
    pub model: String,
    pub label: String,
    /// One line about the model.
    pub description: String,
    pub media_type: String,
    /// Scenes the model accepts; empty means the server did not say (any).
    pub scenes: Vec<String>,
    pub prompt_required: bool,
    /// False for a model only the server lists: a generic form, options unchecked.
    pub known: bool,
    /// Options are forwarded to the provider (pass-through or unknown model), so the
    /// "Advanced (JSON)" editor is offered.
    pub pass_through: bool,
    /// How strictly the server checks options, in words.
    pub validation: String,
    pub fields: Vec<FormField>,
    /// Rules that tie options together, in words.
    pub rules: Vec<String>,
    /// The option that takes a seed (`seed`), when the model has one.
    pub seed_key: Option<String>,
}

/// One option of a model.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FormField {
    pub key: String,
    pub label: String,
    pub help: String,
    pub control: FormControl,
    /// Shown without opening "More options".
    pub common: bool,
    /// Scenes where the option applies; empty means all.
    pub scenes: Vec<String>,
    /// Scenes where it must be given.
    pub required_for: Vec<String>,
}

/// How an option is entered.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FormControl {
    /// A fixed list. With `strict` false the list is a recommendation and any text is
    /// accepted too.
    Select {
        choices: Vec<Choice>,
        strict: bool,
    },
    Toggle {
        default: Option<bool>,
    },
    Number {
        min: Option<f64>,
        max: Option<f64>,
        integer: bool,
        default: Option<f64>,
    },
    Text {
        default: Option<String>,
    },
    /// Reference files: uploads, or URLs of earlier outputs.
    References {
        media: ReferenceMedia,
        /// One URL (`end_image_url`) rather than a list.
        single: bool,
        min_items: Option<u32>,
        max_items: Option<u32>,
        /// What each position means; `{n}` counts from 1 and the last entry repeats.
        slots: Vec<String>,
        /// Other meanings when a mode option takes a value (veo's `generationType`).
        modes: Vec<SlotMode>,
    },
}

/// One value of a select.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Choice {
    #[ts(type = "string | number")]
    pub value: Value,
    pub label: String,
    pub is_default: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceMedia {
    #[default]
    Image,
    Video,
}

/// Slot meanings and counts in one mode of a mode option.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SlotMode {
    pub key: String,
    pub value: String,
    pub min_items: u32,
    pub max_items: u32,
    pub slots: Vec<String>,
}

/// Every model of `catalogue` as a form, in catalogue order.
pub fn forms(catalogue: &Catalogue) -> Vec<ModelForm> {
    catalogue.models.iter().map(form).collect()
}

/// One model as a form.
pub fn form(spec: &ModelSpec) -> ModelForm {
    ModelForm {
        model: spec.model.clone(),
        label: spec.label.clone(),
        description: spec.description.clone(),
        media_type: spec.media_type.as_str().to_string(),
        scenes: spec.scenes.iter().map(|s| s.as_str().to_string()).collect(),
        prompt_required: spec.prompt == PromptRequirement::Required,
        known: spec.known,
        pass_through: !spec.known || spec.validation == ValidationLevel::PassThrough,
        validation: spec.validation.describe().to_string(),
        fields: spec.options.iter().map(|o| field(spec, o)).collect(),
        rules: spec.rules.iter().map(Rule::describe).collect(),
        seed_key: spec
            .options
            .iter()
            .find(|o| o.key == "seed" && matches!(o.kind, OptionKind::Integer))
            .map(|o| o.key.clone()),
    }
}

fn field(spec: &ModelSpec, option: &OptionSpec) -> FormField {
    FormField {
        key: option.key.clone(),
        label: option.label.clone(),
        help: option.help.clone(),
        control: control(spec, option),
        common: COMMON_KEYS.contains(&option.key.as_str()),
        scenes: option
            .scenes
            .iter()
            .map(|s| s.as_str().to_string())
            .collect(),
        required_for: option
            .required_for
            .iter()
            .map(|s| s.as_str().to_string())
            .collect(),
    }
}

fn control(spec: &ModelSpec, option: &OptionSpec) -> FormControl {
    match option.kind {
        OptionKind::UrlList | OptionKind::Url => references(spec, option),
        OptionKind::Boolean => FormControl::Toggle {
            default: option.default.as_ref().and_then(Value::as_bool),
        },
        _ if !option.allowed.is_empty() => FormControl::Select {
            choices: option
                .allowed
                .iter()
                .map(|value| Choice {
                    label: cyberbara::catalogue::value_text(value),
                    is_default: option
                        .default
                        .as_ref()
                        .is_some_and(|d| same_value(d, value)),
                    value: value.clone(),
                })
                .collect(),
            strict: option.enforce_allowed,
        },
        OptionKind::Integer | OptionKind::Number | OptionKind::StringOrNumber => {
            FormControl::Number {
                min: option.min,
                max: option.max,
                integer: matches!(option.kind, OptionKind::Integer),
                default: option.default.as_ref().and_then(number_of),
            }
        }
        OptionKind::String => FormControl::Text {
            default: option
                .default
                .as_ref()
                .map(cyberbara::catalogue::value_text),
        },
    }
}

fn references(spec: &ModelSpec, option: &OptionSpec) -> FormControl {
    let single = matches!(option.kind, OptionKind::Url);
    let modes = spec
        .rules
        .iter()
        .filter_map(|rule| match rule {
            Rule::ModeByItemCount { key, list, modes } if *list == option.key => Some(
                modes
                    .iter()
                    .map(|m| SlotMode {
                        key: key.clone(),
                        value: m.value.clone(),
                        min_items: m.min_items as u32,
                        max_items: m.max_items as u32,
                        slots: m.slots.clone(),
                    })
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        })
        .flatten()
        .collect::<Vec<_>>();
    // With modes, the widest mode bounds the list when the option itself does not.
    let mode_max = modes.iter().map(|m| m.max_items).max();
    FormControl::References {
        media: if option.key.starts_with("video") {
            ReferenceMedia::Video
        } else {
            ReferenceMedia::Image
        },
        single,
        min_items: option.min_items.map(|n| n as u32),
        max_items: if single {
            Some(1)
        } else {
            option.max_items.map(|n| n as u32).or(mode_max)
        },
        slots: option.slots.clone(),
        modes,
    }
}

/// `10` and `"10"` are the same duration.
fn same_value(a: &Value, b: &Value) -> bool {
    a == b || cyberbara::catalogue::value_text(a) == cyberbara::catalogue::value_text(b)
}

fn number_of(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin(model: &str) -> ModelForm {
        form(Catalogue::builtin().model(model).unwrap())
    }

    fn field<'a>(form: &'a ModelForm, key: &str) -> &'a FormField {
        form.fields.iter().find(|f| f.key == key).unwrap()
    }

    #[test]
    fn every_option_of_every_model_gets_a_control() {
        for spec in &Catalogue::builtin().models {
            let form = form(spec);
            assert_eq!(form.fields.len(), spec.options.len(), "{}", spec.model);
            assert!(!form.description.is_empty(), "{}", spec.model);
        }
    }

    #[test]
    fn enumerations_become_selects_with_the_default_marked() {
        let sora = builtin("sora-2");
        let FormControl::Select { choices, strict } = &field(&sora, "duration").control else {
            panic!("duration should be a select");
        };
        assert!(*strict);
        let defaults: Vec<_> = choices.iter().filter(|c| c.is_default).collect();
        assert_eq!(defaults.len(), 1);
        assert_eq!(defaults[0].label, "10");
        assert!(field(&sora, "duration").common);
        assert!(!field(&sora, "upload_method").common);

        let nano = builtin("nano-banana-pro");
        let FormControl::Select { strict, .. } = &field(&nano, "resolution").control else {
            panic!("resolution should be a select");
        };
        assert!(!strict, "recommended values accept other text");
    }

    #[test]
    fn seeds_are_numbers_with_their_range_and_references_have_slots() {
        let veo = builtin("veo-3.1-fast");
        assert_eq!(veo.seed_key.as_deref(), Some("seed"));
        assert_eq!(
            field(&veo, "seed").control,
            FormControl::Number {
                min: Some(10_000.0),
                max: Some(99_999.0),
                integer: true,
                default: None
            }
        );
        let FormControl::References {
            max_items,
            modes,
            media,
            ..
        } = &field(&veo, "image_input").control
        else {
            panic!("image_input should take references");
        };
        assert_eq!(*media, ReferenceMedia::Image);
        assert_eq!(*max_items, Some(3));
        assert_eq!(modes.len(), 3);
        assert!(builtin("veo-3.1-quality")
            .fields
            .iter()
            .any(|f| f.key == "image_input"));

        let lite = builtin("seedance-1-lite");
        let FormControl::References { slots, single, .. } = &field(&lite, "end_image_url").control
        else {
            panic!("end_image_url should take a reference");
        };
        assert!(*single);
        assert_eq!(slots, &vec!["last frame".to_string()]);

        let seedance2 = builtin("seedance-2-preview");
        let FormControl::References {
            slots, max_items, ..
        } = &field(&seedance2, "image_input").control
        else {
            panic!("image_input should take references");
        };
        assert_eq!(slots, &vec!["@image{n}".to_string()]);
        assert_eq!(*max_items, Some(9));
        let FormControl::References { media, .. } = &field(&seedance2, "video_input").control
        else {
            panic!("video_input should take references");
        };
        assert_eq!(*media, ReferenceMedia::Video);
        assert!(builtin("kling-video-o1").pass_through);
        assert!(!seedance2.pass_through);
    }
}
