//! Tenants, identities and roles. Agencies are tenants; the operator runs
//! the service and never sees agency data (R3.7).

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

id_type!(
    /// An agency: the unit of tenancy.
    AgencyId
);
id_type!(
    /// A user account, agency or operator.
    UserId
);
id_type!(
    /// A program within an agency (e.g. ERO, HSI).
    ProgramId
);
id_type!(
    /// An area of responsibility within an agency.
    AorId
);
id_type!(
    /// A registered data source.
    SourceId
);

/// What a user may do. One role per account keeps the authorisation table
/// small enough to prove exhaustively.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Investigator,
    AgencyManager,
    Auditor,
    OperatorAdmin,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a role: use investigator, agency_manager, auditor or operator_admin")]
pub struct UnknownRole(pub String);

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Investigator,
        Role::AgencyManager,
        Role::Auditor,
        Role::OperatorAdmin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Investigator => "investigator",
            Role::AgencyManager => "agency_manager",
            Role::Auditor => "auditor",
            Role::OperatorAdmin => "operator_admin",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, UnknownRole> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == raw.trim())
            .ok_or_else(|| UnknownRole(raw.to_owned()))
    }

    /// Operator staff belong to no agency; everyone else belongs to one.
    pub fn is_operator(self) -> bool {
        matches!(self, Role::OperatorAdmin)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whose data a store call may touch. Every call on agency-owned data takes
/// one; the operator scope reaches only operator data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TenantScope {
    Operator,
    Agency(AgencyId),
}

impl TenantScope {
    /// The audit log this scope writes to: one per agency, one for the operator.
    pub fn log_id(self) -> String {
        match self {
            TenantScope::Operator => "operator".to_owned(),
            TenantScope::Agency(a) => format!("agency:{a}"),
        }
    }

    pub fn agency(self) -> Option<AgencyId> {
        match self {
            TenantScope::Operator => None,
            TenantScope::Agency(a) => Some(a),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_scopes_name_their_log() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()).unwrap(), r);
        }
        assert_eq!(TenantScope::Agency(AgencyId(7)).log_id(), "agency:7");
        assert_eq!(TenantScope::Operator.log_id(), "operator");
    }
}
