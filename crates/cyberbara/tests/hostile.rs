//! The client against a hostile deployment (crates/hostile): replies built to exhaust
//! memory, to hang, or to leak the key. Each test asserts what the person gets: a
//! sentence, in time, with bounded memory and without the key.

use cyberbara::{ApiKey, Client, ClientOptions, Error, ErrorKind, RetryPolicy};
use cyberbara_hostile::{peak_rss, Hostile, Reply};
use std::time::{Duration, Instant};

const KEY: &str = "sk-hostile-test-0123456789abcdef";

fn client(base: &str, options: ClientOptions) -> Client {
    Client::with_options(base, ApiKey::new(KEY), options).expect("client")
}

fn no_retries() -> ClientOptions {
    ClientOptions {
        retry: RetryPolicy::none(),
        ..ClientOptions::default()
    }
}

/// No 8-character piece of the key's secret part appears in `text`.
fn assert_no_key(text: &str) {
    let secret = &KEY[3..];
    for start in 0..=secret.len() - 8 {
        let piece = &secret[start..start + 8];
        assert!(!text.contains(piece), "key piece {piece:?} leaked: {text}");
    }
}

#[tokio::test]
async fn a_gzip_bomb_on_a_task_poll_is_cut_at_the_json_ceiling_with_bounded_memory() {
    // 2 GiB of JSON once inflated, a few MB on the wire.
    let server = Hostile::start(|_| Reply::GzipBomb {
        inflated: 2 * 1024 * 1024 * 1024,
    })
    .await;
    let before = peak_rss().expect("VmHWM is readable on Linux");
    let started = Instant::now();
    let err = client(&server.url(), no_retries())
        .task("bomb")
        .await
        .expect_err("a bomb is not a task");
    let after = peak_rss().expect("VmHWM");
    assert!(
        matches!(err, Error::ResponseTooLarge { limit, .. } if limit == cyberbara::client::JSON_BODY_LIMIT),
        "{err:?}"
    );
    assert_eq!(err.kind(), ErrorKind::InvalidResponse);
    let text = err.to_string();
    assert!(text.contains("larger than 8 MB"), "{text}");
    // The ceiling (8 MiB) plus reqwest's and the allocator's slack, far below the
    // gigabytes the reply inflates to.
    let grown = after.saturating_sub(before);
    assert!(grown < 64 * 1024 * 1024, "peak RSS grew by {grown} bytes");
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[tokio::test]
async fn an_announced_oversized_reply_is_refused_before_its_body_is_read() {
    let server = Hostile::start(|_| Reply::Endless {
        content_type: "application/json".into(),
        content_length: Some(10 * 1024 * 1024 * 1024),
        head: b"{\"data\":".to_vec(),
    })
    .await;
    let err = client(&server.url(), no_retries())
        .balance()
        .await
        .expect_err("too large");
    assert!(matches!(err, Error::ResponseTooLarge { .. }), "{err:?}");
}

#[tokio::test]
async fn an_html_error_page_echoing_the_key_is_redacted_before_it_is_cut() {
    // The key starts near character 100, so a cut at 120 characters made before
    // redaction would leave its first part in the message.
    let page = format!(
        "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>Upstream said: Bearer {KEY} was refused by the upstream proxy</p>{}</body></html>",
        "<!-- padding -->".repeat(8000)
    );
    assert!(page.len() > cyberbara::client::ERROR_BODY_LIMIT);
    let server = Hostile::start(move |_| Reply::status(502, "text/html", page.clone())).await;
    let err = client(&server.url(), no_retries())
        .balance()
        .await
        .expect_err("an HTML page is not the API");
    let text = err.to_string();
    assert!(
        matches!(err, Error::InvalidResponse { status: 502, .. }),
        "{err:?}"
    );
    assert!(text.contains("Upstream said: Bearer sk-…cdef"), "{text}");
    assert_no_key(&text);
    assert_no_key(&format!("{err:?}"));
}

#[tokio::test]
async fn a_one_byte_trickle_ends_in_a_sentence_at_the_total_deadline() {
    // A valid balance, one byte every 200 ms: never silent long enough for the read
    // timeout, and it would take 20 s to finish.
    let body = format!(
        "{{\"data\":{{\"user_id\":\"u\",\"remaining_credits\":5}}}}{}",
        " ".repeat(80)
    );
    let server = Hostile::start(move |_| Reply::Trickle {
        content_type: "application/json".into(),
        every: Duration::from_millis(200),
        body: body.clone().into_bytes(),
    })
    .await;
    let options = ClientOptions {
        json_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_secs(1),
        ..ClientOptions::default()
    };
    let started = Instant::now();
    // Retries allowed: the deadline covers them all.
    let err = client(&server.url(), options)
        .balance()
        .await
        .expect_err("the trickle never finishes in time");
    let took = started.elapsed();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert!(err.to_string().contains("did not answer in time"), "{err}");
    assert!(took >= Duration::from_secs(2), "gave up early: {took:?}");
    assert!(took < Duration::from_secs(4), "deadline not kept: {took:?}");
}
