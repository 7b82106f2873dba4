//! The Create page's work: model lists, the draft, its check and quote, Generate, and
//! reference uploads.

use super::Studio;
use crate::catalogues::CatalogueView;
use crate::compose::{batch_requests, Draft, DraftCheck, DraftReference, ReadyRequest};
use crate::error::AppError;
use crate::forms::ReferenceMedia;
use crate::library::{NewTask, RecentPrompt, TaskKey, TaskOrigin, TaskRecord};
use crate::references::Reporter;
use cyberbara::catalogue::Catalogue;
use cyberbara::types::QuoteRequest;
use rand::Rng;
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;
use ts_rs::TS;

/// What a Generate click (or the quote beside it) would cost.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct QuoteView {
    #[ts(type = "number")]
    pub per_task: i64,
    pub batch: u32,
    /// `per_task` × `batch`.
    #[ts(type = "number")]
    pub total: i64,
    #[ts(type = "number")]
    pub remaining: i64,
    /// The balance after the whole batch.
    #[ts(type = "number")]
    pub after: i64,
    /// Whether the balance covers the whole batch.
    pub affordable: bool,
    /// The server priced it with a fallback rule: an estimate.
    pub estimate: bool,
}

/// What a Generate click did.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SubmitReport {
    /// How many tasks the click asked for (the Batch).
    pub requested: u32,
    /// The tasks created, in order.
    pub created: Vec<TaskRecord>,
    /// Why the rest were not created (nothing is retried behind the user's back).
    pub error: Option<AppError>,
    /// The balance the last creation reply reported.
    #[ts(type = "number | null")]
    pub remaining_credits: Option<i64>,
}

/// A draft that passed its check, with what it was checked against.
struct Checked {
    profile: String,
    catalogue: Arc<Catalogue>,
    check: DraftCheck,
    ready: ReadyRequest,
}

impl Studio {
    /// The active profile and the catalogue its drafts are checked against.
    async fn active_catalogue(&self) -> Result<(String, Arc<Catalogue>), AppError> {
        let profile = self.active_id()?;
        let (catalogue, _) = self
            .catalogues
            .get(&profile, false, || self.client(&profile))
            .await;
        Ok((profile, catalogue))
    }

    /// The draft checked as the server would check it; refused with its first problem.
    async fn checked(&self, draft: &Draft) -> Result<Checked, AppError> {
        let (profile, catalogue) = self.active_catalogue().await?;
        let (check, ready) = draft.check(&catalogue);
        match ready {
            Some(ready) => Ok(Checked {
                profile,
                catalogue,
                check,
                ready,
            }),
            None => Err(first_problem(&check)),
        }
    }
    /// The models of the active profile as forms (from the cache when it is fresh).
    pub async fn catalogue(&self, refresh: bool) -> Result<CatalogueView, AppError> {
        let profile = self.active_id()?;
        let (_, view) = self
            .catalogues
            .get(&profile, refresh, || self.client(&profile))
            .await;
        Ok(view)
    }

    /// The Create page's saved draft for the active profile (an empty one the first time).
    pub fn draft(&self) -> Result<Draft, AppError> {
        let profile = self.active_id()?;
        let saved = self.library.draft(&profile)?;
        Ok(saved
            .and_then(|value| serde_json::from_value(value).ok())
            .unwrap_or_else(|| Draft {
                batch: 1,
                ..Default::default()
            }))
    }

    pub fn save_draft(&self, draft: &Draft) -> Result<(), AppError> {
        let profile = self.active_id()?;
        let value = serde_json::to_value(draft)
            .map_err(|e| AppError::internal(format!("the draft could not be saved: {e}")))?;
        self.library.save_draft(&profile, &value)?;
        Ok(())
    }

    /// Checks a draft as the server would, without sending anything.
    pub async fn check_draft(&self, draft: &Draft) -> Result<DraftCheck, AppError> {
        let (_, catalogue) = self.active_catalogue().await?;
        Ok(draft.check(&catalogue).0)
    }

    pub fn recent_prompts(&self, limit: usize) -> Result<Vec<RecentPrompt>, AppError> {
        let profile = self.active_id()?;
        Ok(self.library.recent_prompts(&profile, limit)?)
    }

