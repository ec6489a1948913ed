//! The deployment template (`infra/template.yaml`) read the way the tests need it: resources,
//! functions with SAM's `Globals` applied, their environment, routes, schedules and IAM
//! statements, intrinsic functions in one canonical form ([`Expr`]) whether the template
//! writes them short (`!Ref X`) or long (`{"Ref": "X"}`), and the table definition, which a
//! test can create in moto to run the code against the deployed table's exact shape.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};
use serde_yaml_ng::{Mapping, Value};
use summary_core::store::Store;

use crate::moto::{TestTable, sdk_config};

/// The template's path in the repository.
pub fn template_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../infra/template.yaml")
}

/// The routes of the shared API.md's table (`| GET | `/v1/...` | ... |`) as `METHOD /path`, when
/// the shared folder is beside the repository (as in this workplace and its CI).
pub fn api_md_routes() -> Option<BTreeSet<String>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/API.md");
    let text = std::fs::read_to_string(path).ok()?;
    let routes = text
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let method = *cells.get(1)?;
            let path = cells.get(2)?.trim_matches('`');
            (matches!(method, "GET" | "POST" | "PUT" | "PATCH" | "DELETE") && path.starts_with('/'))
                .then(|| format!("{method} {path}"))
        })
        .collect();
    Some(routes)
}

/// An intrinsic function or a literal, in one canonical form.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Expr {
    /// A string, number or boolean, as text.
    Literal(String),
    Ref(String),
    /// `Fn::GetAtt`: logical id and attribute.
    GetAtt(String, String),
    /// `Fn::Sub` with its template string (no variable map).
    Sub(String),
    /// `Fn::If`: condition name, value if true, value if false.
    If(String, Box<Expr>, Box<Expr>),
    /// Anything else (another intrinsic, a list, a map), rendered as YAML.
    Other(String),
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Literal(s) => write!(f, "{s:?}"),
            Expr::Ref(r) => write!(f, "!Ref {r}"),
            Expr::GetAtt(r, a) => write!(f, "!GetAtt {r}.{a}"),
            Expr::Sub(s) => write!(f, "!Sub {s:?}"),
            Expr::If(c, a, b) => write!(f, "!If [{c}, {a}, {b}]"),
            Expr::Other(s) => write!(f, "{s}"),
        }
    }
}

/// The name of an intrinsic function and its argument, from either YAML form.
fn intrinsic(v: &Value) -> Option<(String, &Value)> {
    match v {
        Value::Tagged(t) => {
            let tag = t.tag.to_string();
            let name = tag.trim_start_matches('!');
            let name = match name {
                "Ref" | "Condition" => name.to_string(),
                other => format!("Fn::{other}"),
            };
            Some((name, &t.value))
        }
        Value::Mapping(m) if m.len() == 1 => {
            let (k, v) = m.iter().next()?;
            let k = k.as_str()?;
            (k == "Ref" || k == "Condition" || k.starts_with("Fn::")).then(|| (k.to_string(), v))
        }
        _ => None,
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn render(v: &Value) -> String {
    serde_yaml_ng::to_string(v)
        .unwrap_or_default()
        .trim()
        .to_string()
}

impl Expr {
    pub fn from_yaml(v: &Value) -> Expr {
        if let Some(s) = scalar(v) {
            return Expr::Literal(s);
        }
        let Some((name, arg)) = intrinsic(v) else {
            return Expr::Other(render(v));
        };
        match (name.as_str(), arg) {
            ("Ref", Value::String(r)) => Expr::Ref(r.clone()),
            ("Fn::GetAtt", Value::String(s)) => match s.split_once('.') {
                Some((r, a)) => Expr::GetAtt(r.into(), a.into()),
                None => Expr::Other(render(v)),
            },
            ("Fn::GetAtt", Value::Sequence(parts)) if parts.len() == 2 => {
                match (parts[0].as_str(), parts[1].as_str()) {
                    (Some(r), Some(a)) => Expr::GetAtt(r.into(), a.into()),
                    _ => Expr::Other(render(v)),
                }
            }
            ("Fn::Sub", Value::String(s)) => Expr::Sub(s.clone()),
            ("Fn::If", Value::Sequence(parts)) if parts.len() == 3 => match parts[0].as_str() {
                Some(c) => Expr::If(
                    c.into(),
                    Box::new(Expr::from_yaml(&parts[1])),
                    Box::new(Expr::from_yaml(&parts[2])),
                ),
                None => Expr::Other(render(v)),
            },
            _ => Expr::Other(render(v)),
        }
    }
}

/// One grant of an IAM statement: an action on a resource.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Grant {
    pub action: String,
    pub resource: Expr,
}

impl fmt::Display for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} on {}", self.action, self.resource)
    }
}

