//! The proxy `make bench` counts a function's AWS requests with: it forwards to moto and
//! tallies requests by `X-Amz-Target`.

use integration_tests::counting_proxy::CountingProxy;
use integration_tests::moto::{endpoint, sdk_config};

#[test]
fn the_counting_proxy_tallies_aws_requests_by_target() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async {
        let proxy = CountingProxy::start(&endpoint())
            .await
            .expect("the proxy starts");
        let sdk = aws_sdk_dynamodb::config::Builder::from(&sdk_config().await)
            .endpoint_url(proxy.url())
            .build();
        let client = aws_sdk_dynamodb::Client::from_conf(sdk);
        client
            .list_tables()
            .send()
            .await
            .expect("ListTables through the proxy");
        client
            .list_tables()
            .send()
            .await
            .expect("ListTables through the proxy");
        assert_eq!(proxy.count("DynamoDB_20120810.ListTables"), 2);
        proxy.reset();
        assert!(proxy.counts().is_empty());
    });
}
