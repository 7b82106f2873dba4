//! The built-in table: the spec's "Model-Specific Options (Complete Matrix)", one entry per
//! documented model, written with small builders so each entry reads like the spec.

use super::{
    InputMode, InternalKey, ListBound, ModeBound, ModelSpec, Normalization, OptionKind, OptionSpec,
    OptionTest, PromptRequirement, Rule, ValidationLevel, ValueFormat,
};
use crate::types::{MediaType, Scene};
use serde_json::{json, Value};

/// Starts an option with everything optional; the chained setters below fill it in.
pub(super) fn opt(key: &str, kind: OptionKind, label: &str) -> OptionSpec {
    OptionSpec {
        key: key.into(),
        aliases: Vec::new(),
        label: label.into(),
        help: String::new(),
        kind,
        allowed: Vec::new(),
        enforce_allowed: false,
        default: None,
        min: None,
        max: None,
        min_items: None,
        max_items: None,
        normalize: Vec::new(),
        scenes: Vec::new(),
        required_for: Vec::new(),
        slots: Vec::new(),
        min_exclusive: false,
        round: false,
        first_item_only: false,
        format: None,
        invalid_becomes: None,
    }
}

impl OptionSpec {
    pub(super) fn help(mut self, help: &str) -> Self {
        self.help = help.into();
        self
    }
    fn aliases(mut self, aliases: &[&str]) -> Self {
        self.aliases = aliases.iter().map(|a| a.to_string()).collect();
        self
    }
    /// Values outside `values` are refused.
    fn only(mut self, values: &[Value]) -> Self {
        self.allowed = values.to_vec();
        self.enforce_allowed = true;
        self
    }
    /// Values outside `values` are passed through.
    fn recommend(mut self, values: &[Value]) -> Self {
        self.allowed = values.to_vec();
        self.enforce_allowed = false;
        self
    }
    fn default(mut self, value: Value) -> Self {
        self.default = Some(value);
        self
    }
    fn range(mut self, min: f64, max: f64) -> Self {
        self.min = Some(min);
        self.max = Some(max);
        self
    }
    fn items(mut self, min: Option<usize>, max: Option<usize>) -> Self {
        self.min_items = min;
        self.max_items = max;
        self
    }
    fn normalize(mut self, pairs: &[(&str, &str)]) -> Self {
        self.normalize = pairs
            .iter()
            .map(|(from, to)| Normalization {
                from: from.to_string(),
                to: to.to_string(),
            })
            .collect();
        self
    }
    fn scenes(mut self, scenes: &[Scene]) -> Self {
        self.scenes = scenes.to_vec();
        self
    }
    fn required_for(mut self, scenes: &[Scene]) -> Self {
        self.required_for = scenes.to_vec();
        self
    }
    fn slots(mut self, slots: &[&str]) -> Self {
        self.slots = slots.iter().map(|s| s.to_string()).collect();
        self
    }
    fn at_least(mut self, min: f64) -> Self {
        self.min = Some(min);
        self
    }
    /// Strictly above `min`.
    fn above(mut self, min: f64) -> Self {
        self.min = Some(min);
        self.min_exclusive = true;
        self
    }
    fn rounded(mut self) -> Self {
        self.round = true;
        self
    }
    fn first_item_only(mut self) -> Self {
        self.first_item_only = true;
        self
    }
    fn format(mut self, format: ValueFormat) -> Self {
        self.format = Some(format);
        self
    }
    fn invalid_becomes(mut self, value: Value) -> Self {
        self.invalid_becomes = Some(value);
        self
    }
}

fn present(key: &str) -> OptionTest {
    OptionTest {
        key: key.into(),
        equals: None,
    }
}

fn equals(key: &str, value: Value) -> OptionTest {
    OptionTest {
        key: key.into(),
        equals: Some(value),
    }
}

fn bound(list: &str, min_items: usize, max_items: usize) -> ListBound {
    ListBound {
        list: list.into(),
        min_items,
        max_items,
    }
}

fn strs(values: &[&str]) -> Vec<Value> {
    values.iter().map(|v| json!(v)).collect()
}

