//! Who may do what (DOMAIN.md "Who may do what"): one policy, asked by every handler.
//!
//! A [`Principal`] is a role and, for the roles bound to one organisation, that organisation.
//! [`Principal::may`] answers whether it may perform an [`Action`] on a [`Resource`], and when
//! not, a [`Denied`] that says which role or unit the principal has and what was refused.
//!
//! A resource names its unit as the caller wrote it (a path segment), not parsed: who may reach
//! a unit is decided before its code is checked, so a bound caller is refused (403) for every
//! unit but its own, a malformed one included, and learns nothing about which units exist.

use crate::code::ParseError;
use crate::report::Transition;
use crate::role::Role;
use crate::stream::{Stream, UnitCode};
use crate::territory::RegionCode;

/// The organisation a bound role acts for: one unit of its stream ("OWES OWES-PN").
pub type Org = UnitCode;

/// Who acts: a role, bound to one unit for the roles of a stream (`owes`, `gmina`), and for
/// ROPS staff possibly to one region.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Principal {
    role: Role,
    org: Option<Org>,
    /// The region ROPS staff work in (`None`: every region). Bound roles reach their own unit
    /// only, so a region adds nothing for them.
    region: Option<RegionCode>,
}

/// A role and `org` that do not make a principal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrincipalError {
    #[error("role {0} needs `org` (the code of its {noun})", noun = .0.stream().map_or("unit", Stream::unit_noun))]
    MissingOrg(Role),
    #[error(transparent)]
    Org(#[from] ParseError),
}

impl Principal {
    /// The principal of `role`; `org` is the code of a bound role's unit (as its stream
    /// names units), and ignored for ROPS staff.
    pub fn new(role: Role, org: Option<&str>) -> Result<Self, PrincipalError> {
        let org = match (role.stream(), org) {
            (Some(stream), Some(o)) => Some(stream.parse_unit(o)?),
            (Some(_), None) => return Err(PrincipalError::MissingOrg(role)),
            (None, _) => None,
        };
        Ok(Self {
            role,
            org,
            region: None,
        })
    }

    /// The same principal working in `region` only (ROPS staff; ignored for bound roles).
    pub fn within(self, region: Option<RegionCode>) -> Self {
        let region = if self.role.is_rops() { region } else { None };
        Self { region, ..self }
    }

    /// The region a region-bound analyst or admin works in.
    pub fn region(&self) -> Option<&RegionCode> {
        self.region.as_ref()
    }

