//! The test controls' in-memory state: injected faults, request counts per route, and
//! scripted outcomes for an account's next tasks. The HTTP side is `routes/controls.rs`.

pub(crate) use crate::controls::{FaultKind, FaultSpec};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Mutex;

/// One queued decision from `POST /_sandbox/next-task`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Scripted {
    pub fail: bool,
    pub run_ms: Option<i64>,
}

#[derive(Debug, Clone)]
pub(crate) struct Fault {
    pub(crate) spec: FaultSpec,
    /// Matching requests still to hit, when `next` was given.
    pub(crate) remaining: Option<u64>,
}

#[derive(Default)]
pub(crate) struct TestControls {
    pub(crate) faults: Mutex<Vec<Fault>>,
    pub(crate) stats: Mutex<BTreeMap<String, u64>>,
    pub(crate) next_tasks: Mutex<HashMap<String, VecDeque<Scripted>>>,
}

impl TestControls {
    /// The next scripted outcome for an account's new task, if one is queued.
    pub(crate) fn take_next_task(&self, account_id: &str) -> Option<Scripted> {
        self.next_tasks
            .lock()
            .ok()?
            .get_mut(account_id)
            .and_then(VecDeque::pop_front)
    }

    /// Puts back a decision taken for a task that was then not created (e.g. 402), so it
    /// applies to the account's next task that really is.
    pub(crate) fn give_back_next_task(&self, account_id: &str, scripted: Scripted) {
        if let Ok(mut queues) = self.next_tasks.lock() {
            queues
                .entry(account_id.to_string())
                .or_default()
                .push_front(scripted);
        }
    }

    pub(crate) fn count(&self, key: String) {
        if let Ok(mut stats) = self.stats.lock() {
            *stats.entry(key).or_insert(0) += 1;
        }
    }

    /// The first fault that applies to `path`, consuming one of its `next` uses.
    pub(crate) fn pick(&self, path: &str) -> Option<FaultSpec> {
        let mut faults = self.faults.lock().ok()?;
        faults.retain(|f| f.remaining != Some(0));
        for fault in faults.iter_mut() {
            let prefix = fault.spec.path_prefix.as_deref().unwrap_or("/api/v1");
            if !path.starts_with(prefix) {
                continue;
            }
            if let Some(left) = fault.remaining.as_mut() {
                *left -= 1;
                return Some(fault.spec.clone());
            }
            match fault.spec.rate {
                Some(rate) if rand::random::<f64>() >= rate => continue,
                _ => return Some(fault.spec.clone()),
            }
        }
        None
    }
}

/// "METHOD path-template", with task ids and blob keys replaced by placeholders.
pub(crate) fn template(method: &str, path: &str) -> String {
    if let Some(rest) = path.strip_prefix("/api/v1/tasks/") {
        if !rest.is_empty() && !rest.contains('/') {
            return format!("{method} /api/v1/tasks/{{id}}");
        }
    }
    if path.starts_with("/uploads/") {
        return format!("{method} /uploads/{{key}}");
    }
    format!("{method} {path}")
}
