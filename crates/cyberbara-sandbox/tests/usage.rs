//! `GET /api/v1/credits/usage`: one line per charge, newest first, paging and date edges.

mod common;

use common::{code, start};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn usage_pages_newest_first_with_a_partial_last_page() {
    let env = start(&["k-use"]).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let (status, v) = env
            .post(
                "k-use",
                "/api/v1/images/generations",
                json!({"model": "nano-banana-pro", "prompt": format!("n{i}")}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        ids.push(v["data"]["task_id"].as_str().unwrap().to_string());
    }
    let (status, v) = env.get("k-use", "/api/v1/credits/usage").await;
    assert_eq!(status, StatusCode::OK);
    let s = &v["data"]["summary"];
    assert_eq!(
        (s["page"].as_u64(), s["limit"].as_u64(), s["total"].as_u64()),
        (Some(1), Some(20), Some(5))
    );
    assert_eq!(s["total_pages"], 1);
    assert_eq!(s["total_credits_consumed"], 40);
    let items = v["data"]["items"].as_array().unwrap();
    let listed: Vec<&str> = items
        .iter()
        .map(|i| i["task_id"].as_str().unwrap())
        .collect();
    let newest_first: Vec<&str> = ids.iter().rev().map(String::as_str).collect();
    assert_eq!(listed, newest_first);
    let first = &items[0];
    assert_eq!(first["credits_consumed"], 8);
    assert_eq!(first["scene"], "text-to-image");
    assert_eq!(first["media_type"], "image");
    assert!(first["description"].is_string());
    assert!(first["transaction_no"]
        .as_str()
        .unwrap()
        .chars()
        .all(|c| c.is_ascii_digit()));
    assert!(uuid::Uuid::parse_str(first["id"].as_str().unwrap()).is_ok());
    let created = first["created_at"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(created).is_ok());

    let (_, p3) = env
        .get("k-use", "/api/v1/credits/usage?page=3&limit=2")
        .await;
    assert_eq!(p3["data"]["summary"]["total_pages"], 3);
    assert_eq!(p3["data"]["summary"]["total"], 5);
    assert_eq!(p3["data"]["items"].as_array().unwrap().len(), 1);
    assert_eq!(p3["data"]["items"][0]["task_id"], ids[0].as_str());
    let (_, p4) = env
        .get("k-use", "/api/v1/credits/usage?page=4&limit=2")
        .await;
    assert_eq!(p4["data"]["items"], json!([]));

    // Above the documented maximum the limit is clamped to 100.
    let (status, big) = env.get("k-use", "/api/v1/credits/usage?limit=101").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(big["data"]["summary"]["limit"], 100);
    let (_, hundred) = env.get("k-use", "/api/v1/credits/usage?limit=100").await;
    assert_eq!(hundred["data"]["summary"]["limit"], 100);

    for bad in ["limit=0", "page=0", "page=abc", "limit=-3"] {
        let (status, v) = env
            .get("k-use", &format!("/api/v1/credits/usage?{bad}"))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(code(&v), "invalid_request", "{bad}");
    }
}

#[tokio::test]
async fn date_filters_accept_dates_and_datetimes() {
    let env = start(&["k-date"]).await;
    let (_, v) = env
        .post(
            "k-date",
            "/api/v1/videos/generations",
            json!({"model": "sora-2", "prompt": "x", "options": {"duration": "10"}}),
        )
        .await;
    assert_eq!(v["data"]["credits"]["cost"], 20);
    let today = chrono::Utc::now().date_naive();
    let tomorrow = today.succ_opt().unwrap();

    let (status, v) = env
        .get(
            "k-date",
            &format!("/api/v1/credits/usage?from={today}&to={today}"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let s = &v["data"]["summary"];
    assert_eq!(s["from"], format!("{today}T00:00:00.000Z"));
    assert_eq!(s["to"], format!("{today}T23:59:59.999Z"));
    assert_eq!(s["total"], 1);
    assert_eq!(s["total_credits_consumed"], 20);

    // An empty range is a normal, empty answer.
    let (status, v) = env
        .get("k-date", &format!("/api/v1/credits/usage?from={tomorrow}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["data"]["summary"]["total"], 0);
    assert_eq!(v["data"]["summary"]["total_pages"], 0);
    assert_eq!(v["data"]["summary"]["total_credits_consumed"], 0);
    assert_eq!(v["data"]["items"], json!([]));

    // ISO datetimes bound to the millisecond: the charge's own timestamp is inside.
    let (_, all) = env.get("k-date", "/api/v1/credits/usage").await;
    let at = all["data"]["items"][0]["created_at"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, v) = env
        .get(
            "k-date",
            &format!("/api/v1/credits/usage?from={at}&to={at}"),
        )
        .await;
    assert_eq!(v["data"]["summary"]["total"], 1);
    assert_eq!(v["data"]["summary"]["from"], at.as_str());
    let (_, v) = env
        .get(
            "k-date",
            &format!("/api/v1/credits/usage?to={today}T00:00:00%2B14:00"),
        )
        .await;
    assert_eq!(
        v["data"]["summary"]["total"], 0,
        "an offset datetime before today UTC"
    );

    let (status, v) = env
        .get(
            "k-date",
            &format!("/api/v1/credits/usage?from={tomorrow}&to={today}"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        v,
        json!({"error": {"code": "invalid_date_range", "message": "The \"from\" date must be earlier than the \"to\" date."}})
    );
    for bad in ["from=yesterday", "to=2026-13-45", "from=03/03/2026"] {
        let (status, v) = env
            .get("k-date", &format!("/api/v1/credits/usage?{bad}"))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(
            v,
            json!({"error": {"code": "invalid_date", "message": "Invalid date format. Use ISO datetime or YYYY-MM-DD."}}),
            "{bad}"
        );
    }
}
