//! The sandbox's price list. It reproduces the spec's examples (nano-banana-pro at 1K
//! costs 8, sora-2 for 10 s costs 20) and makes every documented price-moving option
//! (duration, resolution, mode, generationType, sound) move the price, so clients can
//! test quotes against real differences. The full table is in the crate README.

use cyberbara::option_value;
use cyberbara::types::{MediaType, Scene};
use cyberbara::validate::{infer_scene, InputFacts};
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Price {
    pub credits: i64,
    /// The rule's name: the model for models with a rule, `fallback:<media type>` otherwise.
    pub rule: String,
    pub fallback: bool,
}

/// A string option, lower-cased, under any of `keys`.
fn text(options: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| match options.get(*k) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_ascii_lowercase()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

/// A duration in whole seconds (rounded), under the first of `keys` that holds one; read
/// by the workspace's one option reader.
pub(crate) fn whole_seconds(options: &Map<String, Value>, keys: &[&str]) -> Option<i64> {
    option_value::seconds(options, keys)
        .map(|s| s.round() as i64)
        .filter(|s| *s > 0)
}

fn flag(options: &Map<String, Value>, key: &str) -> bool {
    matches!(options.get(key), Some(Value::Bool(true)))
        || matches!(options.get(key), Some(Value::String(s)) if s.eq_ignore_ascii_case("true"))
}

fn ruled(model: &str, credits: i64) -> Price {
    Price {
        credits,
        rule: model.to_string(),
        fallback: false,
    }
}

/// Whole seconds of the media in `list` (each item rounded up, as billing by the second
/// does), when every item's length is known.
fn input_seconds(options: &Map<String, Value>, list: &str, facts: &InputFacts) -> Option<i64> {
    let items = option_value::list(options, list);
    if items.is_empty() {
        return None;
    }
    items
        .iter()
        .map(|item| facts.length(item.as_str()?).map(|s| s.ceil() as i64))
        .sum()
}

/// What a task costs. Unknown option values price as the documented default; an input
/// whose length is unknown prices as the longest the model accepts, so a quote never
/// under-states a charge.
pub(crate) fn price(
    model: &str,
    media_type: &MediaType,
    scene: Option<&Scene>,
    options: &Map<String, Value>,
    facts: &InputFacts,
) -> Price {
    let scene = scene
        .cloned()
        .unwrap_or_else(|| infer_scene(media_type, options));
    let duration =
        |default: i64| whole_seconds(options, &["duration", "n_frames"]).unwrap_or(default);
    match model {
        "nano-banana-pro" => ruled(
            model,
            match text(options, &["resolution"]).as_deref() {
                Some("2k") => 12,
                Some("4k") => 18,
                _ => 8,
            },
        ),
        "nano-banana-2" => ruled(
            model,
            match text(options, &["resolution"]).as_deref() {
                Some("2k") => 9,
                Some("4k") => 14,
                _ => 6,
            },
        ),
        "sora-2" => ruled(model, 2 * duration(10)),
        "sora-2-pro" => {
            let per_second = match text(options, &["resolution", "size"]).as_deref() {
                Some("high") => 9,
                _ => 4,
            };
            ruled(model, per_second * duration(10))
        }
        "seedance-2-preview" => ruled(model, 5 * duration(5)),
        "seedance-2-fast-preview" => ruled(model, 3 * duration(5)),
        "seedance-2-watermark-remover" => ruled(model, 10),
        "seedance-1-pro" | "seedance-1-lite" | "seedance-1-pro-fast" => {
            let resolution = text(options, &["resolution"]);
            let per_second = match (model, resolution.as_deref()) {
                ("seedance-1-lite", Some("480p")) => 1,
                ("seedance-1-lite", Some("1080p")) => 4,
                ("seedance-1-lite", _) => 2,
                (_, Some("480p")) => 2,
                (_, Some("1080p")) => 6,
                _ => 3,
            };
            ruled(model, per_second * duration(5))
        }
        "kling-2.6" => {
            let base = 5 * duration(5);
            ruled(
                model,
                if flag(options, "sound") {
                    base * 2
                } else {
                    base
                },
            )
        }
        "veo-3.1-fast" | "veo-3.1-quality" => {
            let reference = match text(options, &["generationtype", "generationType"]).as_deref() {
                Some(t) => t.eq_ignore_ascii_case("reference_2_video"),
                None => option_value::list(options, "image_input").len() == 3,
            };
            let base = if model == "veo-3.1-fast" { 30 } else { 120 };
            ruled(model, if reference { base + 10 } else { base })
        }
        "kling-video-o1" => ruled(model, 8 * duration(5)),
        "midjourney-v7" => ruled(
            model,
            if option_value::list(options, "omni_reference_input").is_empty() {
                10
            } else {
                20
            },
        ),
        "seedance-2" | "seedance-2-fast" => {
            let per_second = if model == "seedance-2" { 5 } else { 3 };
            // Video-to-video is billed on input plus output seconds; 16 is 15.4 s, the
            // longest input, rounded up.
            let input = if scene == Scene::VideoToVideo {
                input_seconds(options, "video_input", facts).unwrap_or(16)
            } else {
                0
            };
            ruled(model, per_second * (input + duration(5)))
        }
        "kling-3.0" => {
            let mut per_second = match text(options, &["mode"]).as_deref() {
                Some("pro") => 9,
                _ => 6,
            };
            if flag(options, "sound") {
                per_second += 3;
            }
            ruled(model, per_second * duration(5))
        }
        "kling-3.0-motion-control" => {
            let per_second = match text(options, &["mode"]).as_deref() {
                Some("1080p") => 27,
                _ => 20,
            };
            let longest = match text(options, &["character_orientation"]).as_deref() {
                Some("image") => 10,
                _ => 30,
            };
            let declared = options
                .get("input_video_duration")
                .and_then(option_value::duration_secs)
                .map(|s| s.ceil() as i64);
            let first_video = option_value::list(options, "video_input")
                .first()
                .and_then(Value::as_str)
                .and_then(|url| facts.length(url))
                .map(|s| s.ceil() as i64);
            ruled(
                model,
                per_second * first_video.or(declared).unwrap_or(longest),
            )
        }
        "suno-sound-v5" => ruled(model, 4),
        "suno-sound-v5-5" => ruled(model, 5),
        "suno-music-v5" => ruled(model, 12),
        _ => {
            let credits = match media_type {
                MediaType::Image => 10,
                MediaType::Video => 6 * duration(5),
                MediaType::Audio => 5,
                MediaType::Music => 12,
                MediaType::Other(_) => 10,
            };
            Price {
                credits,
                rule: format!("fallback:{media_type}"),
                fallback: true,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn opts(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn spec_examples_hold() {
        let p = price(
            "nano-banana-pro",
            &MediaType::Image,
            None,
            &opts(json!({"resolution": "1k"})),
            &InputFacts::new(),
        );
        assert_eq!((p.credits, p.fallback), (8, false));
        let p = price(
            "sora-2",
            &MediaType::Video,
            None,
            &opts(json!({"duration": "10", "resolution": "standard"})),
            &InputFacts::new(),
        );
        assert_eq!(p.credits, 20);
        let p = price(
            "sora-2",
            &MediaType::Video,
            None,
            &opts(json!({"n_frames": 15})),
            &InputFacts::new(),
        );
        assert_eq!(p.credits, 30);
    }

    #[test]
    fn measured_input_lengths_price_video_to_video_and_motion_control() {
        let url = "http://127.0.0.1:1/uploads/v.mp4";
        let facts = InputFacts::new().with_length(url, 6.2);
        let v2v = opts(json!({"video_input": [url], "duration": 5}));
        let p = price("seedance-2", &MediaType::Video, None, &v2v, &facts);
        assert_eq!(
            p.credits,
            5 * (7 + 5),
            "input 6.2 s bills as 7 s, plus 5 s out"
        );
        let p = price("seedance-2-fast", &MediaType::Video, None, &v2v, &facts);
        assert_eq!(p.credits, 3 * (7 + 5));
        // An explicit image-to-video bills only the output.
        let p = price(
            "seedance-2",
            &MediaType::Video,
            Some(&Scene::ImageToVideo),
            &v2v,
            &facts,
        );
        assert_eq!(p.credits, 25);
        let motion = opts(json!({"video_input": [url], "mode": "1080p"}));
        let p = price(
            "kling-3.0-motion-control",
            &MediaType::Video,
            None,
            &motion,
            &facts,
        );
        assert_eq!(p.credits, 27 * 7);
        // A measured length wins over a declared one; the declared one prices an input
        // the server cannot measure.
        let declared = opts(json!({"video_input": [url], "input_video_duration": 3}));
        let p = price(
            "kling-3.0-motion-control",
            &MediaType::Video,
            None,
            &declared,
            &facts,
        );
        assert_eq!(p.credits, 20 * 7);
        let p = price(
            "kling-3.0-motion-control",
            &MediaType::Video,
            None,
            &declared,
            &InputFacts::new(),
        );
        assert_eq!(p.credits, 20 * 3);
    }

    #[test]
    fn unknown_models_use_fallback_pricing() {
        let p = price(
            "future-music-v1",
            &MediaType::Music,
            None,
            &Map::new(),
            &InputFacts::new(),
        );
        assert!(p.fallback);
        assert_eq!(p.rule, "fallback:music");
    }

    /// One priced example from a README table cell: `[media] `{options}` → credits`.
    fn readme_examples(cell: &str) -> Vec<(Option<String>, Map<String, Value>, i64)> {
        cell.split("; ")
            .map(|example| {
                let (before, rest) = example
                    .split_once('`')
                    .unwrap_or_else(|| panic!("no `{{options}}` in {example:?}"));
                let (options, after) = rest.split_once('`').unwrap();
                let options: Value = serde_json::from_str(options)
                    .unwrap_or_else(|e| panic!("{options:?} is not JSON: {e}"));
                let credits: String = after
                    .trim_start_matches(|c: char| !c.is_ascii_digit())
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                let media = Some(before.trim().to_string()).filter(|m| !m.is_empty());
                (media, opts(options), credits.parse().unwrap())
            })
            .collect()
    }

    #[test]
    fn readme_table_matches_the_price_list() {
        let readme = include_str!("../README.md");
        let section = readme
            .split("## Pricing")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .expect("a Pricing section in the README");
        let mut rows = 0;
        let mut documented: Vec<String> = Vec::new();
        for row in section
            .lines()
            .filter(|l| l.starts_with("| `") || l.starts_with("| anything"))
        {
            let cells: Vec<&str> = row.trim_matches('|').split(" | ").map(str::trim).collect();
            assert_eq!(cells.len(), 3, "{row}");
            let models: Vec<&str> = cells[0]
                .split('`')
                .skip(1)
                .step_by(2)
                .filter(|m| *m != "extra_models")
                .collect();
            let fallback = cells[0].starts_with("anything else");
            let examples = readme_examples(cells[2]);
            assert!(!examples.is_empty(), "{row}");
            for (media, options, credits) in examples {
                let targets: Vec<(String, MediaType)> = if fallback {
                    let media = media.expect("fallback examples name their media type");
                    vec![("not-a-priced-model".into(), MediaType::parse(&media))]
                } else {
                    models
                        .iter()
                        .map(|m| {
                            let spec = cyberbara::catalogue::Catalogue::builtin()
                                .model(m)
                                .unwrap_or_else(|| panic!("README prices unknown model {m}"));
                            (m.to_string(), spec.media_type.clone())
                        })
                        .collect()
                };
                for (model, media_type) in targets {
                    let p = price(&model, &media_type, None, &options, &InputFacts::new());
                    assert_eq!(
                        (p.credits, p.fallback),
                        (credits, fallback),
                        "README says {model} with {options:?} costs {credits}"
                    );
                }
            }
            documented.extend(models.iter().map(|m| m.to_string()));
            rows += 1;
        }
        assert_eq!(rows, 22, "every pricing row was read");
        for spec in &cyberbara::catalogue::Catalogue::builtin().models {
            assert!(
                documented.contains(&spec.model),
                "{} has no row in the README pricing table",
                spec.model
            );
            assert!(
                !price(
                    &spec.model,
                    &spec.media_type,
                    None,
                    &Map::new(),
                    &InputFacts::new()
                )
                .fallback
            );
        }
    }
}