/// A route of an `HttpApi` event.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct HttpRoute {
    pub method: String,
    pub path: String,
    /// The event's `ApiId` (`None`: SAM's implicit API).
    pub api: Option<Expr>,
}

/// A function with SAM's `Globals.Function` applied.
#[derive(Debug, Clone)]
pub struct Function {
    pub logical_id: String,
    pub properties: Mapping,
    pub metadata: Mapping,
}

fn get<'a>(m: &'a Mapping, key: &str) -> Option<&'a Value> {
    m.get(Value::String(key.to_string()))
}

fn mapping<'a>(m: &'a Mapping, key: &str) -> Option<&'a Mapping> {
    get(m, key).and_then(Value::as_mapping)
}

/// `key` as a list of values (a single value counts as a list of one).
fn list(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Sequence(items)) => items.iter().collect(),
        Some(other) => vec![other],
        None => Vec::new(),
    }
}

impl Function {
    pub fn property(&self, key: &str) -> Option<&Value> {
        get(&self.properties, key)
    }

    /// `Metadata.BuildProperties.Binary`: the cargo binary SAM's cargo-lambda build packages.
    pub fn binary(&self) -> Option<String> {
        mapping(&self.metadata, "BuildProperties")
            .and_then(|b| get(b, "Binary"))
            .and_then(scalar)
    }

    pub fn build_method(&self) -> Option<String> {
        get(&self.metadata, "BuildMethod").and_then(scalar)
    }

