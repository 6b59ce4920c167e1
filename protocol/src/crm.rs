//! The CRM the chats connect to: leads, contacts, companies and deals, the bodies of
//! `/api/crm`, the chat's CRM connections, and the rules of who sees which record.
//!
//! The seed's role model names two entities. Companies follow the contacts' rights
//! (both are the clients in the base) and deals the leads' rights (both are sales work).

use crate::api::ChannelKind;
use crate::names::read_by_name;
use crate::permissions::{Access, EntityRights, ViewScope};
use crate::{DialogId, Millis, RecordId, UserId};
use serde::{Deserialize, Serialize};

/// A kind of CRM record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Lead,
    Contact,
    Company,
    Deal,
}

read_by_name!(Entity {
    Lead = "lead",
    Contact = "contact",
    Company = "company",
    Deal = "deal",
});

impl Entity {
    pub const ALL: [Entity; 4] = [Entity::Lead, Entity::Contact, Entity::Company, Entity::Deal];

    /// Stable name used in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Lead => "lead",
            Entity::Contact => "contact",
            Entity::Company => "company",
            Entity::Deal => "deal",
        }
    }

    /// The path segment of its lists and cards (`/crm/leads/7`).
    pub fn plural(self) -> &'static str {
        match self {
            Entity::Lead => "leads",
            Entity::Contact => "contacts",
            Entity::Company => "companies",
            Entity::Deal => "deals",
        }
    }

    /// Parses [`Entity::as_str`] or [`Entity::plural`].
    pub fn parse(s: &str) -> Option<Entity> {
        Entity::ALL.into_iter().find(|e| e.as_str() == s || e.plural() == s)
    }

    /// The name users know one record by.
    pub fn label(self) -> &'static str {
        match self {
            Entity::Lead => "Lead",
            Entity::Contact => "Contact",
            Entity::Company => "Company",
            Entity::Deal => "Deal",
        }
    }

    /// The name of the list.
    pub fn plural_label(self) -> &'static str {
        match self {
            Entity::Lead => "Leads",
            Entity::Contact => "Contacts",
            Entity::Company => "Companies",
            Entity::Deal => "Deals",
        }
    }

    /// What the record's main field is called.
    pub fn title_label(self) -> &'static str {
        match self {
            Entity::Deal => "Title",
            _ => "Name",
        }
    }

    /// Whose rights apply: leads' for leads and deals, contacts' for contacts and companies.
    pub fn rights(self, access: &Access) -> EntityRights {
        match self {
            Entity::Lead | Entity::Deal => access.leads,
            Entity::Contact | Entity::Company => access.contacts,
        }
    }

    /// Do the records of this kind count as the client's lead (else as a contact) for
    /// [`RecordOwners`]?
    fn counts_as_lead(self) -> bool {
        matches!(self, Entity::Lead | Entity::Deal)
    }
}

/// May the user with `access` view a record of `entity` that `responsible` is responsible for?
pub fn may_view(access: &Access, entity: Entity, responsible: UserId, user: UserId) -> bool {
    match entity.rights(access).view {
        ViewScope::All => true,
        ViewScope::Own => responsible == user,
        ViewScope::None => false,
    }
}

/// Who is responsible for the CRM records linked to a dialog's client, by rights family.
/// It lets [`crate::inbox::may_open`] decide, without the database, whether a user who
/// sees only their own records may open the dialog from a card.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordOwners {
    /// Responsible users of linked leads and deals.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leads: Vec<UserId>,
    /// Responsible users of linked contacts and companies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<UserId>,
}

impl RecordOwners {
    /// No record is linked.
    pub fn is_empty(&self) -> bool {
        self.leads.is_empty() && self.contacts.is_empty()
    }

    /// Adds the responsible user of a linked record.
    pub fn add(&mut self, entity: Entity, responsible: UserId) {
        let list = if entity.counts_as_lead() { &mut self.leads } else { &mut self.contacts };
        if !list.contains(&responsible) {
            list.push(responsible);
            list.sort();
        }
    }