pub(super) fn builtin_internal_keys() -> Vec<InternalKey> {
    [
        ("image_url", "image_input"),
        ("image_urls", "image_input"),
        ("input_images", "image_input"),
        ("imageUrls", "image_input"),
        ("video_url", "video_input"),
    ]
    .iter()
    .map(|(key, instead)| InternalKey {
        key: key.to_string(),
        use_instead: instead.to_string(),
    })
    .collect()
}

struct ModelHead<'a> {
    model: &'a str,
    label: &'a str,
    description: &'a str,
    media_type: MediaType,
    scenes: &'a [Scene],
    prompt: PromptRequirement,
    validation: ValidationLevel,
}

fn model(head: ModelHead<'_>, options: Vec<OptionSpec>, rules: Vec<Rule>) -> ModelSpec {
    ModelSpec {
        model: head.model.into(),
        label: head.label.into(),
        description: head.description.into(),
        media_type: head.media_type,
        scenes: head.scenes.to_vec(),
        prompt: head.prompt,
        validation: head.validation,
        options,
        rules,
        known: true,
    }
}

fn nano_banana_options(google_search: bool) -> Vec<OptionSpec> {
    let mut options = vec![
        opt("image_input", OptionKind::UrlList, "Input images")
            .help("Reference image URLs; a non-empty list makes the request image-to-image.")
            .slots(&["reference {n}"])
            .scenes(&[Scene::ImageToImage])
            .required_for(&[Scene::ImageToImage]),
        opt("aspect_ratio", OptionKind::String, "Aspect ratio")
            .help("Any ratio such as 16:9 or 1:1; passed through as written."),
        opt("resolution", OptionKind::String, "Resolution")
            .help("1K, 2K or 4K; lower-case spellings are normalised, other values passed through.")
            .recommend(&strs(&["1K", "2K", "4K"]))
            .normalize(&[("1k", "1K"), ("2k", "2K"), ("4k", "4K")]),
        opt("output_format", OptionKind::String, "Output format")
            .help("jpg or png; jpeg becomes jpg, other values are passed through.")
            .recommend(&strs(&["jpg", "png"]))
            .normalize(&[("jpeg", "jpg")]),
    ];
    if google_search {
        options.push(
            opt("google_search", OptionKind::Boolean, "Google search")
                .help("Let the model ground the image in web search results."),
        );
    }
    options
}

fn sora_common() -> Vec<OptionSpec> {
    vec![
        opt("image_input", OptionKind::UrlList, "Input images")
            .help("Reference image URLs; required for image-to-video.")
            .slots(&["reference {n}"])
            .scenes(&[Scene::ImageToVideo])
            .required_for(&[Scene::ImageToVideo]),
        opt("aspect_ratio", OptionKind::String, "Orientation")
            .help("landscape or portrait.")
            .only(&strs(&["landscape", "portrait"]))
            .default(json!("landscape")),
        opt("duration", OptionKind::StringOrNumber, "Duration (s)")
            .help("Clip length in seconds: 10 or 15.")
            .aliases(&["n_frames"])
            .only(&[json!(10), json!(15)])
            .default(json!(10)),
    ]
}

fn seedance_2_options() -> Vec<OptionSpec> {
    vec![
        opt("image_input", OptionKind::UrlList, "Input images")
            .help("Up to 9 reference images, usable in the prompt as @image1, @image2, …")
            .slots(&["@image{n}"])
            .items(None, Some(9))
            .scenes(&[Scene::ImageToVideo, Scene::VideoToVideo])
            .required_for(&[Scene::ImageToVideo]),
        opt("video_input", OptionKind::UrlList, "Input video")
            .help("Exactly one video to edit; makes the request video-to-video.")
            .slots(&["video to edit"])
            .items(Some(1), Some(1))
            .scenes(&[Scene::VideoToVideo])
            .required_for(&[Scene::VideoToVideo]),
        opt("duration", OptionKind::StringOrNumber, "Duration (s)")
            .help("5, 10 or 15 seconds; a video edit keeps the input video's length.")
            .only(&[json!(5), json!(10), json!(15)])
            .default(json!(5))
            .scenes(&[Scene::TextToVideo, Scene::ImageToVideo]),
        opt("aspect_ratio", OptionKind::String, "Aspect ratio")
            .help("Best effort; an input image's ratio may override it.")
            .only(&strs(&["16:9", "9:16", "4:3", "3:4"]))
            .default(json!("16:9")),
        opt("parent_task_id", OptionKind::String, "Extend task")
            .help("Id of an earlier Seedance 2.0 task to extend; missing fields are inherited."),
    ]
}