    /// May this principal perform `action` on something of `region`? Reference data and the
    /// LPRES statuses are public (any role of any region reads them); everything else a
    /// region-bound analyst or admin does stays within their region. Asked after
    /// [`Principal::may`], once the resource's region is known.
    pub fn may_in(&self, action: Action, region: &str) -> Result<(), Denied> {
        match &self.region {
            Some(own) if action.is_regional() && own.as_str() != region => {
                Err(Denied::OtherRegion {
                    own: own.clone(),
                    region: region.to_owned(),
                })
            }
            _ => Ok(()),
        }
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn org(&self) -> Option<&Org> {
        self.org.as_ref()
    }

    /// May this principal perform `action` on `resource`?
    pub fn may(&self, action: Action, resource: Resource<'_>) -> Result<(), Denied> {
        self.may_by_role(action, resource)?;
        match resource {
            // A region named by the resource itself is checked here; the region of a unit,
            // subregion or event is the caller's to look up and ask with `may_in`.
            Resource::Region(code) => self.may_in(action, code),
            _ => Ok(()),
        }
    }

    fn may_by_role(&self, action: Action, resource: Resource<'_>) -> Result<(), Denied> {
        use Action as A;
        use Resource as R;
        const GMINA: Stream = Stream::Gmina;
        match (action, resource) {
            // Reference data, the LPRES statuses and the activity register: any role reads.
            (A::ReadReference, _) | (A::ReadLpres, R::Unit(GMINA, _) | R::Region(_)) => Ok(()),
            (A::ReadEvents, R::ActivityRegister) => Ok(()),
            (A::WriteReference, R::Reference) | (A::ManageUsers, R::Users) => self.admin(),
            (A::WriteEvents, R::ActivityRegister) => self.rops(action),
            (A::WriteEntities, R::EntityRegister) => self.rops(action),
            (A::ReadQueue, R::ReportQueue) => self.rops(action),
            // A unit's reports (and a gmina's LPRES): that unit, and ROPS staff.
            (A::ReadReports | A::WriteReports, R::Unit(stream, unit))
            | (A::WriteLpres, R::Unit(stream @ GMINA, unit)) => self.reach(stream, unit, "reach"),
            // Reviewing: ROPS staff only, once the unit is within reach.
            (A::Review(_), R::Unit(stream, unit)) => {
                self.reach(stream, unit, "reach")?;
                self.rops(action)
            }
            // Rollups: ROPS staff; an OWES its own.
            (A::ReadRollup, R::Unit(stream @ Stream::Owes, unit)) if self.role == stream.role() => {
                self.reach(stream, unit, "read the rollup of")
            }
            (A::ReadRollup, R::Region(_) | R::Subregion(_) | R::Unit(Stream::Owes, _)) => {
                self.rops(action)
            }
            (action, resource) => Err(Denied::NotAnAction {
                action,
                resource: resource.to_string(),
            }),
        }
    }

    fn admin(&self) -> Result<(), Denied> {
        match self.role {
            Role::Admin => Ok(()),
            role => Err(Denied::AdminOnly { role }),
        }
    }

    fn rops(&self, action: Action) -> Result<(), Denied> {
        if self.role.is_rops() {
            Ok(())
        } else {
            Err(Denied::RopsOnly {
                role: self.role,
                action,
            })
        }
    }

    /// ROPS staff reach every unit; a bound principal its own unit only, and no unit of
    /// another stream.
    fn reach(&self, stream: Stream, unit: &str, verb: &'static str) -> Result<(), Denied> {
        match &self.org {
            None => Ok(()),
            Some(own) if own.stream() == stream && own.as_str() == unit => Ok(()),
            Some(own) if own.stream() == stream => Err(Denied::OtherUnit {
                own: own.clone(),
                verb,
                unit: format!("{} {unit}", stream.unit_noun()),
            }),
            Some(_) => Err(Denied::OtherKind {
                role: self.role,
                kind: stream,
            }),
        }
    }
}

/// What a principal wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Territory, catalogue, OWES register, programmes.
    ReadReference,
    /// Subregions, OWES, catalogue, programme targets.
    WriteReference,
    /// A unit's reports, their revisions and templates.
    ReadReports,
    /// Put, import and submit a unit's reports.
    WriteReports,
    /// Approve, return or reopen a report (never `Submit`, which is [`Action::WriteReports`]).
    Review(Transition),
    /// The report queue of the region, across units.
    ReadQueue,
    ReadLpres,
    WriteLpres,
    ReadEvents,
    /// Keep the activity register.
    WriteEvents,
    /// Keep the register of reintegration entities (reading it is reading reference data).
    WriteEntities,
    ReadRollup,
    /// Create, change and deactivate accounts.
    ManageUsers,
}

impl Action {
    /// Whether the action is confined to a region-bound principal's region: all but reading
    /// reference data and LPRES statuses, which are public.
    pub fn is_regional(self) -> bool {
        !matches!(self, Self::ReadReference | Self::ReadLpres)
    }

    /// The action a report transition needs: submitting is writing, the rest reviewing.
    pub fn of_transition(transition: Transition) -> Self {
        match transition {
            Transition::Submit => Self::WriteReports,
            other => Self::Review(other),
        }
    }