    /// Does `user` see at least one of the linked records?
    pub fn visible_to(&self, user: UserId, access: &Access) -> bool {
        let sees = |rights: EntityRights, owners: &[UserId]| match rights.view {
            ViewScope::All => !owners.is_empty(),
            ViewScope::Own => owners.contains(&user),
            ViewScope::None => false,
        };
        sees(access.leads, &self.leads) || sees(access.contacts, &self.contacts)
    }
}

/// The stages a deal moves through.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DealStage {
    #[default]
    New,
    Negotiation,
    Invoice,
    Won,
    Lost,
}

read_by_name!(DealStage {
    New = "new",
    Negotiation = "negotiation",
    Invoice = "invoice",
    Won = "won",
    Lost = "lost",
});

impl DealStage {
    pub const ALL: [DealStage; 5] =
        [DealStage::New, DealStage::Negotiation, DealStage::Invoice, DealStage::Won, DealStage::Lost];

    pub fn as_str(self) -> &'static str {
        match self {
            DealStage::New => "new",
            DealStage::Negotiation => "negotiation",
            DealStage::Invoice => "invoice",
            DealStage::Won => "won",
            DealStage::Lost => "lost",
        }
    }

    pub fn parse(s: &str) -> Option<DealStage> {
        DealStage::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// A record as others point at it: kind, id, and its name (or a deal's title).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RecordBrief {
    pub entity: Entity,
    pub id: RecordId,
    pub title: String,
}

impl RecordBrief {
    /// The SPA route of its card.
    pub fn href(&self) -> String {
        card_href(self.entity, self.id)
    }
}

/// The SPA route of a record's card.
pub fn card_href(entity: Entity, id: RecordId) -> String {
    format!("/crm/{}/{id}", entity.plural())
}

/// A reference from a system message to the record it announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RecordRef {
    pub entity: Entity,
    pub id: RecordId,
    /// Who is responsible for the record (when the message was read from storage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsible: Option<UserId>,
}

impl RecordRef {
    /// A reference to record `id` of `entity`.
    pub fn to(entity: Entity, id: RecordId) -> Self {
        RecordRef { entity, id, responsible: None }
    }

    /// May `user` see the record (by their role's view scope for its entity)?
    pub fn visible_to(&self, user: UserId, access: &Access) -> bool {
        match self.entity.rights(access).view {
            ViewScope::All => true,
            ViewScope::Own => self.responsible == Some(user),
            ViewScope::None => false,
        }
    }
}

/// The fields a user edits. Which ones apply depends on the entity: phone and email
/// for leads, contacts and companies, `source` for leads, `amount` (in cents), `stage`,
/// `contact` and `company` for deals, `company` also for contacts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordFields {
    /// The name, or a deal's title.
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub amount: Option<i64>,
    #[serde(default)]
    pub stage: Option<DealStage>,
    #[serde(default)]
    pub contact: Option<RecordId>,
    #[serde(default)]
    pub company: Option<RecordId>,
}

/// `POST /api/crm/{entity}` and `PUT /api/crm/{entity}/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordInput {
    #[serde(flatten)]
    pub fields: RecordFields,
    /// The responsible user; the author when creating without one.
    #[serde(default)]
    pub responsible: Option<UserId>,
}

/// The client's identity on one channel, as the External lines field shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinesAccount {
    pub channel_kind: ChannelKind,
    pub channel_name: String,
    /// The client's name there (a Telegram @username, the name a visitor typed...).
    pub account: String,
    /// Their dialog there with the latest message: the field opens it.
    pub dialog_id: DialogId,
    pub last_activity_at: Millis,
}

/// A record's card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub entity: Entity,
    pub id: RecordId,
    pub fields: RecordFields,
    pub responsible: UserId,
    /// A lead converted into a contact and/or company.
    #[serde(default)]
    pub converted: bool,
    /// Related records the user may see: a deal's contact and company, a contact's
    /// company, the records a lead became, the lead a record came from.
    #[serde(default)]
    pub related: Vec<RecordBrief>,
    /// The External lines field: the client's accounts, newest dialog first.
    #[serde(default)]
    pub lines: Vec<LinesAccount>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl Record {
    pub fn brief(&self) -> RecordBrief {
        RecordBrief { entity: self.entity, id: self.id, title: self.fields.name.clone() }
    }
}