fn seed_option(min: f64, max: f64) -> OptionSpec {
    opt("seed", OptionKind::Integer, "Seed")
        .help("Fixes randomness so a request can be repeated.")
        .aliases(&["seeds"])
        .range(min, max)
}

fn seedance_1_options(lite: bool) -> Vec<OptionSpec> {
    let mut options = vec![
        opt("image_input", OptionKind::UrlList, "Input images")
            .help(if lite {
                "The first image starts the clip; a second one becomes the end frame."
            } else {
                "The first image starts the clip."
            })
            .slots(if lite {
                &["first frame", "last frame"][..]
            } else {
                &["first frame"][..]
            })
            .scenes(&[Scene::ImageToVideo])
            .required_for(&[Scene::ImageToVideo]),
        opt("resolution", OptionKind::String, "Resolution")
            .help("480p, 720p or 1080p recommended; other values are passed through.")
            .recommend(&strs(&["480p", "720p", "1080p"]))
            .default(json!("720p")),
        opt("duration", OptionKind::StringOrNumber, "Duration (s)")
            .help("5 or 10 seconds recommended.")
            .recommend(&[json!(5), json!(10)])
            .default(json!(5)),
        opt("aspect_ratio", OptionKind::String, "Aspect ratio")
            .help("Used for text-to-video only; image-to-video follows the image.")
            .default(json!("16:9"))
            .scenes(&[Scene::TextToVideo]),
        opt("camera_fixed", OptionKind::Boolean, "Fixed camera").help("Keep the camera still."),
        seed_option(-1.0, 2_147_483_647.0)
            .help("-1 for random, or a fixed seed to repeat a result."),
    ];
    let safety = opt(
        "enable_safety_checker",
        OptionKind::Boolean,
        "Safety checker",
    )
    .help("Run the provider's safety checker on the output.");
    if lite {
        options.push(safety.scenes(&[Scene::TextToVideo]));
        options.push(
            opt("end_image_url", OptionKind::Url, "End frame")
                .help("Image the clip ends on (image-to-video).")
                .slots(&["last frame"])
                .scenes(&[Scene::ImageToVideo]),
        );
    } else {
        options.push(safety);
    }
    options
}

fn veo_options(reference: bool) -> Vec<OptionSpec> {
    let mut types = vec!["TEXT_2_VIDEO", "FIRST_AND_LAST_FRAMES_2_VIDEO"];
    if reference {
        types.push("REFERENCE_2_VIDEO");
    }
    vec![
        opt("image_input", OptionKind::UrlList, "Input images")
            .help("0 images for text, 1-2 for first/last frames, 1-3 for references.")
            .slots(&["first frame", "last frame"])
            .required_for(&[Scene::ImageToVideo]),
        opt("generationType", OptionKind::String, "Generation type")
            .help("How images are used; inferred from the number of images when omitted.")
            .only(&strs(&types)),
        opt("aspect_ratio", OptionKind::String, "Aspect ratio")
            .help("16:9, 9:16 or Auto; landscape and portrait are accepted.")
            .only(&strs(&["16:9", "9:16", "Auto"]))
            .normalize(&[("landscape", "16:9"), ("portrait", "9:16")])
            .default(json!("16:9")),
        seed_option(10_000.0, 99_999.0),
        opt("enableTranslation", OptionKind::Boolean, "Translate prompt")
            .help("Translate the prompt to English before generating."),
        opt("watermark", OptionKind::String, "Watermark").help("Text watermark to add."),
    ]
}

