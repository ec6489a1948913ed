use std::convert::Infallible;

use lambda_http::{Error, Request, service_fn};
use summary_core::config::{App, init_lambda_logging};

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_lambda_logging();
    let app = App::from_env().await;
    lambda_http::run(service_fn(|req: Request| async {
        Ok::<_, Infallible>(summary_feedback::handle(&app, req).await)
    }))
    .await
}
