//! Task lifecycle: when a task runs and how it ends, the worker that renders its output,
//! and the public view of a task.
//!
//! A task's phase follows the clock (pending until `pending_until_ms`, then processing);
//! only the worker moves it to a final status, once the time is up *and* the output exists,
//! so a client never sees `success` without media behind the URLs.

use cyberbara::types::{MediaType, Scene, Task, TaskCredits, TaskOutput, TaskStatus};
use cyberbara::validate::NormalizedRequest;
use serde_json::{json, Map, Value};

use crate::error::SandboxError;
use crate::render;
use crate::state::Shared;
use crate::store::{iso_ms, Account, Outcome, TaskRow, TaskState};
use crate::test_controls::Scripted;

/// How a task will run, decided at creation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Plan {
    pub fail: bool,
    pub run_ms: i64,
    /// The queued next-task decision this plan used; handed back if no task is created.
    pub scripted: Option<Scripted>,
}

/// Model-like run time before the speed factor: images 6 s, videos 20 s plus 2.5 s per
/// second of output (capped at 60 s), audio and music 8 s.
fn natural_run_ms(request: &NormalizedRequest) -> i64 {
    match request.media_type {
        MediaType::Image => 6_000,
        MediaType::Video => {
            let secs = crate::pricing::whole_seconds(&request.options, &["duration", "n_frames"])
                .unwrap_or(5);
            (20_000 + 2_500 * secs).min(60_000)
        }
        _ => 8_000,
    }
}

/// `[sandbox:fail]` and `[sandbox:ms=N]` in a prompt.
fn prompt_directives(prompt: &str) -> (bool, Option<i64>) {
    let fail = prompt.contains("[sandbox:fail]");
    let ms = prompt.split("[sandbox:ms=").nth(1).and_then(|rest| {
        let end = rest.find(']')?;
        rest[..end].trim().parse::<i64>().ok().filter(|ms| *ms >= 0)
    });
    (fail, ms)
}

pub(crate) fn plan(state: &Shared, account: &Account, request: &NormalizedRequest) -> Plan {
    let natural = ((natural_run_ms(request) as f64) / state.speed).round() as i64;
    let mut plan = Plan {
        fail: rand::random::<f64>() < state.fail_rate,
        run_ms: natural,
        scripted: None,
    };
    if let Some(prompt) = &request.prompt {
        let (fail, ms) = prompt_directives(prompt);
        plan.fail |= fail;
        if let Some(ms) = ms {
            plan.run_ms = ms;
        }
    }
    if let Some(scripted) = state.controls.take_next_task(&account.id) {
        plan.fail = scripted.fail;
        if let Some(ms) = scripted.run_ms {
            plan.run_ms = ms;
        }
        plan.scripted = Some(scripted);
    }
    plan
}

pub(crate) fn new_row(
    account: &Account,
    request: &NormalizedRequest,
    cost: i64,
    plan: &Plan,
    now: i64,
) -> TaskRow {
    // The first fifth of the run (at most 2 s) is spent queued, like a real provider.
    let pending = (plan.run_ms / 5).min(2_000);
    TaskRow {
        id: uuid::Uuid::new_v4().to_string(),
        account_id: account.id.clone(),
        media_type: request.media_type.to_string(),
        model: request.model.clone(),
        scene: request.scene.to_string(),
        prompt: request.prompt.clone(),
        options: Value::Object(request.options.clone()).to_string(),
        cost,
        created_ms: now,
        pending_until_ms: now + pending,
        finish_ms: now + plan.run_ms,
        outcome: if plan.fail {
            Outcome::Failed
        } else {
            Outcome::Success
        },
        state: TaskState::Running,
        output: json!({"images": [], "videos": []}).to_string(),
        updated_ms: now,
    }
}

pub(crate) fn spawn_worker(state: Shared, task: TaskRow) {
    tokio::spawn(async move {
        let mut shutdown = state.shutdown.clone();
        tokio::select! {
            _ = run(&state, &task) => {}
            _ = shutdown.wait_for(|stop| *stop) => {}
        }
    });
}

async fn run(state: &Shared, task: &TaskRow) {
    state.clock.sleep_until_ms(task.pending_until_ms).await;
    let result = if task.outcome == Outcome::Success {
        let (st, t) = (state.clone(), task.clone());
        match tokio::task::spawn_blocking(move || render::produce(&st, &t)).await {
            Ok(Ok(output)) => Ok(output),
            Ok(Err(e)) => Err(e),
            Err(join) => Err(format!("the renderer crashed: {join}")),
        }
    } else {
        Err("the task was scripted to fail".to_string())
    };
    state.clock.sleep_until_ms(task.finish_ms).await;
    let now = state.clock.now_ms().max(task.finish_ms);
    let stored = match result {
        Ok(output) => state
            .store
            .finish_success(&task.id, &output.to_string(), now),
        Err(reason) => {
            tracing::info!("task {} failed: {reason}", task.id);
            state.store.finish_failed(task, now)
        }
    };
    if let Err(e) = stored {
        tracing::error!("could not record the end of task {}: {e}", task.id);
    }
    state.finished_tasks.send_modify(|n| *n += 1);
}

/// Restarts workers for tasks a previous run left unfinished.
pub(crate) fn resume_unfinished(state: &Shared) -> Result<(), SandboxError> {
    let running = state
        .store
        .running_tasks()
        .map_err(|e| SandboxError::Storage(e.to_string()))?;
    for task in running {
        spawn_worker(state.clone(), task);
    }
    Ok(())
}

/// The task as `GET /api/v1/tasks/{id}` shows it at `now`. Output lists hold storage keys
/// and become absolute URLs here, so they follow the sandbox's current address.
pub(crate) fn view(task: &TaskRow, now: i64, base_url: &str) -> Task {
    let (status, updated) = match task.state {
        TaskState::Running if now < task.pending_until_ms => (TaskStatus::Pending, task.created_ms),
        TaskState::Running => (TaskStatus::Processing, task.pending_until_ms),
        TaskState::Success => (TaskStatus::Success, task.updated_ms),
        TaskState::Failed => (TaskStatus::Failed, task.updated_ms),
    };
    let mut output: TaskOutput = serde_json::from_str(&task.output).unwrap_or_default();
    let url = |key: &mut String| *key = format!("{base_url}/uploads/{key}");
    output.images.iter_mut().for_each(url);
    output.videos.iter_mut().for_each(url);
    for list in output.extra.values_mut() {
        if let Value::Array(items) = list {
            for item in items.iter_mut() {
                if let Value::String(key) = item {
                    url(key);
                }
            }
        }
    }
    Task {
        id: task.id.clone(),
        status,
        media_type: MediaType::parse(&task.media_type),
        model: task.model.clone(),
        scene: Some(Scene::parse(&task.scene)),
        prompt: task.prompt.clone(),
        credits: TaskCredits {
            cost: Some(task.cost),
        },
        output,
        created_at: iso_ms(task.created_ms),
        updated_at: Some(iso_ms(updated)),
        extra: Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_are_read_from_the_prompt() {
        assert_eq!(prompt_directives("a cat [sandbox:fail]"), (true, None));
        assert_eq!(
            prompt_directives("x [sandbox:ms=1500] y"),
            (false, Some(1500))
        );
        assert_eq!(prompt_directives("[sandbox:ms=abc]"), (false, None));
    }
}