fn veo_rules(reference: bool) -> Vec<Rule> {
    let mut modes = vec![
        ModeBound {
            value: "TEXT_2_VIDEO".into(),
            min_items: 0,
            max_items: 0,
            slots: Vec::new(),
        },
        ModeBound {
            value: "FIRST_AND_LAST_FRAMES_2_VIDEO".into(),
            min_items: 1,
            max_items: 2,
            slots: vec!["first frame".into(), "last frame".into()],
        },
    ];
    let mut rules = Vec::new();
    if reference {
        modes.push(ModeBound {
            value: "REFERENCE_2_VIDEO".into(),
            min_items: 1,
            max_items: 3,
            slots: vec!["reference {n}".into()],
        });
    }
    rules.push(Rule::ModeByItemCount {
        key: "generationType".into(),
        list: "image_input".into(),
        modes,
    });
    if reference {
        rules.push(Rule::RestrictWhen {
            when_key: "generationType".into(),
            when_value: "REFERENCE_2_VIDEO".into(),
            key: "aspect_ratio".into(),
            allowed: strs(&["16:9"]),
        });
    }
    rules
}

fn midjourney_options() -> Vec<OptionSpec> {
    vec![
        opt("image_input", OptionKind::UrlList, "Image prompts")
            .help("Images the picture should resemble; a non-empty list makes the request image-to-image, unless scene text-to-image is given, which keeps them as image prompts.")
            .slots(&["image prompt {n}"])
            .required_for(&[Scene::ImageToImage]),
        opt("image_weight", OptionKind::Number, "Image weight")
            .help("How much the image prompts count against the text; 0 or more.")
            .at_least(0.0),
        opt("style_reference_input", OptionKind::UrlList, "Style reference")
            .help("An image whose style to follow; only the first URL is used, and it does not change the scene.")
            .slots(&["style reference"])
            .first_item_only(),
        opt("style_reference_weight", OptionKind::Number, "Style weight")
            .help("How strongly the style reference counts; 0 or more.")
            .at_least(0.0),
        opt("omni_reference_input", OptionKind::UrlList, "Omni reference")
            .help("A character or object to put in the picture; only the first URL is used, and it does not change the scene.")
            .slots(&["omni reference"])
            .first_item_only(),
        opt("omni_reference_weight", OptionKind::Number, "Omni weight")
            .help("How closely the omni reference is followed; 0 or more.")
            .at_least(0.0),
        opt("aspect_ratio", OptionKind::String, "Aspect ratio")
            .help("Any ratio W:H of whole numbers such as 16:9 or 2:3; anything else becomes 1:1.")
            .format(ValueFormat::Ratio)
            .default(json!("1:1"))
            .invalid_becomes(json!("1:1")),
    ]
}

/// Seedance 2.0 (not the preview): images, one video and audio as references.
fn seedance_2_ga_options() -> Vec<OptionSpec> {
    vec![
        opt("image_input", OptionKind::UrlList, "Input images")
            .help("1-2 images are the first and last frames; more (or with a video or audio) make an omni-reference video, usable in the prompt as @image1, @image2, … At most 12 together with audio_input.")
            .slots(&["@image{n}"])
            .items(None, Some(12))
            .scenes(&[Scene::ImageToVideo, Scene::VideoToVideo])
            .required_for(&[Scene::ImageToVideo]),
        opt("video_input", OptionKind::UrlList, "Reference video")
            .help("One video to edit or take motion from, at most 15.4 s long; makes the request video-to-video.")
            .slots(&["reference video"])
            .items(Some(1), Some(1))
            .scenes(&[Scene::VideoToVideo])
            .required_for(&[Scene::VideoToVideo]),
        opt("audio_input", OptionKind::UrlList, "Reference audio")
            .help("Audio URLs for an omni-reference video, never alone: add an image or a video too. At most 12 together with image_input.")
            .slots(&["@audio{n}"])
            .items(None, Some(12)),
        opt("duration", OptionKind::Integer, "Duration (s)")
            .help("4 to 15 seconds; for video-to-video, the length of the output.")
            .range(4.0, 15.0)
            .default(json!(5)),
        opt("aspect_ratio", OptionKind::String, "Aspect ratio")
            .help("21:9, 16:9, 4:3, 1:1, 3:4 or 9:16.")
            .only(&strs(&["21:9", "16:9", "4:3", "1:1", "3:4", "9:16"]))
            .default(json!("16:9")),
        opt("mode", OptionKind::String, "Mode")
            .help("text_to_video, first_last_frames or omni_reference; inferred from the references when omitted.")
            .only(&strs(&["text_to_video", "first_last_frames", "omni_reference"])),
    ]
}