    /// What the draft's whole batch would cost.
    pub async fn quote(&self, draft: &Draft) -> Result<QuoteView, AppError> {
        let Checked {
            profile,
            check,
            ready,
            ..
        } = self.checked(draft).await?;
        let client = self.client(&profile).await?;
        let quote = client
            .quote(&QuoteRequest {
                model: ready.request.model.clone(),
                media_type: Some(ready.media_type.clone()),
                scene: ready
                    .request
                    .scene
                    .clone()
                    .or_else(|| check.scene.as_deref().map(cyberbara::types::Scene::parse)),
                options: ready.request.options.clone(),
            })
            .await?;
        let batch = draft.batch_size();
        let total = quote.estimated_credits.saturating_mul(i64::from(batch));
        Ok(QuoteView {
            per_task: quote.estimated_credits,
            batch,
            total,
            remaining: quote.remaining_credits,
            after: quote.remaining_credits - total,
            affordable: total <= quote.remaining_credits,
            estimate: quote.fallback_pricing,
        })
    }

    /// Creates the draft's tasks, one after another. Each creation is sent once; when one
    /// is refused the rest are not sent, and the report says how many were created.
    pub async fn generate(&self, draft: &Draft) -> Result<SubmitReport, AppError> {
        let Checked {
            profile,
            catalogue,
            check,
            ready,
        } = self.checked(draft).await?;
        let client = self.client(&profile).await?;
        let tracker = self.tracker().await?;
        let batch = draft.batch_size();
        let requests = {
            let mut rng = rand::thread_rng();
            batch_requests(&catalogue, &ready.request, batch, |low, high| {
                rng.gen_range(low..=high)
            })
        };
        let batch_id = (batch > 1).then(|| uuid::Uuid::new_v4().to_string());
        let mut report = SubmitReport {
            requested: batch,
            created: Vec::new(),
            error: None,
            remaining_credits: None,
        };
        if let Err(err) = self.library.remember_prompt(&profile, &draft.prompt) {
            tracing::warn!(error = %err, "could not remember the prompt");
        }
        for (index, request) in requests.iter().enumerate() {
            match client
                .generate_checked(&catalogue, &ready.media_type, request)
                .await
            {
                Ok(created) => {
                    let record = tracker.add_created(NewTask {
                        key: TaskKey::new(&profile, &created.task_id),
                        model: created.model.clone(),
                        media_type: created.media_type.as_str().to_string(),
                        scene: created
                            .scene
                            .as_ref()
                            .map(|s| s.as_str().to_string())
                            .or_else(|| check.scene.clone()),
                        prompt: request.prompt.clone(),
                        request: serde_json::to_value(request).unwrap_or_default(),
                        status: created.status.as_str().to_string(),
                        cost: Some(created.credits.cost),
                        outputs: Vec::new(),
                        extra: serde_json::Map::new(),
                        origin: TaskOrigin::Created,
                        batch_id: batch_id.clone(),
                        batch_index: batch_id.as_ref().map(|_| index as u32),
                        created_at: created.created_at.clone(),
                        updated_at: None,
                    })?;
                    tracker.announce_balance(&profile, created.credits.remaining);
                    report.remaining_credits = Some(created.credits.remaining);
                    report.created.push(record);
                }
                Err(err) => {
                    report.error = Some(err.into());
                    break;
                }
            }
        }
        Ok(report)
    }

    // ------------------------------------------------------------------ references

    /// Uploads one reference file for the active profile (or reuses an earlier upload of
    /// the same bytes), reporting progress through `report`.
    pub async fn upload_reference(
        &self,
        upload_id: &str,
        path: &Path,
        slot: &str,
        media: ReferenceMedia,
        report: Reporter,
    ) -> Result<DraftReference, AppError> {
        let profile = self.active_id()?;
        let client = match self.client(&profile).await {
            Ok(client) => client,
            Err(error) => {
                report(crate::references::UploadEvent::Failed {
                    upload_id: upload_id.to_string(),
                    file_name: path
                        .file_name()
                        .map(|n| n.to_string_lossy().to_string())
                        .unwrap_or_default(),
                    error: error.clone(),
                });
                return Err(error);
            }
        };
        let request = crate::references::UploadRequest {
            profile_id: &profile,
            upload_id,
            path,
            slot,
            media,
        };
        self.uploads.upload(&client, request, report).await
    }

    pub fn cancel_upload(&self, upload_id: &str) -> bool {
        self.uploads.cancel(upload_id)
    }
}

fn first_problem(check: &DraftCheck) -> AppError {
    match check.problems.first() {
        Some(problem) => AppError::invalid(problem.message.clone()).with_code(problem.code.clone()),
        None => AppError::invalid("The request is not complete yet."),
    }
}
