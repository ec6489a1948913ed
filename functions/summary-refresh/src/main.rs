use lambda_http::{Error, Request, service_fn};
use summary_core::config::{App, init_lambda_logging};

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_lambda_logging();
    let app = App::from_env().await;
    lambda_http::run(service_fn(|req: Request| async {
        let scheduled = summary_refresh::is_scheduled(&req);
        let response = summary_refresh::handle(&app, req).await;
        // A failed scheduled run must count as a failed invocation: the Errors alarm sees
        // it and EventBridge retries it. HTTP callers always get their JSON answer.
        if scheduled && response.status().is_server_error() {
            return Err(Error::from("the scheduled refresh failed"));
        }
        Ok(response)
    }))
    .await
}