fn seedance_2_ga_rules() -> Vec<Rule> {
    vec![
        Rule::ModeByInputs {
            key: "mode".into(),
            modes: vec![
                InputMode {
                    value: "text_to_video".into(),
                    lists: vec![],
                    min_total: 0,
                },
                InputMode {
                    value: "first_last_frames".into(),
                    lists: vec![bound("image_input", 1, 2)],
                    min_total: 1,
                },
                InputMode {
                    value: "omni_reference".into(),
                    lists: vec![
                        bound("image_input", 0, 12),
                        bound("video_input", 0, 1),
                        bound("audio_input", 0, 12),
                    ],
                    min_total: 1,
                },
            ],
        },
        Rule::SharedMaxItems {
            lists: vec!["image_input".into(), "audio_input".into()],
            max_items: 12,
        },
        Rule::NeedsCompanion {
            key: "audio_input".into(),
            with: vec!["image_input".into(), "video_input".into()],
        },
        Rule::MaxInputSeconds {
            lists: vec!["video_input".into()],
            max_secs: 15.4,
            declared_by: None,
            when: None,
        },
    ]
}

fn kling_3_options() -> Vec<OptionSpec> {
    vec![
        opt("image_input", OptionKind::UrlList, "Input images")
            .help("The first frame; a non-empty list makes the request image-to-video, whatever scene is given.")
            .slots(&["first frame"])
            .required_for(&[Scene::ImageToVideo]),
        opt("duration", OptionKind::StringOrNumber, "Duration (s)")
            .help("3 to 15 seconds, rounded to a whole second.")
            .range(3.0, 15.0)
            .rounded()
            .default(json!(5)),
        opt("sound", OptionKind::Boolean, "Sound")
            .help("Generate a soundtrack with the video.")
            .default(json!(false)),
        opt("mode", OptionKind::String, "Tier")
            .help("std, or pro for higher quality at a higher price.")
            .only(&strs(&["std", "pro"]))
            .default(json!("std")),
        opt("aspect_ratio", OptionKind::String, "Aspect ratio")
            .help("1:1, 16:9 or 9:16.")
            .only(&strs(&["1:1", "16:9", "9:16"]))
            .default(json!("16:9")),
    ]
}

fn motion_control_options() -> Vec<OptionSpec> {
    vec![
        opt("video_input", OptionKind::UrlList, "Motion reference")
            .help("The video whose motion the character copies (first URL used): at most 10 s with character_orientation image, 30 s with video.")
            .slots(&["motion reference"])
            .first_item_only()
            .required_for(&[Scene::VideoToVideo]),
        opt("image_input", OptionKind::UrlList, "Character images")
            .help("At least one image of the character to animate.")
            .slots(&["character", "reference {n}"])
            .required_for(&[Scene::VideoToVideo]),
        opt("mode", OptionKind::String, "Resolution")
            .help("720p (20 credits a second) or 1080p (27 credits a second).")
            .only(&strs(&["720p", "1080p"]))
            .default(json!("720p")),
        opt("character_orientation", OptionKind::String, "Character orientation")
            .help("Follow the image's orientation (input video up to 10 s) or the video's (up to 30 s).")
            .only(&strs(&["image", "video"]))
            .default(json!("video")),
        opt("input_video_duration", OptionKind::Number, "Input video length (s)")
            .help("Length of the motion reference in seconds; makes the quote exact.")
            .above(0.0),
    ]
}

fn motion_control_rules() -> Vec<Rule> {
    [("image", 10.0), ("video", 30.0)]
        .iter()
        .map(|(orientation, max_secs)| Rule::MaxInputSeconds {
            lists: vec!["video_input".into()],
            max_secs: *max_secs,
            declared_by: Some("input_video_duration".into()),
            when: Some(equals("character_orientation", json!(orientation))),
        })
        .collect()
}

fn suno_sound_options() -> Vec<OptionSpec> {
    vec![
        opt("loop", OptionKind::Boolean, "Loop")
            .help("Make the sound loop seamlessly.")
            .default(json!(false)),
        opt("duration", OptionKind::Number, "Length (s)")
            .help("1 to 30 seconds. Not in the API reference: the Sandbox makes sounds this long; the live service may choose its own length.")
            .range(1.0, 30.0)
            .default(json!(5)),
    ]
}