/// How a list is sorted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    Name,
    Created,
    #[default]
    Updated,
}

read_by_name!(SortKey {
    Name = "name",
    Created = "created",
    Updated = "updated",
});

impl SortKey {
    pub const ALL: [SortKey; 3] = [SortKey::Updated, SortKey::Created, SortKey::Name];

    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Created => "created",
            SortKey::Updated => "updated",
        }
    }
}

/// Records per list page unless asked otherwise, and the most a page holds.
pub const LIST_PAGE: usize = 50;
pub const MAX_LIST_PAGE: usize = 200;

/// `GET /api/crm/{entity}?q=&sort=&desc=&offset=&limit=`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    /// Words to find in the name, phone or email.
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub sort: Option<SortKey>,
    /// Descending (newest or Z first); the default for dates.
    #[serde(default)]
    pub desc: Option<bool>,
    #[serde(default)]
    pub offset: Option<usize>,
    #[serde(default)]
    pub limit: Option<usize>,
}

impl ListQuery {
    pub fn limit(&self) -> usize {
        self.limit.unwrap_or(LIST_PAGE).clamp(1, MAX_LIST_PAGE)
    }

    pub fn descending(&self) -> bool {
        self.desc.unwrap_or(self.sort.unwrap_or_default() != SortKey::Name)
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordList {
    pub records: Vec<Record>,
    /// Records matching the search that the user may see.
    pub total: usize,
}

/// `POST /api/crm/leads/{id}/convert`: what the lead becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Convert {
    pub contact: bool,
    pub company: bool,
}

/// A record linked to a chat, as one user sees it in the CRM connections block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Linked {
    /// The user may see it: its name links to its card.
    Shown { record: RecordBrief },
    /// It exists, but the user's role does not show it (seed case 3).
    Hidden { entity: Entity },
}

/// `GET`/`POST /api/dialogs/{id}/crm`: the chat's CRM connections for the user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connections {
    pub linked: Vec<Linked>,
    /// Contacts with the phone or email of a linked lead, offered instead of a duplicate.
    #[serde(default)]
    pub suggestions: Vec<RecordBrief>,
    /// Create lead is offered (the user works on the chat and may create leads).
    pub can_create_lead: bool,
    /// Create deal is offered.
    pub can_create_deal: bool,
    /// What the quick deal form fills in: the linked contact and company.
    #[serde(default)]
    pub deal_contact: Option<RecordBrief>,
    #[serde(default)]
    pub deal_company: Option<RecordBrief>,
}

/// `POST /api/dialogs/{id}/crm/deals`: the quick deal form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDeal {
    pub title: String,
    #[serde(default)]
    pub amount: Option<i64>,
    pub stage: DealStage,
    #[serde(default)]
    pub contact: Option<RecordId>,
    #[serde(default)]
    pub company: Option<RecordId>,
}

/// `POST /api/dialogs/{id}/crm/link`: link an existing record to the chat's client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkRecord {
    pub id: RecordId,
}

/// Longest text field, in characters.
pub const MAX_FIELD_CHARS: usize = 200;
/// Largest deal amount, in cents (a trillion).
pub const MAX_AMOUNT: i64 = 100_000_000_000_000;

