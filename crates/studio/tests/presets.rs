//! Presets through the app's core, on a sandbox profile on 127.0.0.1: saved in the library
//! per profile, renamed, duplicated, deleted, applied with the prompt kept or replaced, a
//! preset whose model the deployment no longer lists applied as far as it fits, and the
//! export file read back (a malformed one refused whole, with a sentence).

mod common;

use common::sandbox_config;
use cyberbara_sandbox::{Sandbox, SandboxConfig};
use serde_json::json;
use studio::compose::{Draft, DraftReference};
use studio::error::ErrorKind;
use studio::forms::FormControl;
use studio::keychain::Keychain;
use studio::library::Library;
use studio::profiles::{KeyInput, NewProfile};
use studio::services::{AppPaths, Studio};
use studio::tracker::TrackerConfig;

const KEY: &str = "sk-presets-test-0123456789abcdef";

async fn studio_on_sandbox() -> (tempfile::TempDir, Studio, Sandbox) {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig {
        api_keys: vec![KEY.into()],
        ..sandbox_config()
    })
    .await
    .unwrap();
    let keychain = Keychain::new(format!("cyberbara-studio-test-{}", uuid::Uuid::new_v4()));
    let studio = Studio::open_with(
        AppPaths::under(dir.path()),
        keychain,
        None,
        TrackerConfig::default(),
    )
    .unwrap();
    let view = studio
        .add_profile(NewProfile {
            name: "Presets".into(),
            base_url: sandbox.base_url(),
            api_key: KeyInput::new(KEY),
        })
        .await
        .unwrap();
    studio.switch_profile(view.id).await.unwrap();
    (dir, studio, sandbox)
}

fn draft(model: &str, prompt: &str) -> Draft {
    let mut draft = Draft {
        model: model.into(),
        scene: Some("text-to-image".into()),
        prompt: prompt.into(),
        batch: 3,
        ..Default::default()
    };
    draft.options.insert("aspect_ratio".into(), json!("16:9"));
    draft.references.push(DraftReference {
        id: "r1".into(),
        slot: "image_input".into(),
        url: Some("https://cdn.example/earlier-output.png".into()),
        file_name: "earlier-output.png".into(),
        ..Default::default()
    });
    draft
}

#[tokio::test]
async fn presets_are_saved_renamed_duplicated_and_deleted_per_profile() {
    let (dir, studio, _sandbox) = studio_on_sandbox().await;
    assert!(studio.presets().await.unwrap().is_empty());

    let saved = studio
        .save_preset("  Lighthouses  ", &draft("nano-banana-pro", "A lighthouse"))
        .await
        .unwrap();
    assert_eq!(saved.name, "Lighthouses");
    assert_eq!(saved.draft, draft("nano-banana-pro", "A lighthouse"));
    assert!(!saved.model_missing);
    // The same name again replaces that preset.
    let replaced = studio
        .save_preset(
            "Lighthouses",
            &draft("nano-banana-pro", "A lighthouse at dusk"),
        )
        .await
        .unwrap();
    assert_eq!(replaced.id, saved.id);
    assert_eq!(studio.presets().await.unwrap(), vec![replaced.clone()]);

    let refused = studio
        .save_preset("   ", &draft("nano-banana-pro", "x"))
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidInput);
    assert_eq!(refused.message, "Give the preset a name.");

    let copy = studio.duplicate_preset(saved.id).await.unwrap();
    assert_eq!(copy.name, "Lighthouses copy");
    assert_eq!(copy.draft, replaced.draft);
    let again = studio.duplicate_preset(saved.id).await.unwrap();
    assert_eq!(again.name, "Lighthouses copy (2)");

    let taken = studio
        .rename_preset(copy.id, "Lighthouses")
        .await
        .unwrap_err();
    assert_eq!(taken.kind, ErrorKind::InvalidInput);
    assert_eq!(
        taken.message,
        "There is already a preset called Lighthouses. Choose another name."
    );
    let renamed = studio.rename_preset(copy.id, "Beacons").await.unwrap();
    assert_eq!(renamed.name, "Beacons");
    let names: Vec<String> = studio
        .presets()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["Beacons", "Lighthouses", "Lighthouses copy (2)"]);

    studio.delete_preset(again.id).unwrap();
    let gone = studio.rename_preset(again.id, "Back").await.unwrap_err();
    assert_eq!(gone.kind, ErrorKind::NotFound);
    assert_eq!(studio.presets().await.unwrap().len(), 2);

    // The rows belong to the profile: another profile's list is its own.
    let profile = studio.active_id().unwrap();
    drop(studio);
    let library = Library::open(&AppPaths::under(dir.path()).library_db()).unwrap();
    assert_eq!(library.presets(&profile).unwrap().len(), 2);
    assert!(library.presets("another-profile").unwrap().is_empty());
}

#[tokio::test]
async fn a_preset_applies_with_the_prompt_kept_or_replaced() {
    let (_dir, studio, _sandbox) = studio_on_sandbox().await;
    let preset = studio
        .save_preset("Dusk", &draft("nano-banana-pro", "A lighthouse at dusk"))
        .await
        .unwrap();
    let current = Draft {
        model: "veo-3.1-fast".into(),
        prompt: "What I was writing".into(),
        batch: 1,
        ..Default::default()
    };
    let replaced = studio
        .apply_preset(preset.id, &current, false)
        .await
        .unwrap();
    assert_eq!(
        replaced.draft,
        draft("nano-banana-pro", "A lighthouse at dusk")
    );
    assert!(replaced.dropped.is_empty());
    let kept = studio
        .apply_preset(preset.id, &current, true)
        .await
        .unwrap();
    assert_eq!(kept.draft.prompt, "What I was writing");
    assert_eq!(kept.draft.model, "nano-banana-pro");
    assert_eq!(kept.draft.batch, 3);
    assert_eq!(kept.draft.options, replaced.draft.options);
    assert_eq!(kept.draft.references, replaced.draft.references);
}