    /// What the action is, in words that follow "may".
    fn describe(self) -> String {
        match self {
            Self::ReadReference => "read reference data".into(),
            Self::WriteReference => "change reference data".into(),
            Self::ReadReports => "read reports".into(),
            Self::WriteReports => "write reports".into(),
            Self::Review(t) => format!("{} reports", t.as_str()),
            Self::ReadQueue => "read the report queue".into(),
            Self::ReadLpres => "read LPRES statuses".into(),
            Self::WriteLpres => "change LPRES statuses".into(),
            Self::ReadEvents => "read the activity register".into(),
            Self::WriteEvents => "keep the activity register".into(),
            Self::WriteEntities => "keep the register of reintegration entities".into(),
            Self::ReadRollup => "read rollups".into(),
            Self::ManageUsers => "manage user accounts".into(),
        }
    }
}

/// What an action is performed on; a unit as the caller named it (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource<'a> {
    /// The reference data of the region.
    Reference,
    /// The activity register.
    ActivityRegister,
    /// The register of reintegration entities (CIS, KIS, ZAZ, WTZ).
    EntityRegister,
    /// Reports across units (the queue).
    ReportQueue,
    /// The accounts of the people who use the service.
    Users,
    /// A reporting unit of a stream, by its code.
    Unit(Stream, &'a str),
    /// A region, by its code.
    Region(&'a str),
    /// A subregion, by its code.
    Subregion(&'a str),
}

impl std::fmt::Display for Resource<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Reference => f.write_str("reference data"),
            Self::ActivityRegister => f.write_str("the activity register"),
            Self::EntityRegister => f.write_str("the register of reintegration entities"),
            Self::ReportQueue => f.write_str("the report queue"),
            Self::Users => f.write_str("user accounts"),
            Self::Unit(stream, code) => write!(f, "{} {code}", stream.unit_noun()),
            Self::Region(c) => write!(f, "region {c}"),
            Self::Subregion(c) => write!(f, "subregion {c}"),
        }
    }
}

/// Why the policy refused, worded for the caller: the token's role or unit, and what it
/// cannot do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("this needs the admin role; the token's role is {role}")]
    AdminOnly { role: Role },
    #[error("only ROPS analysts and admins may {}; the token's role is {role}", .action.describe())]
    RopsOnly { role: Role, action: Action },
    #[error("this token is for {own}; it cannot {verb} {unit}")]
    OtherUnit {
        own: Org,
        verb: &'static str,
        unit: String,
    },
    #[error("{} tokens cannot reach {}", role_label(*.role), kind_label(*.kind))]
    OtherKind { role: Role, kind: Stream },
    #[error("this account works in region {own}; it cannot reach region {region}")]
    OtherRegion { own: RegionCode, region: String },
    #[error("no role may {} on {resource}", .action.describe())]
    NotAnAction { action: Action, resource: String },
}

fn role_label(role: Role) -> &'static str {
    role.stream().map_or(role.as_str(), Stream::unit_noun)
}

