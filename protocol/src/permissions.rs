//! The permission model: a role grants, for leads and for contacts, `create` yes/no and
//! `view` all/own/none. Everything a user may do in External Lines is derived from it
//! here, in one pure place that the server enforces and the SPA only mirrors.

use crate::names::read_by_name;
use serde::{Deserialize, Serialize};

/// Which records of one CRM entity a role may view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ViewScope {
    /// Every record.
    All,
    /// Only records the user is responsible for.
    Own,
    /// No record.
    None,
}

read_by_name!(ViewScope {
    All = "all",
    Own = "own",
    None = "none",
});

impl ViewScope {
    /// All scopes, for tables and exhaustive tests.
    pub const ALL: [ViewScope; 3] = [ViewScope::All, ViewScope::Own, ViewScope::None];

    /// Stable name used in storage and forms.
    pub fn as_str(self) -> &'static str {
        match self {
            ViewScope::All => "all",
            ViewScope::Own => "own",
            ViewScope::None => "none",
        }
    }

    /// Parses [`ViewScope::as_str`].
    pub fn parse(s: &str) -> Option<ViewScope> {
        ViewScope::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// What a role allows for one CRM entity (leads or contacts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EntityRights {
    pub create: bool,
    pub view: ViewScope,
}

impl EntityRights {
    pub const fn new(create: bool, view: ViewScope) -> Self {
        Self { create, view }
    }

    /// True when the role can neither create nor view any record of the entity.
    pub fn is_closed(self) -> bool {
        !self.create && self.view == ViewScope::None
    }

    /// How a record of this entity linked to a chat appears to the user.
    /// `responsible_is_me` tells whether the user is the record's responsible manager.
    pub fn linked_record(self, responsible_is_me: bool) -> LinkedRecord {
        match self.view {
            ViewScope::All => LinkedRecord::Show,
            ViewScope::Own if responsible_is_me => LinkedRecord::Show,
            // Seed case 4b: a manager who never worked with the record gets a lead of
            // their own when they open the chat's CRM connections.
            ViewScope::Own if self.create => LinkedRecord::CreateOwnLead,
            ViewScope::Own | ViewScope::None => LinkedRecord::NoAccess,
        }
    }
}

/// What the CRM connections block shows for a record linked to a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkedRecord {
    /// Name, link to the card, details.
    Show,
    /// A "no access" placeholder: the record exists but its details are hidden.
    NoAccess,
    /// Nothing visible; a new lead owned by the user is created on opening.
    CreateOwnLead,
}

/// A role: CRM permissions for leads and for contacts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub id: crate::RoleId,
    pub name: String,
    pub leads: EntityRights,
    pub contacts: EntityRights,
}

/// `POST /api/roles` and `PUT /api/roles/{id}`: a role as an administrator edits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleInput {
    pub name: String,
    pub leads: EntityRights,
    pub contacts: EntityRights,
}

/// A user's role assignment on the Roles page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub user: crate::UserId,
    pub name: String,
    pub login: String,
    pub role: crate::RoleId,
    pub admin: bool,
}

/// `GET /api/roles`: every role and who has which.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolesOverview {
    pub roles: Vec<Role>,
    pub users: Vec<Assignment>,
}

/// `PUT /api/users/{id}/role`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignRole {
    pub role: crate::RoleId,
}

/// How far a user may work in External Lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinesAccess {
    /// Seed case 2: the section is hidden and the API refuses every call.
    None,
    /// Seed case 3 (and mixed roles without full view): chats yes, CRM details only
    /// where the per-entity rules allow.
    Limited,
    /// Seed case 4: chats, and CRM details of the records the user is responsible for.
    Own,
    /// Seed case 1: chats and every linked CRM record.
    Full,
}

read_by_name!(LinesAccess {
    None = "none",
    Limited = "limited",
    Own = "own",
    Full = "full",
});

/// Everything the UI and the server need to know about a user's rights, derived from
/// their role. Sent to the SPA by `GET /api/me`; the server recomputes it per request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    pub lines: LinesAccess,
    pub leads: EntityRights,
    pub contacts: EntityRights,
    /// Administrators manage roles, users and channels.
    pub admin: bool,
}

impl Access {
    /// Derives a user's access from their role and administrator flag.
    ///
    /// External Lines is open unless the role is closed for both leads and contacts
    /// (seed case 2). Its level is the weaker of the two entities' view scopes, so a
    /// mixed role never shows more than each entity allows on its own.
    pub fn derive(leads: EntityRights, contacts: EntityRights, admin: bool) -> Self {
        let lines = if leads.is_closed() && contacts.is_closed() {
            LinesAccess::None
        } else {
            match (leads.view, contacts.view) {
                (ViewScope::All, ViewScope::All) => LinesAccess::Full,
                (ViewScope::None, _) | (_, ViewScope::None) => LinesAccess::Limited,
                _ => LinesAccess::Own,
            }
        };
        Access { lines, leads, contacts, admin }
    }

    /// Derives access from a role.
    pub fn of_role(role: &Role, admin: bool) -> Self {
        Self::derive(role.leads, role.contacts, admin)
    }

    /// May the user see the External Lines section and its dialogs at all?
    pub fn has_lines(&self) -> bool {
        self.lines != LinesAccess::None
    }