#[tokio::test]
async fn a_preset_whose_model_is_no_longer_listed_applies_what_still_fits() {
    let (_dir, studio, _sandbox) = studio_on_sandbox().await;
    let forms = studio.catalogue(false).await.unwrap().models;
    let current_form = forms.iter().find(|f| f.model == "nano-banana-pro").unwrap();
    let option = current_form
        .fields
        .iter()
        .find(|f| !matches!(f.control, FormControl::References { .. }))
        .unwrap()
        .key
        .clone();
    let mut old = draft("retired-model-1", "An old favourite");
    old.scene = None;
    old.options = [
        (option.clone(), json!("kept value")),
        ("retired_only_option".to_string(), json!(7)),
    ]
    .into_iter()
    .collect();
    old.references[0].slot = "retired_slot".into();
    let preset = studio.save_preset("Old", &old).await.unwrap();
    assert!(preset.model_missing);
    assert!(studio.presets().await.unwrap()[0].model_missing);

    let current = Draft {
        model: "nano-banana-pro".into(),
        prompt: "Now".into(),
        batch: 1,
        ..Default::default()
    };
    let applied = studio
        .apply_preset(preset.id, &current, false)
        .await
        .unwrap();
    assert_eq!(applied.draft.model, "nano-banana-pro");
    assert_eq!(applied.draft.prompt, "An old favourite");
    assert_eq!(applied.draft.batch, 3);
    assert_eq!(
        applied.draft.options,
        [(option, json!("kept value"))].into_iter().collect()
    );
    assert!(applied.draft.references.is_empty());
    assert_eq!(
        applied.dropped,
        [
            "the model retired-model-1, which the deployment no longer lists",
            "the option retired_only_option",
            "1 reference (retired_slot)",
        ]
    );
}

#[tokio::test]
async fn presets_export_to_a_file_and_import_back() {
    let (dir, studio, _sandbox) = studio_on_sandbox().await;
    let a = studio
        .save_preset("Dusk", &draft("nano-banana-pro", "Dusk"))
        .await
        .unwrap();
    let b = studio
        .save_preset("Dawn", &draft("veo-3.1-fast", "Dawn"))
        .await
        .unwrap();
    let file = dir.path().join("presets.json");
    assert_eq!(studio.export_presets(&file).unwrap(), 2);
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(written["format"], "cyberbara-studio-presets");
    assert_eq!(written["version"], 1);

    studio.delete_preset(a.id).unwrap();
    studio.delete_preset(b.id).unwrap();
    let report = studio.import_presets(&file).unwrap();
    assert_eq!(report.added, 2);
    assert!(report.renamed.is_empty());
    let back = studio.presets().await.unwrap();
    assert_eq!(
        back.iter()
            .map(|p| (p.name.as_str(), &p.draft))
            .collect::<Vec<_>>(),
        [("Dawn", &b.draft), ("Dusk", &a.draft)]
    );

    // Importing again keeps both sets: the taken names get a number.
    let report = studio.import_presets(&file).unwrap();
    assert_eq!(report.added, 2);
    assert_eq!(
        report.renamed,
        [
            ("Dawn".to_string(), "Dawn (2)".to_string()),
            ("Dusk".to_string(), "Dusk (2)".to_string())
        ]
    );
    assert_eq!(studio.presets().await.unwrap().len(), 4);
}

#[tokio::test]
async fn a_malformed_presets_file_is_refused_whole_with_a_sentence() {
    let (dir, studio, _sandbox) = studio_on_sandbox().await;
    let cases = [
        ("notes.json", "this is not json".to_string(), "notes.json is not a presets file this app can read: it is not valid JSON"),
        ("other.json", json!({ "name": "x" }).to_string(), "other.json is not a presets file this app can read: it was not exported from CyberBara Studio's presets."),
        (
            "future.json",
            json!({ "format": "cyberbara-studio-presets", "version": 9, "presets": [] }).to_string(),
            "future.json is not a presets file this app can read: it is version 9, and this app reads version 1; update the app.",
        ),
        (
            "batch.json",
            json!({ "format": "cyberbara-studio-presets", "version": 1, "presets": [
                { "name": "Fine", "draft": { "model": "nano-banana-pro", "batch": 1 } },
                { "name": "Huge", "draft": { "model": "nano-banana-pro", "batch": 40 } }
            ] })
            .to_string(),
            "batch.json is not a presets file this app can read: the preset Huge has a Batch of 40, and a Batch is 1 to 8.",
        ),
        (
            "unnamed.json",
            json!({ "format": "cyberbara-studio-presets", "version": 1, "presets": [
                { "name": " ", "draft": { "model": "nano-banana-pro", "batch": 1 } }
            ] })
            .to_string(),
            "unnamed.json is not a presets file this app can read: a preset's name is unusable (Give the preset a name.).",
        ),
    ];
    for (name, text, sentence) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let refused = studio.import_presets(&path).unwrap_err();
        assert_eq!(refused.kind, ErrorKind::InvalidInput, "{name}");
        assert!(
            refused.message.starts_with(sentence),
            "{name}: {}",
            refused.message
        );
    }
    // Nothing of a refused file was added (not even the good preset before the bad one).
    assert!(studio.presets().await.unwrap().is_empty());

    let huge = dir.path().join("huge.json");
    std::fs::write(&huge, vec![b' '; 5 * 1024 * 1024]).unwrap();
    let refused = studio.import_presets(&huge).unwrap_err();
    assert_eq!(
        refused.message,
        "huge.json is larger than a presets file can be (4 MB at most)."
    );
}