fn kind_label(kind: Stream) -> String {
    format!("{} data", kind.unit_noun())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(role: Role, org: Option<&str>) -> Principal {
        Principal::new(role, org).unwrap()
    }

    fn admin() -> Principal {
        p(Role::Admin, None)
    }
    fn analyst() -> Principal {
        p(Role::Analyst, None)
    }
    fn owes() -> Principal {
        p(Role::Owes, Some("OWES-PN"))
    }
    fn gmina() -> Principal {
        p(Role::Gmina, Some("1604023"))
    }

    #[test]
    fn region_bound_staff_act_within_their_region_and_read_public_data_anywhere() {
        let r16 = Some(RegionCode::parse("16").unwrap());
        let analyst16 = analyst().within(r16.clone());
        assert_eq!(analyst16.region().map(RegionCode::as_str), Some("16"));
        assert!(analyst16
            .may(Action::ReadRollup, Resource::Region("16"))
            .is_ok());
        let denied = analyst16
            .may(Action::ReadRollup, Resource::Region("22"))
            .unwrap_err();
        assert_eq!(
            denied.to_string(),
            "this account works in region 16; it cannot reach region 22"
        );
        assert!(analyst16.may_in(Action::ReadReports, "22").is_err());
        assert!(analyst16.may_in(Action::ReadReports, "16").is_ok());
        // Reference data and LPRES statuses are public.
        assert!(analyst16
            .may(Action::ReadLpres, Resource::Region("22"))
            .is_ok());
        assert!(analyst16.may_in(Action::ReadReference, "22").is_ok());
        // An admin without a region administers all; bound roles carry no region.
        assert!(admin()
            .may(Action::ReadRollup, Resource::Region("22"))
            .is_ok());
        assert_eq!(owes().within(r16).region(), None);
    }

    const OWN_OWES: Resource<'static> = Resource::Unit(Stream::Owes, "OWES-PN");
    const OTHER_OWES: Resource<'static> = Resource::Unit(Stream::Owes, "OWES-PD");
    const OWN_GMINA: Resource<'static> = Resource::Unit(Stream::Gmina, "1604023");
    const OTHER_GMINA: Resource<'static> = Resource::Unit(Stream::Gmina, "1601011");

    /// The table: each (action, resource) with who of admin, analyst, OWES-PN, gmina 1604023
    /// may do it.
    #[test]
    fn the_policy_table() {
        use Action as A;
        use Resource as R;
        let approve = A::Review(Transition::Approve);
        let ret = A::Review(Transition::Return);
        let reopen = A::Review(Transition::Reopen);
        #[rustfmt::skip]
        let table: Vec<(Action, Resource, [bool; 4])> = vec![
            (A::ReadReference, R::Reference, [true, true, true, true]),
            (A::WriteReference, R::Reference, [true, false, false, false]),
            (A::ReadReports, OWN_OWES, [true, true, true, false]),
            (A::ReadReports, OTHER_OWES, [true, true, false, false]),
            (A::WriteReports, OWN_OWES, [true, true, true, false]),
            (A::WriteReports, OTHER_OWES, [true, true, false, false]),
            (A::WriteReports, R::Unit(Stream::Owes, "not a code"), [true, true, false, false]),
            (approve, OWN_OWES, [true, true, false, false]),
            (ret, OWN_OWES, [true, true, false, false]),
            (reopen, OWN_OWES, [true, true, false, false]),
            (A::ReadReports, OWN_GMINA, [true, true, false, true]),
            (A::ReadReports, OTHER_GMINA, [true, true, false, false]),
            (A::WriteReports, OWN_GMINA, [true, true, false, true]),
            (A::WriteReports, OTHER_GMINA, [true, true, false, false]),
            (approve, OWN_GMINA, [true, true, false, false]),
            (reopen, OTHER_GMINA, [true, true, false, false]),
            (A::ReadQueue, R::ReportQueue, [true, true, false, false]),
            (A::ReadLpres, OWN_GMINA, [true, true, true, true]),
            (A::ReadLpres, OTHER_GMINA, [true, true, true, true]),
            (A::ReadLpres, R::Region("16"), [true, true, true, true]),
            (A::WriteLpres, OWN_GMINA, [true, true, false, true]),
            (A::WriteLpres, OTHER_GMINA, [true, true, false, false]),
            (A::ReadEvents, R::ActivityRegister, [true, true, true, true]),
            (A::WriteEvents, R::ActivityRegister, [true, true, false, false]),
            (A::ReadReference, R::EntityRegister, [true, true, true, true]),
            (A::WriteEntities, R::EntityRegister, [true, true, false, false]),
            (A::ReadRollup, R::Region("16"), [true, true, false, false]),
            (A::ReadRollup, R::Subregion("OPL-PN"), [true, true, false, false]),
            (A::ReadRollup, OWN_OWES, [true, true, true, false]),
            (A::ReadRollup, OTHER_OWES, [true, true, false, false]),
            // Pairs that make no sense are refused to everyone.
            (A::WriteLpres, OWN_OWES, [false, false, false, false]),
            (A::WriteEvents, R::Reference, [false, false, false, false]),
            (A::WriteEntities, R::Reference, [false, false, false, false]),
        ];
        let who = [admin(), analyst(), owes(), gmina()];
        for (action, resource, expected) in table {
            for (principal, allowed) in who.iter().zip(expected) {
                assert_eq!(
                    principal.may(action, resource).is_ok(),
                    allowed,
                    "{:?} {action:?} on {resource}",
                    principal.role()
                );
            }
        }
    }

    #[test]
    fn a_refusal_names_the_role_or_unit_and_what_was_refused() {
        let msg = |p: Principal, a, r| p.may(a, r).unwrap_err().to_string();
        assert_eq!(
            msg(owes(), Action::WriteReports, OTHER_OWES),
            "this token is for OWES OWES-PN; it cannot reach OWES OWES-PD"
        );
        assert_eq!(
            msg(gmina(), Action::ReadReports, OWN_OWES),
            "gmina tokens cannot reach OWES data"
        );
        assert_eq!(
            msg(gmina(), Action::WriteLpres, OTHER_GMINA),
            "this token is for gmina 1604023; it cannot reach gmina 1601011"
        );
        assert_eq!(
            msg(owes(), Action::WriteReports, OWN_GMINA),
            "OWES tokens cannot reach gmina data"
        );
        assert_eq!(
            msg(owes(), Action::Review(Transition::Approve), OWN_OWES),
            "only ROPS analysts and admins may approve reports; the token's role is owes"
        );
        assert_eq!(
            msg(analyst(), Action::WriteReference, Resource::Reference),
            "this needs the admin role; the token's role is analyst"
        );
        assert_eq!(
            msg(owes(), Action::ReadRollup, OTHER_OWES),
            "this token is for OWES OWES-PN; it cannot read the rollup of OWES OWES-PD"
        );
        assert_eq!(
            msg(gmina(), Action::ReadRollup, OWN_OWES),
            "only ROPS analysts and admins may read rollups; the token's role is gmina"
        );
        assert_eq!(
            msg(gmina(), Action::WriteEvents, Resource::ActivityRegister),
            "only ROPS analysts and admins may keep the activity register; the token's role is gmina"
        );
    }

    /// The third stream's role follows the same rule as the other bound roles.
    #[test]
    fn an_entity_reaches_its_own_entity_only() {
        use Action as A;
        use Resource as R;
        let entity = p(Role::Entity, Some("CIS-KLUCZBORK"));
        let own = R::Unit(Stream::Entity, "CIS-KLUCZBORK");
        let other = R::Unit(Stream::Entity, "CIS-NYSA");
        for action in [A::ReadReports, A::WriteReports] {
            assert!(entity.may(action, own).is_ok());
            assert_eq!(
                entity.may(action, other).unwrap_err().to_string(),
                "this token is for entity CIS-KLUCZBORK; it cannot reach entity CIS-NYSA"
            );
        }
        assert_eq!(
            entity
                .may(A::WriteReports, OWN_OWES)
                .unwrap_err()
                .to_string(),
            "entity tokens cannot reach OWES data"
        );
        assert!(entity.may(A::Review(Transition::Approve), own).is_err());
        assert!(entity.may(A::ReadRollup, R::Region("16")).is_err());
        assert!(entity.may(A::ReadReference, R::Reference).is_ok());
        assert!(entity.may(A::WriteEntities, R::EntityRegister).is_err());
        assert!(analyst().may(A::WriteReports, other).is_ok());
        assert_eq!(
            Principal::new(Role::Entity, None),
            Err(PrincipalError::MissingOrg(Role::Entity))
        );
        assert!(Principal::new(Role::Entity, Some("cis")).is_err());
    }

    #[test]
    fn bound_roles_need_a_valid_org() {
        assert_eq!(
            Principal::new(Role::Owes, None),
            Err(PrincipalError::MissingOrg(Role::Owes))
        );
        assert!(Principal::new(Role::Gmina, Some("OWES-PN")).is_err());
        assert!(Principal::new(Role::Owes, Some("not a code")).is_err());
        assert_eq!(
            gmina().org(),
            Some(&Org::Gmina(
                crate::territory::Teryt::parse("1604023").unwrap()
            ))
        );
        assert_eq!(p(Role::Analyst, Some("anything")).org(), None);
    }
}