    /// May the user take dialogs (Reply) and write in the ones they are members of?
    pub fn can_work_dialogs(&self) -> bool {
        self.has_lines()
    }

    /// May the user open dialogs other operators work on (read-only until they Join)?
    /// The seed allows it to users with access to the linked leads or contacts; a role
    /// that views all leads or all contacts has that access to every dialog's records.
    pub fn can_open_others_dialogs(&self) -> bool {
        self.has_lines() && (self.leads.view == ViewScope::All || self.contacts.view == ViewScope::All)
    }

    /// May the user create a lead from a chat?
    pub fn can_create_lead(&self) -> bool {
        self.has_lines() && self.leads.create
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ViewScope::*;

    const fn r(create: bool, view: ViewScope) -> EntityRights {
        EntityRights::new(create, view)
    }

    #[test]
    fn seed_case_1_create_and_view_all_is_full_access() {
        let a = Access::derive(r(true, All), r(true, All), false);
        assert_eq!(a.lines, LinesAccess::Full);
        assert!(a.can_work_dialogs() && a.can_create_lead());
        assert_eq!(a.leads.linked_record(false), LinkedRecord::Show);
        assert_eq!(a.contacts.linked_record(false), LinkedRecord::Show);
    }

    #[test]
    fn seed_case_2_no_create_no_view_has_no_access() {
        let a = Access::derive(r(false, None), r(false, None), false);
        assert_eq!(a.lines, LinesAccess::None);
        assert!(!a.has_lines() && !a.can_work_dialogs() && !a.can_create_lead());
    }

    #[test]
    fn seed_case_3_create_without_view_is_limited() {
        let a = Access::derive(r(true, None), r(true, None), false);
        assert_eq!(a.lines, LinesAccess::Limited);
        assert!(a.can_work_dialogs() && a.can_create_lead());
        for mine in [true, false] {
            assert_eq!(a.leads.linked_record(mine), LinkedRecord::NoAccess);
            assert_eq!(a.contacts.linked_record(mine), LinkedRecord::NoAccess);
        }
    }

    #[test]
    fn seed_case_4_view_own_shows_own_and_creates_a_lead_otherwise() {
        let a = Access::derive(r(true, Own), r(true, Own), false);
        assert_eq!(a.lines, LinesAccess::Own);
        assert_eq!(a.leads.linked_record(true), LinkedRecord::Show);
        assert_eq!(a.leads.linked_record(false), LinkedRecord::CreateOwnLead);
        assert_eq!(a.contacts.linked_record(true), LinkedRecord::Show);
        assert_eq!(a.contacts.linked_record(false), LinkedRecord::CreateOwnLead);
    }

    #[test]
    fn view_own_without_create_gets_a_placeholder_not_a_new_lead() {
        assert_eq!(r(false, Own).linked_record(false), LinkedRecord::NoAccess);
        assert_eq!(r(false, Own).linked_record(true), LinkedRecord::Show);
    }

    #[test]
    fn administrator_flag_does_not_widen_crm_rights() {
        let a = Access::derive(r(false, None), r(false, None), true);
        assert!(a.admin);
        assert!(!a.has_lines());
    }

    /// Every one of the 36 role combinations: the level is the weaker entity, closed
    /// only when both entities are closed, and lead creation follows `leads.create`.
    #[test]
    fn exhaustive_table_over_every_role() {
        let mut seen = 0;
        for lc in [true, false] {
            for lv in ViewScope::ALL {
                for cc in [true, false] {
                    for cv in ViewScope::ALL {
                        seen += 1;
                        let (leads, contacts) = (r(lc, lv), r(cc, cv));
                        let a = Access::derive(leads, contacts, false);
                        let closed = !lc && lv == None && !cc && cv == None;
                        let expected = if closed {
                            LinesAccess::None
                        } else if lv == None || cv == None {
                            LinesAccess::Limited
                        } else if lv == All && cv == All {
                            LinesAccess::Full
                        } else {
                            LinesAccess::Own
                        };
                        assert_eq!(a.lines, expected, "leads {leads:?} contacts {contacts:?}");
                        assert_eq!(a.can_create_lead(), !closed && lc);
                        assert_eq!(a.can_work_dialogs(), !closed);
                        for mine in [true, false] {
                            let shown = lv == All || (lv == Own && mine);
                            assert_eq!(a.leads.linked_record(mine) == LinkedRecord::Show, shown);
                        }
                    }
                }
            }
        }
        assert_eq!(seen, 36);
    }

    #[test]
    fn mixed_role_leads_all_contacts_own() {
        let a = Access::derive(r(true, All), r(true, Own), false);
        assert_eq!(a.lines, LinesAccess::Own);
        assert_eq!(a.leads.linked_record(false), LinkedRecord::Show);
        assert_eq!(a.contacts.linked_record(false), LinkedRecord::CreateOwnLead);
    }

    #[test]
    fn mixed_role_only_contacts_open_still_grants_lines() {
        let a = Access::derive(r(false, None), r(false, All), false);
        assert_eq!(a.lines, LinesAccess::Limited);
        assert!(a.can_work_dialogs());
        assert!(!a.can_create_lead());
    }
}
