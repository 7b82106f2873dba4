//! Proxies: a deployment on this computer is never reached through the system proxy
//! (which would see the key in clear text), a remote one is. Alone in its test binary:
//! the proxy variables are the process's environment, read when a client is built.

use cyberbara::{ApiKey, Client, ClientOptions, RetryPolicy};
use cyberbara_hostile::{Hostile, Reply};
use std::time::Duration;

const KEY: &str = "sk-proxy-test-0123456789abcdef";

#[tokio::test]
async fn loopback_skips_the_system_proxy_and_remote_profiles_use_it() {
    let proxy = Hostile::recorder().await;
    let deployment =
        Hostile::start(|_| Reply::json(r#"{"data":{"user_id":"u","remaining_credits":42}}"#)).await;
    // As a user's shell would have it: a proxy for everything, no NO_PROXY.
    for var in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
    ] {
        std::env::set_var(var, proxy.url());
    }
    for var in ["NO_PROXY", "no_proxy"] {
        std::env::remove_var(var);
    }
    let options = ClientOptions {
        retry: RetryPolicy::none(),
        json_timeout: Duration::from_secs(5),
        ..ClientOptions::default()
    };
    let local = Client::with_options(&deployment.url(), ApiKey::new(KEY), options.clone()).unwrap();
    let balance = local
        .balance()
        .await
        .expect("the local deployment answers directly");
    assert_eq!(balance.remaining_credits, 42);
    assert_eq!(deployment.seen().len(), 1);
    assert!(proxy.seen().is_empty(), "{:?}", proxy.seen());

    // A remote deployment goes through the proxy: the recorder sees the tunnel request
    // (and refuses it), never the key, since TLS would start only inside the tunnel.
    let remote =
        Client::with_options("https://api.example.com", ApiKey::new(KEY), options).unwrap();
    let err = remote
        .balance()
        .await
        .expect_err("the recorder is no real proxy");
    let seen = proxy.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].method, "CONNECT");
    assert_eq!(seen[0].target, "api.example.com:443");
    assert!(seen[0].header("authorization").is_none());
    assert!(!format!("{err:?}").contains("0123456789abcdef"));
}