/// Checks and tidies a record's fields for `entity`: trims text, requires the name (or
/// title), checks phone and email shapes and the deal's amount and stage, and clears
/// fields the entity does not have. The error names the field and what to fix.
pub fn validate(entity: Entity, mut f: RecordFields) -> Result<RecordFields, String> {
    for field in [&mut f.name, &mut f.phone, &mut f.email, &mut f.source] {
        *field = field.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    if f.name.is_empty() {
        return Err(format!("{} is required.", entity.title_label()));
    }
    for (label, value) in
        [(entity.title_label(), &f.name), ("Phone", &f.phone), ("Email", &f.email), ("Source", &f.source)]
    {
        if value.chars().count() > MAX_FIELD_CHARS {
            return Err(format!("{label} is too long: at most {MAX_FIELD_CHARS} characters."));
        }
    }
    let has_contacts = entity != Entity::Deal;
    if has_contacts {
        let digits = f.phone.chars().filter(char::is_ascii_digit).count();
        let phone_chars = f.phone.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
        if !f.phone.is_empty() && (!phone_chars || !(5..=20).contains(&digits)) {
            return Err("Phone: use digits, spaces, + - ( ) only, 5 to 20 digits.".into());
        }
        if !f.email.is_empty() && !looks_like_email(&f.email) {
            return Err("Email: enter an address like name@example.com.".into());
        }
    } else {
        f.phone.clear();
        f.email.clear();
    }
    if entity != Entity::Lead {
        f.source.clear();
    }
    if entity == Entity::Deal {
        match f.amount {
            Some(a) if !(0..=MAX_AMOUNT).contains(&a) => return Err("Amount must be zero or more.".into()),
            _ => {}
        }
        f.stage.get_or_insert(DealStage::New);
    } else {
        f.amount = None;
        f.stage = None;
        f.contact = None;
    }
    if !matches!(entity, Entity::Deal | Entity::Contact) {
        f.company = None;
    }
    Ok(f)
}

fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.contains(char::is_whitespace)
}

/// Formats an amount in cents as `1 234.50`.
pub fn format_amount(cents: i64) -> String {
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(' ');
        }
        grouped.push(c);
    }
    format!("{grouped}.{:02}", cents % 100)
}

