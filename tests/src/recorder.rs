//! Recording the AWS operations a function makes: an SDK interceptor on the DynamoDB and
//! Secrets Manager clients notes every operation before it is sent (the operation's name and
//! service from the SDK's `Metadata` in the config bag, the table, index or secret from its
//! input), so a test can compare what a function really calls with what the deployment
//! template's IAM statements grant.
//!
//! Every attempted operation counts, whatever its outcome: IAM is checked before DynamoDB
//! evaluates a condition, so a conditional write that fails still needs its permission.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use aws_config::SdkConfig;
use aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::Input;
use aws_smithy_runtime_api::client::orchestrator::Metadata;

/// What an operation acted on, as its input names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Resource {
    /// A DynamoDB table, by name.
    Table(String),
    /// A DynamoDB index (a Query or Scan with `IndexName`), by table and index name.
    Index { table: String, index: String },
    /// A Secrets Manager secret, by the id (name or ARN) the code asked for.
    Secret(String),
    /// An operation the recorder does not know how to read: extend [`resources_of`].
    Unknown,
}

/// One AWS operation a client was asked to make.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Call {
    /// The SDK's service name (`DynamoDB`, `Secrets Manager`).
    pub service: String,
    /// The API operation (`GetItem`, `GetSecretValue`, ...).
    pub operation: String,
    pub resources: Vec<Resource>,
}

impl Call {
    /// The IAM action this operation needs, e.g. `dynamodb:GetItem`; `None` for a service
    /// this module does not know the IAM prefix of.
    pub fn iam_action(&self) -> Option<String> {
        let prefix = match self.service.as_str() {
            "DynamoDB" => "dynamodb",
            "Secrets Manager" => "secretsmanager",
            _ => return None,
        };
        Some(format!("{prefix}:{}", self.operation))
    }
}

/// The calls one function made (shared by every client it builds).
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    calls: Arc<Mutex<Vec<Call>>>,
}

impl Recorder {
    pub fn new() -> Recorder {
        Recorder::default()
    }

    /// A DynamoDB client on `sdk` whose every operation is recorded here.
    pub fn dynamodb(&self, sdk: &SdkConfig) -> aws_sdk_dynamodb::Client {
        let config = aws_sdk_dynamodb::config::Builder::from(sdk)
            .interceptor(self.interceptor())
            .build();
        aws_sdk_dynamodb::Client::from_conf(config)
    }

    /// A Secrets Manager client on `sdk` whose every operation is recorded here.
    pub fn secrets_manager(&self, sdk: &SdkConfig) -> aws_sdk_secretsmanager::Client {
        let config = aws_sdk_secretsmanager::config::Builder::from(sdk)
            .interceptor(self.interceptor())
            .build();
        aws_sdk_secretsmanager::Client::from_conf(config)
    }

    fn interceptor(&self) -> RecordingInterceptor {
        RecordingInterceptor {
            calls: self.calls.clone(),
        }
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().expect("recorder lock").clone()
    }

    /// The distinct operations so far, as `Service:Operation` (for messages and reports).
    pub fn operations(&self) -> BTreeSet<String> {
        self.calls()
            .iter()
            .map(|c| format!("{}:{}", c.service, c.operation))
            .collect()
    }

    /// Forgets the calls so far (e.g. those of a test's setup).
    pub fn clear(&self) {
        self.calls.lock().expect("recorder lock").clear();
    }
}

#[derive(Debug, Clone)]
struct RecordingInterceptor {
    calls: Arc<Mutex<Vec<Call>>>,
}

impl Intercept for RecordingInterceptor {
    fn name(&self) -> &'static str {
        "RecordingInterceptor"
    }

    // Once per operation (not per retry attempt), with the operation's input at hand.
    fn read_before_serialization(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let metadata = cfg
            .load::<Metadata>()
            .ok_or("the operation has no Metadata in its config bag")?;
        let call = Call {
            service: metadata.service().to_string(),
            operation: metadata.name().to_string(),
            resources: resources_of(context.input()),
        };
        self.calls.lock().expect("recorder lock").push(call);
        Ok(())
    }
}

/// The table, index or secret an operation's input names.
pub fn resources_of(input: &Input) -> Vec<Resource> {
    use aws_sdk_dynamodb::operation as ddb;
    use aws_sdk_secretsmanager::operation as sm;

    let table =
        |name: Option<&str>| vec![name.map_or(Resource::Unknown, |t| Resource::Table(t.into()))];
    let table_or_index = |name: Option<&str>, index: Option<&str>| match (name, index) {
        (Some(t), Some(i)) => vec![Resource::Index {
            table: t.into(),
            index: i.into(),
        }],
        (name, None) => table(name),
        (None, Some(_)) => vec![Resource::Unknown],
    };
    let tables = |names: Option<Vec<&String>>| -> Vec<Resource> {
        match names {
            Some(names) if !names.is_empty() => names
                .into_iter()
                .map(|t| Resource::Table(t.clone()))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            _ => vec![Resource::Unknown],
        }
    };

    if let Some(i) = input.downcast_ref::<ddb::get_item::GetItemInput>() {
        return table(i.table_name());
    }
    if let Some(i) = input.downcast_ref::<ddb::put_item::PutItemInput>() {
        return table(i.table_name());
    }
    if let Some(i) = input.downcast_ref::<ddb::update_item::UpdateItemInput>() {
        return table(i.table_name());
    }
    if let Some(i) = input.downcast_ref::<ddb::delete_item::DeleteItemInput>() {
        return table(i.table_name());
    }
    if let Some(i) = input.downcast_ref::<ddb::query::QueryInput>() {
        return table_or_index(i.table_name(), i.index_name());
    }
    if let Some(i) = input.downcast_ref::<ddb::scan::ScanInput>() {
        return table_or_index(i.table_name(), i.index_name());
    }
    if let Some(i) = input.downcast_ref::<ddb::batch_get_item::BatchGetItemInput>() {
        return tables(i.request_items().map(|m| m.keys().collect()));
    }
    if let Some(i) = input.downcast_ref::<ddb::batch_write_item::BatchWriteItemInput>() {
        return tables(i.request_items().map(|m| m.keys().collect()));
    }
    if let Some(i) = input.downcast_ref::<ddb::create_table::CreateTableInput>() {
        return table(i.table_name());
    }
    if let Some(i) = input.downcast_ref::<ddb::update_time_to_live::UpdateTimeToLiveInput>() {
        return table(i.table_name());
    }
    if let Some(i) = input.downcast_ref::<ddb::describe_table::DescribeTableInput>() {
        return table(i.table_name());
    }
    if let Some(i) = input.downcast_ref::<sm::get_secret_value::GetSecretValueInput>() {
        return vec![
            i.secret_id()
                .map_or(Resource::Unknown, |s| Resource::Secret(s.into())),
        ];
    }
    vec![Resource::Unknown]
}
