//! Reading a range's usage rows: all pages a few at a time, or only the newer ones.
//!
//! Pages are `LIMIT/OFFSET` windows over a list that grows at the front, so a row that
//! arrives while pages are read shifts every later page by one: a row can then show up on
//! two pages, or on none. Rows are therefore kept by id, and a read counts as complete
//! only when every page reported the same total and the distinct rows add up to it;
//! otherwise the range is read again (a few times, then kept as incomplete, which the
//! next refresh reads in full).

use super::{Progress, UsageProgress};
use crate::error::AppError;
use crate::library::{Library, UsageLedger, UsageRange};
use cyberbara::types::{Usage, UsageItem, UsageQuery, UsageSummary};
use cyberbara::Client;
use futures_util::{stream, StreamExt, TryStreamExt};
use std::collections::HashSet;
use std::sync::atomic::{AtomicU32, Ordering};

/// Rows per request: the API's maximum, so a range takes as few requests as possible.
pub const PAGE_LIMIT: u32 = 100;
/// Pages requested at once: quick on a long range without hammering the deployment.
pub const CONCURRENT_PAGES: usize = 4;
/// Reads of a range that kept changing before it is kept as incomplete.
const READS: usize = 3;
/// Half a million rows: beyond this a range is refused rather than read for minutes.
const MAX_PAGES: u64 = 5_000;

/// Brings the cached ledger of `range` up to date and returns it: only the newer rows
/// when the range was read completely before, every page otherwise.
pub async fn sync(
    library: &Library,
    client: &Client,
    profile_id: &str,
    range: &UsageRange,
    progress: Progress<'_>,
) -> Result<UsageLedger, AppError> {
    let range = range.normalised();
    let cached = {
        let (profile, range) = (profile_id.to_string(), range.clone());
        library
            .run(move |l| l.cached_usage_range(&profile, &range))
            .await?
    };
    let first = client.usage(&query(&range, 1)).await?;
    let pages = page_count(&first.summary)?;
    if let Some(cached) = cached.filter(|c| c.complete && !c.ids.is_empty()) {
        if let Some((rows, summary)) =
            newer_rows(client, &range, &cached.ids, &first, progress).await?
        {
            library
                .run(move |l| l.prepend_usage(cached.id, &summary, &rows))
                .await?;
            return read_back(library, profile_id, &range).await;
        }
    }
    progress(UsageProgress::Pages {
        done: 1,
        total: pages,
    });
    let (rows, summary, complete) = read_all(client, &range, first, progress).await?;
    {
        let (profile, range) = (profile_id.to_string(), range.clone());
        library
            .run(move |l| l.store_usage(&profile, &range, &summary, &rows, complete))
            .await?;
    }
    read_back(library, profile_id, &range).await
}

async fn read_back(
    library: &Library,
    profile_id: &str,
    range: &UsageRange,
) -> Result<UsageLedger, AppError> {
    let (profile, range) = (profile_id.to_string(), range.clone());
    library
        .run(move |l| l.usage_ledger(&profile, &range))
        .await?
        .ok_or_else(|| AppError::internal("the usage just stored could not be read back"))
}

/// The request for one page of `range`.
pub fn query(range: &UsageRange, page: u32) -> UsageQuery {
    UsageQuery {
        page: Some(page),
        limit: Some(PAGE_LIMIT),
        from: range.from.clone(),
        to: range.to.clone(),
    }
}

/// Pages in the range, as the server counts them (its `total_pages`, or the total over
/// the limit it used, whichever is larger).
fn page_count(summary: &UsageSummary) -> Result<u32, AppError> {
    let by_total = summary.total.div_ceil(u64::from(summary.limit.max(1)));
    let pages = summary.total_pages.max(by_total);
    if pages > MAX_PAGES {
        return Err(AppError::invalid(format!(
            "This range has {} transactions, too many to read at once. Choose a shorter range.",
            summary.total
        )));
    }
    Ok(u32::try_from(pages).unwrap_or(u32::MAX))
}

/// The rows in front of the cached ones, walking pages from the newest until a cached
/// row shows up. `None` when the server's list is not "the cached rows plus newer ones"
/// (the total moved during the walk, or the counts disagree): then everything is read.
async fn newer_rows(
    client: &Client,
    range: &UsageRange,
    known: &HashSet<String>,
    first: &Usage,
    progress: Progress<'_>,
) -> Result<Option<(Vec<UsageItem>, UsageSummary)>, AppError> {
    let summary = first.summary.clone();
    let Some(arrived) = summary.total.checked_sub(known.len() as u64) else {
        return Ok(None);
    };
    let pages = page_count(&summary)?;
    // The new rows fill `arrived / limit` pages, and the page after shows the first old row.
    let limit = u64::from(summary.limit.max(1));
    let needed = u32::try_from((arrived / limit + 1).min(u64::from(pages.max(1)))).unwrap_or(1);
    let mut newer = Vec::new();
    let mut number = 1;
    let mut page = first.clone();
    loop {
        progress(UsageProgress::Pages {
            done: number,
            total: needed.max(number),
        });
        if page.summary.total != summary.total {
            return Ok(None);
        }
        let mut reached = false;
        for item in page.items {
            if known.contains(&item.id) {
                reached = true;
                break;
            }
            newer.push(item);
        }
        if reached || number >= pages {
            break;
        }
        number += 1;
        page = client.usage(&query(range, number)).await?;
    }
    let distinct = newer.iter().map(|i| &i.id).collect::<HashSet<_>>().len();
    let adds_up =
        distinct == newer.len() && known.len() as u64 + newer.len() as u64 == summary.total;
    Ok(adds_up.then_some((newer, summary)))
}

/// Every row of the range, newest first, the summary it was read against, and whether
/// the read was consistent (see the module's note).
async fn read_all(
    client: &Client,
    range: &UsageRange,
    first: Usage,
    progress: Progress<'_>,
) -> Result<(Vec<UsageItem>, UsageSummary, bool), AppError> {
    let mut first = first;
    let mut attempt = 1;
    loop {
        let summary = first.summary.clone();
        let pages = page_count(&summary)?;
        let done = AtomicU32::new(1);
        let mut rest: Vec<(u32, Usage)> = stream::iter(2..=pages)
            .map(|number| async move {
                client
                    .usage(&query(range, number))
                    .await
                    .map(|usage| (number, usage))
            })
            .buffer_unordered(CONCURRENT_PAGES)
            .inspect_ok(|_| {
                let done = done.fetch_add(1, Ordering::Relaxed) + 1;
                progress(UsageProgress::Pages { done, total: pages });
            })
            .try_collect()
            .await?;
        rest.sort_by_key(|(number, _)| *number);
        let steady = rest.iter().all(|(_, u)| u.summary.total == summary.total);
        let mut seen = HashSet::new();
        let rows: Vec<UsageItem> = first
            .items
            .into_iter()
            .chain(rest.into_iter().flat_map(|(_, usage)| usage.items))
            .filter(|item| seen.insert(item.id.clone()))
            .collect();
        let complete = steady && rows.len() as u64 == summary.total;
        if complete || attempt >= READS {
            if !complete {
                tracing::warn!(
                    total = summary.total,
                    read = rows.len(),
                    "the usage history kept changing while it was read"
                );
            }
            return Ok((rows, summary, complete));
        }
        attempt += 1;
        first = client.usage(&query(range, 1)).await?;
    }
}