    /// Its environment variables (the globals' and its own).
    pub fn environment(&self) -> BTreeMap<String, Expr> {
        mapping(&self.properties, "Environment")
            .and_then(|e| mapping(e, "Variables"))
            .map(|vars| {
                vars.iter()
                    .filter_map(|(k, v)| Some((k.as_str()?.to_string(), Expr::from_yaml(v))))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Its events: name, type and properties.
    pub fn events(&self) -> Vec<(String, String, Mapping)> {
        mapping(&self.properties, "Events")
            .map(|events| {
                events
                    .iter()
                    .filter_map(|(name, e)| {
                        let e = e.as_mapping()?;
                        Some((
                            name.as_str()?.to_string(),
                            get(e, "Type").and_then(scalar).unwrap_or_default(),
                            mapping(e, "Properties").cloned().unwrap_or_default(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn http_routes(&self) -> Vec<HttpRoute> {
        self.events()
            .into_iter()
            .filter(|(_, kind, _)| kind == "HttpApi")
            .map(|(_, _, p)| HttpRoute {
                method: get(&p, "Method").and_then(scalar).unwrap_or_default(),
                path: get(&p, "Path").and_then(scalar).unwrap_or_default(),
                api: get(&p, "ApiId").map(Expr::from_yaml),
            })
            .collect()
    }

    /// Its `Schedule` / `ScheduleV2` events' expressions.
    pub fn schedules(&self) -> Vec<String> {
        self.events()
            .into_iter()
            .filter(|(_, kind, _)| kind == "Schedule" || kind == "ScheduleV2")
            .map(|(_, _, p)| {
                get(&p, "Schedule")
                    .or_else(|| get(&p, "ScheduleExpression"))
                    .and_then(scalar)
                    .unwrap_or_default()
            })
            .collect()
    }

    /// A number property (e.g. `Timeout`, `MemorySize`).
    pub fn number(&self, key: &str) -> Option<i64> {
        self.property(key)
            .and_then(scalar)
            .and_then(|s| s.parse().ok())
    }

    /// Every action-on-resource its `Policies` grant. Only inline policy documents of `Allow`
    /// statements with explicit `Action` and `Resource` are understood; anything else (a SAM
    /// policy template, a managed policy, `Deny`, `NotAction`, a condition) is an error,
    /// since its grants could not be compared with what the code does.
    pub fn grants(&self) -> Result<BTreeSet<Grant>, String> {
        let mut grants = BTreeSet::new();
        for policy in list(self.property("Policies")) {
            let doc = policy
                .as_mapping()
                .filter(|m| {
                    m.keys()
                        .all(|k| matches!(k.as_str(), Some("Statement") | Some("Version")))
                })
                .ok_or_else(|| {
                    format!(
                        "{}: a policy that is not an inline statement list: {}",
                        self.logical_id,
                        render(policy)
                    )
                })?;
            for statement in list(get(doc, "Statement")) {
                let st = statement.as_mapping().ok_or("a statement is not a map")?;
                for key in st.keys() {
                    let key = key.as_str().unwrap_or_default();
                    if !["Effect", "Action", "Resource", "Sid"].contains(&key) {
                        return Err(format!(
                            "{}: statement key {key} is not understood: {}",
                            self.logical_id,
                            render(statement)
                        ));
                    }
                }
                if get(st, "Effect").and_then(Value::as_str) != Some("Allow") {
                    return Err(format!(
                        "{}: a statement that is not Effect: Allow",
                        self.logical_id
                    ));
                }
                let actions = list(get(st, "Action"));
                let resources = list(get(st, "Resource"));
                if actions.is_empty() || resources.is_empty() {
                    return Err(format!(
                        "{}: a statement without Action or Resource",
                        self.logical_id
                    ));
                }
                for action in &actions {
                    let action = scalar(action).ok_or_else(|| {
                        format!("{}: an action that is not a string", self.logical_id)
                    })?;
                    for resource in &resources {
                        grants.insert(Grant {
                            action: action.clone(),
                            resource: Expr::from_yaml(resource),
                        });
                    }
                }
            }
        }
        Ok(grants)
    }
}

/// The table definition of an `AWS::DynamoDB::Table`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDef {
    /// Attribute name → type (`S`, `N`, `B`).
    pub attributes: BTreeMap<String, String>,
    /// (HASH, RANGE) attribute names.
    pub key: (String, Option<String>),
    pub indexes: Vec<IndexDef>,
    pub ttl: Option<(String, bool)>,
    pub billing_mode: Option<String>,
    pub point_in_time_recovery: bool,
    pub encrypted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexDef {
    pub name: String,
    pub key: (String, Option<String>),
    pub projection_type: String,
    pub non_key_attributes: BTreeSet<String>,
}

fn key_schema(v: Option<&Value>) -> (String, Option<String>) {
    let mut hash = String::new();
    let mut range = None;
    for element in list(v) {
        let Some(m) = element.as_mapping() else {
            continue;
        };
        let name = get(m, "AttributeName").and_then(scalar).unwrap_or_default();
        match get(m, "KeyType").and_then(scalar).as_deref() {
            Some("HASH") => hash = name,
            Some("RANGE") => range = Some(name),
            _ => {}
        }
    }
    (hash, range)
}

fn flag(m: Option<&Mapping>, key: &str) -> bool {
    m.and_then(|m| get(m, key)).and_then(Value::as_bool) == Some(true)
}

impl TableDef {
    /// Creates this table in moto (or any endpoint the client points at), with its TTL.
    pub async fn create(&self, client: &aws_sdk_dynamodb::Client, name: &str) {
        let key = |(hash, range): &(String, Option<String>)| {
            let mut elements = vec![
                KeySchemaElement::builder()
                    .attribute_name(hash)
                    .key_type(KeyType::Hash)
                    .build()
                    .unwrap(),
            ];
            if let Some(range) = range {
                elements.push(
                    KeySchemaElement::builder()
                        .attribute_name(range)
                        .key_type(KeyType::Range)
                        .build()
                        .unwrap(),
                );
            }
            elements
        };
        let mut create = client
            .create_table()
            .table_name(name)
            .billing_mode(BillingMode::from(
                self.billing_mode.as_deref().unwrap_or("PROVISIONED"),
            ))
            .set_key_schema(Some(key(&self.key)));
        for (attr, kind) in &self.attributes {
            create = create.attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(attr)
                    .attribute_type(ScalarAttributeType::from(kind.as_str()))
                    .build()
                    .unwrap(),
            );
        }
        for index in &self.indexes {
            let mut projection = Projection::builder()
                .projection_type(ProjectionType::from(index.projection_type.as_str()));
            for attr in &index.non_key_attributes {
                projection = projection.non_key_attributes(attr);
            }
            create = create.global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(&index.name)
                    .set_key_schema(Some(key(&index.key)))
                    .projection(projection.build())
                    .build()
                    .unwrap(),
            );
        }
        create
            .send()
            .await
            .unwrap_or_else(|e| panic!("creating table {name} from the template failed: {e:?}"));
        if let Some((attr, enabled)) = &self.ttl {
            client
                .update_time_to_live()
                .table_name(name)
                .time_to_live_specification(
                    TimeToLiveSpecification::builder()
                        .attribute_name(attr)
                        .enabled(*enabled)
                        .build()
                        .unwrap(),
                )
                .send()
                .await
                .unwrap_or_else(|e| panic!("setting the TTL of {name} failed: {e:?}"));
        }
    }

    /// A test table of its own in moto, created from this definition.
    pub async fn test_table(&self) -> TestTable {
        let sdk = sdk_config().await;
        let name = format!(
            "account-summaries-template-{}",
            ulid::Ulid::new().to_string().to_lowercase()
        );
        let client = aws_sdk_dynamodb::Client::new(&sdk);
        self.create(&client, &name).await;
        TestTable {
            store: Store::new(client, name),
            sdk,
        }
    }
}

/// The parsed template.
#[derive(Debug, Clone)]
pub struct Template {
    pub root: Mapping,
}

impl Template {
    /// Reads `infra/template.yaml`.
    pub fn load() -> Template {
        let path = template_path();
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        Template::parse(&text)
    }

    pub fn parse(text: &str) -> Template {
        let root: Value = serde_yaml_ng::from_str(text).expect("the template is YAML");
        Template {
            root: root.as_mapping().cloned().expect("the template is a map"),
        }
    }

    pub fn section(&self, name: &str) -> Mapping {
        mapping(&self.root, name).cloned().unwrap_or_default()
    }

    /// Every resource: logical id → definition.
    pub fn resources(&self) -> BTreeMap<String, Mapping> {
        self.section("Resources")
            .iter()
            .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_mapping()?.clone())))
            .collect()
    }

    pub fn resource_type(&self, logical_id: &str) -> Option<String> {
        self.resources()
            .get(logical_id)
            .and_then(|r| get(r, "Type"))
            .and_then(scalar)
    }

    /// The logical ids of the resources of one type.
    pub fn resources_of_type(&self, kind: &str) -> Vec<String> {
        self.resources()
            .into_iter()
            .filter(|(_, r)| get(r, "Type").and_then(scalar).as_deref() == Some(kind))
            .map(|(id, _)| id)
            .collect()
    }

    pub fn properties(&self, logical_id: &str) -> Mapping {
        self.resources()
            .get(logical_id)
            .and_then(|r| mapping(r, "Properties"))
            .cloned()
            .unwrap_or_default()
    }

    /// Every `AWS::Serverless::Function`, with `Globals.Function` applied as SAM does: maps
    /// (the environment's variables) merged, the function's own scalars winning.
    pub fn functions(&self) -> Vec<Function> {
        let globals = mapping(&self.section("Globals"), "Function")
            .cloned()
            .unwrap_or_default();
        let resources = self.resources();
        self.resources_of_type("AWS::Serverless::Function")
            .into_iter()
            .map(|id| {
                let resource = &resources[&id];
                let own = mapping(resource, "Properties").cloned().unwrap_or_default();
                Function {
                    logical_id: id,
                    properties: merge(&globals, &own),
                    metadata: mapping(resource, "Metadata").cloned().unwrap_or_default(),
                }
            })
            .collect()
    }

    /// The function whose `BuildProperties.Binary` is `binary`.
    pub fn function_for_binary(&self, binary: &str) -> Function {
        let mut found: Vec<Function> = self
            .functions()
            .into_iter()
            .filter(|f| f.binary().as_deref() == Some(binary))
            .collect();
        assert_eq!(
            found.len(),
            1,
            "exactly one function of the template builds the binary {binary}"
        );
        found.remove(0)
    }

    pub fn parameter_default(&self, name: &str) -> Option<String> {
        mapping(&self.section("Parameters"), name)
            .and_then(|p| get(p, "Default"))
            .and_then(scalar)
    }

    pub fn is_parameter(&self, name: &str) -> bool {
        mapping(&self.section("Parameters"), name).is_some()
    }

    /// The table definition of an `AWS::DynamoDB::Table` resource.
    pub fn table(&self, logical_id: &str) -> TableDef {
        let p = self.properties(logical_id);
        let attributes = list(get(&p, "AttributeDefinitions"))
            .into_iter()
            .filter_map(|a| {
                let a = a.as_mapping()?;
                Some((
                    get(a, "AttributeName").and_then(scalar)?,
                    get(a, "AttributeType").and_then(scalar)?,
                ))
            })
            .collect();
        let indexes = list(get(&p, "GlobalSecondaryIndexes"))
            .into_iter()
            .filter_map(|i| {
                let i = i.as_mapping()?;
                let projection = mapping(i, "Projection");
                Some(IndexDef {
                    name: get(i, "IndexName").and_then(scalar)?,
                    key: key_schema(get(i, "KeySchema")),
                    projection_type: projection
                        .and_then(|p| get(p, "ProjectionType"))
                        .and_then(scalar)
                        .unwrap_or_default(),
                    non_key_attributes: list(projection.and_then(|p| get(p, "NonKeyAttributes")))
                        .into_iter()
                        .filter_map(scalar)
                        .collect(),
                })
            })
            .collect();
        let ttl = mapping(&p, "TimeToLiveSpecification").map(|t| {
            (
                get(t, "AttributeName").and_then(scalar).unwrap_or_default(),
                flag(Some(t), "Enabled"),
            )
        });
        TableDef {
            attributes,
            key: key_schema(get(&p, "KeySchema")),
            indexes,
            ttl,
            billing_mode: get(&p, "BillingMode").and_then(scalar),
            point_in_time_recovery: flag(
                mapping(&p, "PointInTimeRecoverySpecification"),
                "PointInTimeRecoveryEnabled",
            ),
            encrypted: flag(mapping(&p, "SSESpecification"), "SSEEnabled"),
        }
    }

    /// Evaluates a condition of the `Conditions` section with parameters at their defaults
    /// unless `refs` gives them.
    pub fn condition(&self, name: &str, refs: &BTreeMap<String, String>) -> Result<bool, String> {
        let conditions = self.section("Conditions");
        let c = get(&conditions, name).ok_or_else(|| format!("no condition {name}"))?;
        self.eval_condition(c, refs)
    }

    fn eval_condition(&self, v: &Value, refs: &BTreeMap<String, String>) -> Result<bool, String> {
        let (name, arg) = intrinsic(v).ok_or_else(|| format!("not a condition: {}", render(v)))?;
        let args = list(Some(arg));
        match name.as_str() {
            "Fn::Equals" if args.len() == 2 => Ok(self.resolve(&Expr::from_yaml(args[0]), refs)?
                == self.resolve(&Expr::from_yaml(args[1]), refs)?),
            "Fn::Not" if args.len() == 1 => Ok(!self.eval_condition(args[0], refs)?),
            "Fn::And" => args
                .iter()
                .try_fold(true, |acc, a| Ok(acc && self.eval_condition(a, refs)?)),
            "Fn::Or" => args
                .iter()
                .try_fold(false, |acc, a| Ok(acc || self.eval_condition(a, refs)?)),
            "Condition" => self.condition(arg.as_str().unwrap_or_default(), refs),
            _ => Err(format!("condition not understood: {}", render(v))),
        }
    }

    /// The value an expression takes in a deployment: `refs` gives what CloudFormation would
    /// (a resource's physical id for `Ref`, `Id.Attr` for `GetAtt`, a parameter's value);
    /// parameters not given take their defaults, pseudo parameters (`AWS::StackName`) fixed
    /// example values.
    pub fn resolve(&self, expr: &Expr, refs: &BTreeMap<String, String>) -> Result<String, String> {
        let lookup = |name: &str| -> Result<String, String> {
            if let Some(v) = refs.get(name) {
                return Ok(v.clone());
            }
            if self.is_parameter(name) {
                return self
                    .parameter_default(name)
                    .ok_or_else(|| format!("parameter {name} has no default and none was given"));
            }
            // Pseudo parameters every deployment has, unless the caller gave its own.
            match name {
                "AWS::StackName" => Ok("account-summaries".into()),
                "AWS::Region" => Ok("us-east-1".into()),
                "AWS::AccountId" => Ok("123456789012".into()),
                _ => Err(format!("no value given for {name}")),
            }
        };
        match expr {
            Expr::Literal(s) => Ok(s.clone()),
            Expr::Ref(name) => lookup(name),
            Expr::GetAtt(r, a) => lookup(&format!("{r}.{a}")),
            Expr::Sub(s) => {
                let mut out = String::new();
                let mut rest = s.as_str();
                while let Some(start) = rest.find("${") {
                    out.push_str(&rest[..start]);
                    let end = rest[start..]
                        .find('}')
                        .ok_or_else(|| format!("unclosed ${{ in {s}"))?;
                    out.push_str(&lookup(&rest[start + 2..start + end])?);
                    rest = &rest[start + end + 1..];
                }
                out.push_str(rest);
                Ok(out)
            }
            Expr::If(c, a, b) => {
                if self.condition(c, refs)? {
                    self.resolve(a, refs)
                } else {
                    self.resolve(b, refs)
                }
            }
            Expr::Other(s) => Err(format!("cannot resolve {s}")),
        }
    }

    /// A function's environment as the Lambda service would hand it over.
    pub fn resolved_environment(
        &self,
        function: &Function,
        refs: &BTreeMap<String, String>,
    ) -> BTreeMap<String, String> {
        function
            .environment()
            .into_iter()
            .map(|(name, expr)| {
                let value = self.resolve(&expr, refs).unwrap_or_else(|e| {
                    panic!("{}: environment {name} = {expr}: {e}", function.logical_id)
                });
                (name, value)
            })
            .collect()
    }
}

/// SAM's globals merge: maps merge recursively, the function's own values win.
fn merge(globals: &Mapping, own: &Mapping) -> Mapping {
    let mut out = globals.clone();
    for (k, v) in own {
        let merged = match (out.get(k), v) {
            (Some(Value::Mapping(g)), Value::Mapping(o)) => Value::Mapping(merge(g, o)),
            _ => v.clone(),
        };
        out.insert(k.clone(), merged);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_forms_of_intrinsics_read_the_same() {
        let t = Template::parse(
            r#"
Resources:
  A:
    Type: X
    Properties:
      short: [!Ref T, !GetAtt T.Arn, !Sub "${T.Arn}/index/i", !If [C, !Ref S, !Ref P]]
      long:
        - {Ref: T}
        - {"Fn::GetAtt": [T, Arn]}
        - {"Fn::Sub": "${T.Arn}/index/i"}
        - {"Fn::If": [C, {Ref: S}, {Ref: P}]}
"#,
        );
        let p = t.properties("A");
        let read = |key: &str| -> Vec<Expr> {
            list(get(&p, key))
                .into_iter()
                .map(Expr::from_yaml)
                .collect()
        };
        assert_eq!(read("short"), read("long"));
        assert_eq!(read("short")[1], Expr::GetAtt("T".into(), "Arn".into()));
    }

    #[test]
    fn conditions_and_substitutions_resolve_with_defaults_or_given_values() {
        let t = Template::parse(
            r#"
Parameters:
  SecretArn: {Type: String, Default: ""}
Conditions:
  Create: !Equals [!Ref SecretArn, ""]
  Keep: !Not [!Condition Create]
Resources: {}
"#,
        );
        let mut refs = BTreeMap::from([("S".to_string(), "made".to_string())]);
        let secret = Expr::If(
            "Create".into(),
            Box::new(Expr::Ref("S".into())),
            Box::new(Expr::Ref("SecretArn".into())),
        );
        assert_eq!(t.resolve(&secret, &refs).unwrap(), "made");
        assert!(!t.condition("Keep", &refs).unwrap());
        refs.insert("SecretArn".into(), "arn:given".into());
        assert_eq!(t.resolve(&secret, &refs).unwrap(), "arn:given");
        refs.insert("T.Arn".into(), "arn:t".into());
        assert_eq!(
            t.resolve(&Expr::Sub("${T.Arn}/index/i".into()), &refs)
                .unwrap(),
            "arn:t/index/i"
        );
    }
}