/// Parses an amount typed by a user (`1234.5`, `1 234,50`) into cents.
pub fn parse_amount(s: &str) -> Result<Option<i64>, String> {
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).map(|c| if c == ',' { '.' } else { c }).collect();
    if clean.is_empty() {
        return Ok(None);
    }
    let bad = || "Amount: enter a number like 1500 or 1500.50.".to_string();
    let (whole, frac) = clean.split_once('.').unwrap_or((&clean, ""));
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let frac: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().map_err(|_| bad())? };
    whole.checked_mul(100).and_then(|w| w.checked_add(frac)).filter(|a| *a <= MAX_AMOUNT).map(Some).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::permissions::ViewScope::{All, None as NoView, Own};

    fn access(leads: ViewScope, contacts: ViewScope) -> Access {
        Access::derive(EntityRights::new(true, leads), EntityRights::new(true, contacts), false)
    }

    #[test]
    fn entities_round_trip_through_their_names() {
        for e in Entity::ALL {
            assert_eq!(Entity::parse(e.as_str()), Some(e));
            assert_eq!(Entity::parse(e.plural()), Some(e));
        }
        assert_eq!(Entity::parse("users"), None);
    }

    #[test]
    fn companies_follow_contacts_and_deals_follow_leads() {
        let a = access(All, NoView);
        let (me, other) = (UserId(1), UserId(2));
        assert!(may_view(&a, Entity::Lead, other, me) && may_view(&a, Entity::Deal, other, me));
        assert!(!may_view(&a, Entity::Contact, me, me) && !may_view(&a, Entity::Company, me, me));
        let own = access(Own, Own);
        assert!(may_view(&own, Entity::Company, me, me) && !may_view(&own, Entity::Company, other, me));
    }

    #[test]
    fn owners_grant_sight_by_scope() {
        let (me, other) = (UserId(1), UserId(2));
        let mut owners = RecordOwners::default();
        assert!(!owners.visible_to(me, &access(All, All)), "nothing linked, nothing to see");
        owners.add(Entity::Deal, other);
        owners.add(Entity::Company, me);
        assert_eq!(owners.leads, vec![other]);
        assert_eq!(owners.contacts, vec![me]);
        assert!(owners.visible_to(me, &access(NoView, Own)));
        assert!(!owners.visible_to(me, &access(Own, NoView)));
        assert!(owners.visible_to(me, &access(All, NoView)));
        assert!(!owners.visible_to(me, &access(NoView, NoView)));
    }

    #[test]
    fn validation_requires_the_name_and_checks_shapes() {
        let f = |name: &str, phone: &str, email: &str| RecordFields {
            name: name.into(),
            phone: phone.into(),
            email: email.into(),
            ..Default::default()
        };
        assert_eq!(validate(Entity::Lead, f("  ", "", "")), Err("Name is required.".into()));
        assert_eq!(validate(Entity::Deal, f("", "", "")), Err("Title is required.".into()));
        assert!(validate(Entity::Contact, f("Olena", "12", "")).unwrap_err().starts_with("Phone"));
        assert!(validate(Entity::Contact, f("Olena", "+380 (44) 123-45-67", "")).is_ok());
        assert!(validate(Entity::Contact, f("Olena", "", "olena@")).unwrap_err().starts_with("Email"));
        assert!(validate(Entity::Contact, f("Olena", "", "a b@x.ua")).is_err());
        let ok = validate(Entity::Lead, f("  Olena   Moroz ", "", "olena@shop.ua")).unwrap();
        assert_eq!(ok.name, "Olena Moroz");
        assert!(validate(Entity::Lead, f(&"x".repeat(201), "", "")).unwrap_err().contains("too long"));
    }

    #[test]
    fn validation_keeps_only_the_entitys_fields() {
        let all = RecordFields {
            name: "Pots".into(),
            phone: "+380441234567".into(),
            email: "a@b.ua".into(),
            source: "Website".into(),
            amount: Some(15_000),
            stage: Some(DealStage::Won),
            contact: Some(RecordId(1)),
            company: Some(RecordId(2)),
        };
        let deal = validate(Entity::Deal, all.clone()).unwrap();
        assert_eq!((deal.phone.as_str(), deal.source.as_str()), ("", ""));
        assert_eq!((deal.amount, deal.stage, deal.contact), (Some(15_000), Some(DealStage::Won), Some(RecordId(1))));
        let lead = validate(Entity::Lead, all.clone()).unwrap();
        assert_eq!((lead.amount, lead.stage, lead.contact, lead.company), (None, None, None, None));
        assert_eq!(lead.source, "Website");
        let contact = validate(Entity::Contact, all.clone()).unwrap();
        assert_eq!((contact.company, contact.source.as_str()), (Some(RecordId(2)), ""));
        let no_stage = validate(Entity::Deal, RecordFields { name: "x".into(), ..Default::default() }).unwrap();
        assert_eq!(no_stage.stage, Some(DealStage::New));
        let negative = RecordFields { name: "x".into(), amount: Some(-1), ..Default::default() };
        assert!(validate(Entity::Deal, negative).is_err());
    }

    #[test]
    fn amounts_parse_and_format() {
        assert_eq!(parse_amount("1500"), Ok(Some(15_0000)));
        assert_eq!(parse_amount(" 1 234,5 "), Ok(Some(123_450)));
        assert_eq!(parse_amount("0.07"), Ok(Some(7)));
        assert_eq!(parse_amount(""), Ok(None));
        for bad in ["1.234", "abc", "-5", ".5", "1e3", "99999999999999999999"] {
            assert!(parse_amount(bad).is_err(), "{bad}");
        }
        assert_eq!(format_amount(123_450), "1 234.50");
        assert_eq!(format_amount(7), "0.07");
        assert_eq!(format_amount(100_000_000), "1 000 000.00");
    }

    #[test]
    fn lists_default_to_newest_first_and_names_ascending() {
        assert!(ListQuery::default().descending());
        assert!(!ListQuery { sort: Some(SortKey::Name), ..Default::default() }.descending());
        assert_eq!(ListQuery { limit: Some(10_000), ..Default::default() }.limit(), MAX_LIST_PAGE);
    }
}
