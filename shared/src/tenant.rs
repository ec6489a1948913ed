//! A tenant's settings for account summaries: whether it opted in, which Key Info attributes
//! its summaries use, who may see them, and how the model is called.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::attributes::{Account, AttrValue};
use crate::deid::policy::Treatment;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TenantConfig {
    pub tenant_id: String,
    /// Opted in to account summaries. A tenant that has not gets nothing and sends nothing.
    pub enabled: bool,
    /// The Key Info attributes, in display order. Empty: every attribute of the account.
    pub key_info: Vec<String>,
    /// Roles allowed to see summaries. Empty: every user of the tenant.
    pub allowed_roles: Vec<String>,
    pub model: ModelSettings,
    /// Per-attribute de-identification overrides (attribute name → treatment).
    pub attribute_policy: BTreeMap<String, Treatment>,
    /// Prompt + completion tokens a month; `None`: no budget.
    pub monthly_token_budget: Option<u64>,
}

/// How the LLM is called for this tenant; unset fields take the deployment's defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelSettings {
    pub model: Option<String>,
    pub temperature: Option<f32>,
    pub max_output_tokens: Option<u32>,
}

impl TenantConfig {
    /// A tenant nobody configured: not enabled.
    pub fn absent(tenant_id: &str) -> TenantConfig {
        TenantConfig {
            tenant_id: tenant_id.to_string(),
            ..TenantConfig::default()
        }
    }

    /// The attributes a summary of `account` rests on, in Key Info order (or name order when
    /// the tenant has no Key Info list). Attributes the account lacks are skipped.
    pub fn key_info_attributes<'a>(&self, account: &'a Account) -> Vec<(&'a str, &'a AttrValue)> {
        if self.key_info.is_empty() {
            return account
                .attributes
                .iter()
                .map(|(k, v)| (k.as_str(), v))
                .collect();
        }
        self.key_info
            .iter()
            .filter_map(|name| account.attributes.get_key_value(name.as_str()))
            .map(|(k, v)| (k.as_str(), v))
            .collect()
    }

    /// Whether a user holding `roles` may see summaries.
    pub fn allows_roles(&self, roles: &[String]) -> bool {
        self.allowed_roles.is_empty() || roles.iter().any(|r| self.allowed_roles.contains(r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> Account {
        let mut a = Account {
            account_id: "A-1".into(),
            attributes: BTreeMap::new(),
            as_of: None,
        };
        a.attributes.insert("seats".into(), AttrValue::Number(9.0));
        a.attributes
            .insert("plan_tier".into(), AttrValue::Text("Basic".into()));
        a.attributes
            .insert("industry".into(), AttrValue::Text("EdTech".into()));
        a
    }

    #[test]
    fn key_info_selects_and_orders_attributes() {
        let config = TenantConfig {
            key_info: vec!["seats".into(), "missing".into(), "plan_tier".into()],
            ..TenantConfig::default()
        };
        let account = account();
        let names: Vec<&str> = config
            .key_info_attributes(&account)
            .iter()
            .map(|(k, _)| *k)
            .collect();
        assert_eq!(names, ["seats", "plan_tier"]);
    }

    #[test]
    fn without_key_info_every_attribute_is_used() {
        let account = account();
        assert_eq!(
            TenantConfig::default().key_info_attributes(&account).len(),
            3
        );
    }

    #[test]
    fn roles_restrict_only_when_listed() {
        let open = TenantConfig::default();
        assert!(open.allows_roles(&[]));
        let restricted = TenantConfig {
            allowed_roles: vec!["csm".into()],
            ..TenantConfig::default()
        };
        assert!(!restricted.allows_roles(&[]));
        assert!(!restricted.allows_roles(&["viewer".into()]));
        assert!(restricted.allows_roles(&["viewer".into(), "csm".into()]));
    }
}
