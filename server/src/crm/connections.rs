//! The chat's CRM connections: what of the client's records a user sees in the chat
//! window (seed cases 1-4), Create lead, Create deal, linking an existing contact, and
//! the lead a manager who sees only their own records gets on opening (case 4b).

use super::store::{self, LinkedRow};
use crate::auth::CurrentUser;
use crate::dialogs::{require_writer, store as dialogs};
use crate::error::{AppError, AppResult};
use crate::sql::Connection;
use el_protocol::api::DialogSummary;
use el_protocol::crm::{Connections, Entity, LinkRecord, Linked, NewDeal, RecordFields, RecordInput, RecordRef};
use el_protocol::notices::Notice;
use el_protocol::permissions::LinkedRecord;
use el_protocol::Seq;

/// How `user` sees a linked record.
fn sight(user: &CurrentUser, row: &LinkedRow) -> LinkedRecord {
    row.brief.entity.rights(&user.access).linked_record(row.responsible == user.id())
}

/// The connections block of `dialog` for `user`.
pub fn connections(conn: &Connection, user: &CurrentUser, dialog: &DialogSummary) -> AppResult<Connections> {
    let rows = store::linked(conn, dialog.client_id)?;
    let mut out = Connections::default();
    for row in &rows {
        let item = match sight(user, row) {
            LinkedRecord::Show => Linked::Shown { record: row.brief.clone() },
            LinkedRecord::NoAccess | LinkedRecord::CreateOwnLead => Linked::Hidden { entity: row.brief.entity },
        };
        // One placeholder per kind says enough; more would only count hidden records.
        if !out.linked.contains(&item) {
            out.linked.push(item);
        }
    }
    let shown = |entity: Entity| {
        rows.iter().find(|r| r.brief.entity == entity && sight(user, r) == LinkedRecord::Show).map(|r| r.brief.clone())
    };
    out.deal_contact = shown(Entity::Contact);
    out.deal_company = shown(Entity::Company);
    let writer = require_writer(conn, dialog, user).is_ok();
    let has_person = rows.iter().any(|r| matches!(r.brief.entity, Entity::Lead | Entity::Contact));
    out.can_create_lead = writer && !has_person && user.access.can_create_lead();
    out.can_create_deal = writer && has_person && Entity::Deal.rights(&user.access).create;
    if out.deal_contact.is_none() {
        let leads = rows.iter().filter(|r| r.brief.entity == Entity::Lead && sight(user, r) == LinkedRecord::Show);
        let (phones, emails): (Vec<String>, Vec<String>) = leads.map(|r| (r.phone.clone(), r.email.clone())).unzip();
        out.suggestions = store::contacts_matching(conn, user, dialog.client_id, &phones, &emails)?;
    }
    Ok(out)
}

/// Opening the connections block. Seed case 4b: when the client's records all belong
/// to other managers and the user's role views only its own, a lead of the user's own
/// is created for the client, with a system note. Returns the event position if so.
pub fn open(conn: &Connection, user: &CurrentUser, dialog: &DialogSummary) -> AppResult<Option<Seq>> {
    let rows = store::linked(conn, dialog.client_id)?;
    let sights: Vec<LinkedRecord> = rows.iter().map(|r| sight(user, r)).collect();
    let due = sights.contains(&LinkedRecord::CreateOwnLead) && !sights.contains(&LinkedRecord::Show);
    if !due || !user.access.can_create_lead() {
        return Ok(None);
    }
    let owner = Some(user.user.name.clone());
    let notice = Notice::RecordCreated { entity: Entity::Lead, name: Some(dialog.client_name.clone()), owner };
    // It opens this chat to the user, not the client's chats other managers work on.
    lead_from_client(conn, user, dialog, notice, true).map(Some)
}

/// A lead from the chat's client (their name; source = the channel they wrote from),
/// responsible: `user`, linked to the client (to this chat only when `this_chat_only`),
/// announced in the chat with `notice`.
fn lead_from_client(
    conn: &Connection,
    user: &CurrentUser,
    dialog: &DialogSummary,
    notice: Notice,
    this_chat_only: bool,
) -> AppResult<Seq> {
    let source = dialog.channel_kind.with_channel(&dialog.channel_name);
    let fields = RecordFields { name: dialog.client_name.clone(), source, ..Default::default() };
    let input = RecordInput { fields, responsible: Some(user.id()) };
    let id = store::create(conn, user, Entity::Lead, input, None)?;
    store::link(conn, id, dialog.client_id, this_chat_only.then_some(dialog.id))?;
    dialogs::announce_record(conn, dialog.id, notice, RecordRef::to(Entity::Lead, id))
}

/// Create lead: a lead from the client (name, source = channel), linked to them.
pub fn create_lead(conn: &Connection, user: &CurrentUser, dialog: &DialogSummary) -> AppResult<Seq> {
    require_writer(conn, dialog, user)?;
    store::require_create(user, Entity::Lead)?;
    let rows = store::linked(conn, dialog.client_id)?;
    if rows.iter().any(|r| matches!(r.brief.entity, Entity::Lead | Entity::Contact)) {
        return Err(AppError::Conflict("This client already has a lead or contact in the CRM.".into()));
    }
    let notice = Notice::RecordCreated { entity: Entity::Lead, name: Some(dialog.client_name.clone()), owner: None };
    lead_from_client(conn, user, dialog, notice, false)
}

/// Create deal from the quick form, linked to the client.
pub fn create_deal(conn: &Connection, user: &CurrentUser, dialog: &DialogSummary, deal: NewDeal) -> AppResult<Seq> {
    require_writer(conn, dialog, user)?;
    let fields = RecordFields {
        name: deal.title,
        amount: deal.amount,
        stage: Some(deal.stage),
        contact: deal.contact,
        company: deal.company,
        ..Default::default()
    };
    let id =
        store::create(conn, user, Entity::Deal, RecordInput { fields, responsible: None }, Some(dialog.client_id))?;
    let title = store::visible(conn, user, Entity::Deal, id).map(|d| d.fields.name).unwrap_or_default();
    let notice = Notice::RecordCreated { entity: Entity::Deal, name: Some(title), owner: None };
    dialogs::announce_record(conn, dialog.id, notice, RecordRef::to(Entity::Deal, id))
}

/// Links an existing contact (or company) the user may see to the chat's client,
/// instead of keeping a duplicate.
pub fn link(conn: &Connection, user: &CurrentUser, dialog: &DialogSummary, body: LinkRecord) -> AppResult<Seq> {
    require_writer(conn, dialog, user)?;
    let record = [Entity::Contact, Entity::Company]
        .into_iter()
        .find_map(|entity| store::visible(conn, user, entity, body.id).ok())
        .ok_or_else(|| store::not_found(Entity::Contact))?;
    store::link(conn, record.id, dialog.client_id, None)?;
    let notice = Notice::RecordLinked { entity: record.entity, name: Some(record.fields.name.clone()) };
    dialogs::announce_record(conn, dialog.id, notice, RecordRef::to(record.entity, record.id))
}