fn suno_music_options() -> Vec<OptionSpec> {
    vec![
        opt("instrumental", OptionKind::Boolean, "Instrumental")
            .help("Music without vocals.")
            .default(json!(false)),
        opt("duration", OptionKind::Number, "Length (s)")
            .help("10 to 240 seconds. Not in the API reference: the Sandbox makes songs this long; the live service may choose its own length.")
            .range(10.0, 240.0)
            .default(json!(30)),
        opt("custom_mode", OptionKind::Boolean, "Custom mode")
            .help("Write the title, style and lyrics yourself; with all of them the prompt may be left out."),
        opt("title", OptionKind::String, "Title").help("The song's title (custom mode)."),
        opt("style", OptionKind::String, "Style")
            .help("Genres, moods and instruments, e.g. lo-fi, warm, piano (custom mode)."),
        opt("lyrics", OptionKind::String, "Lyrics")
            .help("The words to sing (custom mode); not needed for an instrumental."),
    ]
}

pub(super) fn builtin_models() -> Vec<ModelSpec> {
    use MediaType::{Audio, Image, Music, Video};
    use PromptRequirement::{Optional, Required};
    use Scene::{
        ImageToImage, ImageToVideo, TextToAudio, TextToImage, TextToMusic, TextToVideo,
        VideoToVideo,
    };
    use ValidationLevel::{PassThrough, Strict, StrictNormalizing};
    const IMAGE: &[Scene] = &[TextToImage, ImageToImage];
    const VIDEO: &[Scene] = &[TextToVideo, ImageToVideo];
    const ALL_VIDEO: &[Scene] = &[TextToVideo, ImageToVideo, VideoToVideo];

    let mut sora_2 = sora_common();
    sora_2.push(
        opt("remove_watermark", OptionKind::Boolean, "Remove watermark")
            .help("Deliver the clip without the provider's watermark.")
            .default(json!(true)),
    );
    sora_2.push(
        opt("upload_method", OptionKind::String, "Upload method")
            .help("Storage the provider uploads the result to: s3 or oss.")
            .only(&strs(&["s3", "oss"]))
            .default(json!("s3")),
    );
    let mut sora_2_pro = sora_common();
    sora_2_pro.push(
        opt("resolution", OptionKind::String, "Quality")
            .help("standard or high.")
            .aliases(&["size"])
            .only(&strs(&["standard", "high"]))
            .default(json!("standard")),
    );

    vec![
        model(
            ModelHead {
                model: "nano-banana-2",
                label: "Nano Banana 2",
                description: "Image generation and editing with optional web grounding.",
                media_type: Image,
                scenes: IMAGE,
                prompt: Required,
                validation: StrictNormalizing,
            },
            nano_banana_options(true),
            vec![],
        ),
        model(
            ModelHead {
                model: "nano-banana-pro",
                label: "Nano Banana Pro",
                description: "High-quality image generation and editing.",
                media_type: Image,
                scenes: IMAGE,
                prompt: Required,
                validation: StrictNormalizing,
            },
            nano_banana_options(false),
            vec![],
        ),
        model(
            ModelHead {
                model: "midjourney-v7",
                label: "Midjourney v7",
                description: "Images from text, image prompts, a style reference and an omni reference; extra options are forwarded.",
                media_type: Image,
                scenes: IMAGE,
                prompt: Required,
                validation: PassThrough,
            },
            midjourney_options(),
            vec![],
        ),
        model(
            ModelHead {
                model: "sora-2",
                label: "Sora 2",
                description: "Video from text or reference images, 10 or 15 seconds.",
                media_type: Video,
                scenes: VIDEO,
                prompt: Required,
                validation: Strict,
            },
            sora_2,
            vec![],
        ),
        model(
            ModelHead {
                model: "sora-2-pro",
                label: "Sora 2 Pro",
                description: "Sora 2 with a high-quality tier; the prompt is optional but recommended.",
                media_type: Video,
                scenes: VIDEO,
                prompt: Optional,
                validation: Strict,
            },
            sora_2_pro,
            vec![],
        ),
        model(
            ModelHead {
                model: "seedance-2-preview",
                label: "Seedance 2.0 (preview)",
                description: "Video from text, up to 9 images, or an existing video to edit.",
                media_type: Video,
                scenes: ALL_VIDEO,
                prompt: Required,
                validation: Strict,
            },
            seedance_2_options(),
            vec![],
        ),
        model(
            ModelHead {
                model: "seedance-2-fast-preview",
                label: "Seedance 2.0 Fast (preview)",
                description: "Faster Seedance 2.0 with the same options.",
                media_type: Video,
                scenes: ALL_VIDEO,
                prompt: Required,
                validation: Strict,
            },
            seedance_2_options(),
            vec![],
        ),
        model(
            ModelHead {
                model: "seedance-2-watermark-remover",
                label: "Seedance 2.0 watermark remover",
                description: "Removes the watermark from a video; pass scene video-to-video when sending only video_url.",
                media_type: Video,
                scenes: &[VideoToVideo],
                prompt: Optional,
                validation: Strict,
            },
            vec![
                opt("video_input", OptionKind::UrlList, "Video")
                    .help("The one video to clean up.")
                    .slots(&["video"])
                    .items(Some(1), Some(1)),
                opt("video_url", OptionKind::Url, "Video URL")
                    .help("Alternative to the video list: one video URL.")
                    .slots(&["video"]),
                opt("duration", OptionKind::StringOrNumber, "Duration hint (s)")
                    .help("Optional; detected from the video when omitted."),
            ],
            vec![Rule::OneOfRequired {
                keys: vec!["video_input".into(), "video_url".into()],
            }],
        ),
        model(
            ModelHead {
                model: "seedance-1-pro",
                label: "Seedance 1 Pro",
                description: "Video from text or a starting image.",
                media_type: Video,
                scenes: VIDEO,
                prompt: Required,
                validation: StrictNormalizing,
            },
            seedance_1_options(false),
            vec![],
        ),
        model(
            ModelHead {
                model: "seedance-1-lite",
                label: "Seedance 1 Lite",
                description: "Video from text, or from a start image and optional end image.",
                media_type: Video,
                scenes: VIDEO,
                prompt: Required,
                validation: StrictNormalizing,
            },
            seedance_1_options(true),
            vec![Rule::SecondItemBecomes {
                list: "image_input".into(),
                to: "end_image_url".into(),
                scene: ImageToVideo,
            }],
        ),
        model(
            ModelHead {
                model: "seedance-1-pro-fast",
                label: "Seedance 1 Pro Fast",
                description: "Fast video from a starting image.",
                media_type: Video,
                scenes: &[ImageToVideo],
                prompt: Required,
                validation: StrictNormalizing,
            },
            vec![
                opt("image_input", OptionKind::UrlList, "Input images")
                    .help("The first image starts the clip.")
                    .slots(&["first frame"])
                    .required_for(&[ImageToVideo]),
                opt("resolution", OptionKind::String, "Resolution")
                    .help("720p or 1080p recommended; other values are passed through.")
                    .recommend(&strs(&["720p", "1080p"]))
                    .default(json!("720p")),
                opt("duration", OptionKind::StringOrNumber, "Duration (s)")
                    .help("5 or 10 seconds recommended.")
                    .recommend(&[json!(5), json!(10)])
                    .default(json!(5)),
            ],
            vec![],
        ),
        model(
            ModelHead {
                model: "kling-2.6",
                label: "Kling 2.6",
                description: "Video from text or an image, 5 or 10 seconds, optional sound.",
                media_type: Video,
                scenes: VIDEO,
                prompt: Required,
                validation: Strict,
            },
            vec![
                opt("image_input", OptionKind::UrlList, "Input images")
                    .help("Reference image URLs; required for image-to-video.")
                    .slots(&["first frame"])
                    .scenes(&[ImageToVideo])
                    .required_for(&[ImageToVideo]),
                opt("duration", OptionKind::StringOrNumber, "Duration (s)")
                    .help("5 or 10 seconds.")
                    .only(&[json!(5), json!(10)])
                    .default(json!(5)),
                opt("sound", OptionKind::Boolean, "Sound")
                    .help("Generate a soundtrack with the video.")
                    .default(json!(false)),
                opt("aspect_ratio", OptionKind::String, "Aspect ratio")
                    .help("1:1, 16:9 or 9:16; text-to-video only.")
                    .only(&strs(&["1:1", "16:9", "9:16"]))
                    .default(json!("16:9"))
                    .scenes(&[TextToVideo]),
            ],
            vec![],
        ),
        model(
            ModelHead {
                model: "veo-3.1-fast",
                label: "Veo 3.1 Fast",
                description: "Video from text, first/last frames or up to 3 reference images.",
                media_type: Video,
                scenes: VIDEO,
                prompt: Required,
                validation: Strict,
            },
            veo_options(true),
            veo_rules(true),
        ),
        model(
            ModelHead {
                model: "veo-3.1-quality",
                label: "Veo 3.1 Quality",
                description: "Higher-quality Veo 3.1 from text or first/last frames (no reference mode).",
                media_type: Video,
                scenes: VIDEO,
                prompt: Required,
                validation: Strict,
            },
            veo_options(false),
            veo_rules(false),
        ),
        model(
            ModelHead {
                model: "kling-video-o1",
                label: "Kling Video O1",
                description: "Video editing; every option is forwarded to the provider, which may require more fields.",
                media_type: Video,
                scenes: &[VideoToVideo],
                prompt: Required,
                validation: PassThrough,
            },
            vec![
                opt("video_input", OptionKind::UrlList, "Input video")
                    .help("The video to edit (first URL used); needed in practice.")
                    .slots(&["video to edit"]),
                opt("image_input", OptionKind::UrlList, "Input images")
                    .help("Optional reference images.")
                    .slots(&["reference {n}"]),
            ],
            vec![],
        ),
        model(
            ModelHead {
                model: "seedance-2",
                label: "Seedance 2.0",
                description: "Video from text, first and last frames, or up to 12 image and audio references with one video.",
                media_type: Video,
                scenes: ALL_VIDEO,
                prompt: Required,
                validation: Strict,
            },
            seedance_2_ga_options(),
            seedance_2_ga_rules(),
        ),
        model(
            ModelHead {
                model: "seedance-2-fast",
                label: "Seedance 2.0 Fast",
                description: "Faster Seedance 2.0 with the same options.",
                media_type: Video,
                scenes: ALL_VIDEO,
                prompt: Required,
                validation: Strict,
            },
            seedance_2_ga_options(),
            seedance_2_ga_rules(),
        ),
        model(
            ModelHead {
                model: "kling-3.0",
                label: "Kling 3.0",
                description: "Video from text or a first frame, 3 to 15 seconds, optional sound, std or pro.",
                media_type: Video,
                scenes: VIDEO,
                prompt: Required,
                validation: Strict,
            },
            kling_3_options(),
            vec![Rule::ListRoutesTo {
                list: "image_input".into(),
                scene: ImageToVideo,
            }],
        ),
        model(
            ModelHead {
                model: "kling-3.0-motion-control",
                label: "Kling 3.0 Motion Control",
                description: "Animates a character image with the motion of a reference video.",
                media_type: Video,
                scenes: &[VideoToVideo],
                prompt: Optional,
                validation: Strict,
            },
            motion_control_options(),
            motion_control_rules(),
        ),
        model(
            ModelHead {
                model: "suno-sound-v5",
                label: "Suno Sound v5",
                description: "Sound effects from a description; extra options are forwarded.",
                media_type: Audio,
                scenes: &[TextToAudio],
                prompt: Required,
                validation: PassThrough,
            },
            suno_sound_options(),
            vec![],
        ),
        model(
            ModelHead {
                model: "suno-sound-v5-5",
                label: "Suno Sound v5.5",
                description: "Newer Suno sound effects with the same options.",
                media_type: Audio,
                scenes: &[TextToAudio],
                prompt: Required,
                validation: PassThrough,
            },
            suno_sound_options(),
            vec![],
        ),
        model(
            ModelHead {
                model: "suno-music-v5",
                label: "Suno Music v5",
                description: "Songs from a description, or from your own title, style and lyrics; extra options are forwarded.",
                media_type: Music,
                scenes: &[TextToMusic],
                prompt: Required,
                validation: PassThrough,
            },
            suno_music_options(),
            vec![Rule::PromptUnless {
                all: vec![
                    equals("custom_mode", json!(true)),
                    present("title"),
                    present("style"),
                ],
                any: vec![present("lyrics"), equals("instrumental", json!(true))],
            }],
        ),
    ]
}
