//! SQL for CRM records and their links to clients. Every read goes through the
//! caller's rights: a record the user may not see is "not found", exactly like one
//! that does not exist, so ids cannot be probed.

use crate::auth::store::CurrentUser;
use crate::db::now_ms;
use crate::dialogs::store as dialogs;
use crate::error::{AppError, AppResult};
use crate::sql::ToSql;
use crate::sql::{params, Connection, OptionalExtension, Row};
use el_protocol::api::{ChannelKind, DialogSummary};
use el_protocol::crm::{
    may_view, validate, DealStage, Entity, LinesAccount, ListQuery, Record, RecordBrief, RecordFields, RecordInput,
    RecordList, RecordRef, SortKey,
};
use el_protocol::inbox::may_open;
use el_protocol::notices::Notice;
use el_protocol::permissions::ViewScope;
use el_protocol::{ClientId, DialogId, RecordId, Seq, UserId};

const RECORD_SELECT: &str = "SELECT id, entity, name, phone, email, source, amount, stage, contact_id, company_id,
       converted, responsible_id, created_at, updated_at FROM crm_records";

fn record_from_row(r: &Row) -> crate::sql::Result<Record> {
    let entity: String = r.get(1)?;
    let stage: Option<String> = r.get(7)?;
    Ok(Record {
        entity: Entity::parse(&entity).unwrap_or(Entity::Lead),
        id: RecordId(r.get(0)?),
        fields: RecordFields {
            name: r.get(2)?,
            phone: r.get(3)?,
            email: r.get(4)?,
            source: r.get(5)?,
            amount: r.get(6)?,
            stage: stage.as_deref().and_then(DealStage::parse),
            contact: r.get::<_, Option<i64>>(8)?.map(RecordId),
            company: r.get::<_, Option<i64>>(9)?.map(RecordId),
        },
        responsible: UserId(r.get(11)?),
        converted: r.get(10)?,
        related: Vec::new(),
        lines: Vec::new(),
        created_at: r.get(12)?,
        updated_at: r.get(13)?,
    })
}

/// A record as stored, whoever asks.
fn load(conn: &Connection, id: RecordId) -> AppResult<Option<Record>> {
    Ok(conn.query_row(&format!("{RECORD_SELECT} WHERE id = ?1"), [id.0], record_from_row).optional()?)
}

/// A record's own fields, without related records or accounts, whoever asks: only for
/// answering its author.
pub fn bare(conn: &Connection, id: RecordId) -> AppResult<Record> {
    load(conn, id)?.ok_or_else(|| AppError::Internal(format!("record {id} missing")))
}

/// The answer for a record the user may not see, or that does not exist.
pub fn not_found(entity: Entity) -> AppError {
    AppError::NotFound(format!("This {} does not exist or you have no access to it.", entity.label().to_lowercase()))
}

/// The record of `entity` with `id`, if `user` may see it (bare: without related
/// records and accounts).
pub fn visible(conn: &Connection, user: &CurrentUser, entity: Entity, id: RecordId) -> AppResult<Record> {
    load(conn, id)?
        .filter(|r| r.entity == entity && may_view(&user.access, entity, r.responsible, user.id()))
        .ok_or_else(|| not_found(entity))
}

/// The record's card for `user`: with the related records they may see and the
/// External lines field.
pub fn card(conn: &Connection, user: &CurrentUser, entity: Entity, id: RecordId) -> AppResult<Record> {
    let mut record = visible(conn, user, entity, id)?;
    let mut related: Vec<RecordId> = record.fields.contact.into_iter().chain(record.fields.company).collect();
    // The lead it came from, and the records a lead became.
    let mut stmt = conn.prepare_cached(
        "SELECT from_lead_id FROM crm_records WHERE id = ?1 AND from_lead_id IS NOT NULL
         UNION ALL SELECT id FROM crm_records WHERE from_lead_id = ?1",
    )?;
    let family: Vec<i64> = stmt.query_map([id.0], |r| r.get(0))?.collect::<Result<_, _>>()?;
    related.extend(family.into_iter().map(RecordId));
    for other in related {
        if let Some(r) = load(conn, other)?.filter(|r| may_view(&user.access, r.entity, r.responsible, user.id())) {
            record.related.push(r.brief());
        }
    }
    record.lines = lines(conn, id)?;
    Ok(record)
}

/// The External lines field: the linked clients' accounts, each with its newest dialog.
fn lines(conn: &Connection, record: RecordId) -> AppResult<Vec<LinesAccount>> {
    let mut stmt = conn.prepare_cached(
        "SELECT ch.kind, ch.name, COALESCE(a.display_name, c.name), d.id, d.last_activity_at
         FROM crm_links k
         JOIN clients c ON c.id = k.client_id
         JOIN client_accounts a ON a.client_id = c.id
         JOIN channels ch ON ch.id = a.channel_id
         JOIN dialogs d ON d.id = (SELECT MAX(id) FROM dialogs WHERE account_id = a.id)
         WHERE k.record_id = ?1 AND (k.only_dialog_id IS NULL OR k.only_dialog_id = d.id)
         ORDER BY d.last_activity_at DESC, d.id DESC",
    )?;
    let rows = stmt.query_map([record.0], |r| {
        Ok(LinesAccount {
            channel_kind: ChannelKind::parse(&r.get::<_, String>(0)?).unwrap_or(ChannelKind::Widget),
            channel_name: r.get(1)?,
            account: r.get(2)?,
            dialog_id: DialogId(r.get(3)?),
            last_activity_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Refuses users whose role cannot view any record of `entity`.
fn require_view(user: &CurrentUser, entity: Entity) -> AppResult<()> {
    if entity.rights(&user.access).view == ViewScope::None {
        return Err(AppError::Forbidden(format!(
            "Your role does not let you view {}.",
            entity.plural_label().to_lowercase()
        )));
    }
    Ok(())
}

/// Refuses users whose role cannot create records of `entity`.
pub fn require_create(user: &CurrentUser, entity: Entity) -> AppResult<()> {
    if !entity.rights(&user.access).create {
        return Err(AppError::Forbidden(format!(
            "Your role does not let you create {}.",
            entity.plural_label().to_lowercase()
        )));
    }
    Ok(())
}

/// The longest search text: longer than any name, phone or e-mail address.
const MAX_SEARCH_CHARS: usize = 200;

/// Escapes `%`, `_` and `\` for a LIKE pattern.
fn like_pattern(q: &str) -> String {
    let mut out = String::from("%");
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// One page of the records of `entity` the user may see, matching the search.
pub fn list(conn: &Connection, user: &CurrentUser, entity: Entity, query: &ListQuery) -> AppResult<RecordList> {
    require_view(user, entity)?;
    let own = entity.rights(&user.access).view == ViewScope::Own;
    let q = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if q.is_some_and(|q| q.chars().count() > MAX_SEARCH_CHARS) {
        return Err(AppError::BadRequest(format!("The search is too long: at most {MAX_SEARCH_CHARS} characters.")));
    }
    let q = q.map(like_pattern);
    let filter = "entity = ?1 AND (?2 = 0 OR responsible_id = ?3)
        AND (CAST(?4 AS TEXT) IS NULL OR name LIKE ?4 ESCAPE '\\' OR phone LIKE ?4 ESCAPE '\\' OR email LIKE ?4 ESCAPE '\\')";
    let order = match query.sort.unwrap_or_default() {
        SortKey::Name => "name COLLATE NOCASE",
        SortKey::Created => "created_at",
        SortKey::Updated => "updated_at",
    };
    let dir = if query.descending() { "DESC" } else { "ASC" };
    let args = params![entity.as_str(), own, user.id().0, q];
    let total: i64 = conn.query_row(&format!("SELECT COUNT(*) FROM crm_records WHERE {filter}"), args, |r| r.get(0))?;
    let sql = format!("{RECORD_SELECT} WHERE {filter} ORDER BY {order} {dir}, id {dir} LIMIT ?5 OFFSET ?6");
    let mut stmt = conn.prepare_cached(&sql)?;
    let limit = query.limit() as i64;
    let offset = query.offset.unwrap_or(0).min(i64::MAX as usize) as i64;
    let rows = stmt.query_map(params![entity.as_str(), own, user.id().0, q, limit, offset], record_from_row)?;
    let mut records: Vec<Record> = rows.collect::<Result<_, _>>()?;
    for r in &mut records {
        r.lines = lines(conn, r.id)?;
    }
    Ok(RecordList { records, total: total as usize })
}

/// Refuses a responsible user who does not exist.
fn require_user(conn: &Connection, user: UserId) -> AppResult<()> {
    let found = conn.query_row("SELECT 1 FROM users WHERE id = ?1", [user.0], |_| Ok(())).optional()?;
    found.ok_or_else(|| AppError::BadRequest("The responsible user does not exist.".into()))
}

/// Checks the fields and what they point at: the contact and company of a deal or
/// contact must be records of that kind the user may see.
fn checked_fields(
    conn: &Connection,
    user: &CurrentUser,
    entity: Entity,
    fields: RecordFields,
) -> AppResult<RecordFields> {
    let fields = validate(entity, fields).map_err(AppError::BadRequest)?;
    for (id, kind) in [(fields.contact, Entity::Contact), (fields.company, Entity::Company)] {
        if let Some(id) = id {
            visible(conn, user, kind, id)
                .map_err(|_| AppError::BadRequest(format!("Choose a {} you can see.", kind.label().to_lowercase())))?;
        }
    }
    Ok(fields)
}

/// Creates a record (checked against the user's rights), linked to `client` when given.
pub fn create(
    conn: &Connection,
    user: &CurrentUser,
    entity: Entity,
    input: RecordInput,
    client: Option<ClientId>,
) -> AppResult<RecordId> {
    require_create(user, entity)?;
    let fields = checked_fields(conn, user, entity, input.fields)?;
    let responsible = input.responsible.unwrap_or(user.id());
    require_user(conn, responsible)?;
    let id = insert(conn, entity, &fields, responsible, Some(user.id()), None)?;
    if let Some(client) = client {
        link(conn, id, client, None)?;
    }
    Ok(id)
}

/// A record's editable fields and responsible user in their column forms.
struct FieldColumns<'a> {
    f: &'a RecordFields,
    stage: Option<&'static str>,
    contact: Option<i64>,
    company: Option<i64>,
    responsible: i64,
    now: i64,
}

impl<'a> FieldColumns<'a> {
    fn of(f: &'a RecordFields, responsible: UserId) -> Self {
        FieldColumns {
            f,
            stage: f.stage.map(DealStage::as_str),
            contact: f.contact.map(|c| c.0),
            company: f.company.map(|c| c.0),
            responsible: responsible.0,
            now: now_ms(),
        }
    }

    /// The columns as named parameters (`:name`, `:phone`..., `:responsible`, `:now`).
    fn params(&self) -> Vec<(&'static str, &dyn ToSql)> {
        vec![
            (":name", &self.f.name),
            (":phone", &self.f.phone),
            (":email", &self.f.email),
            (":source", &self.f.source),
            (":amount", &self.f.amount),
            (":stage", &self.stage),
            (":contact", &self.contact),
            (":company", &self.company),
            (":responsible", &self.responsible),
            (":now", &self.now),
        ]
    }
}

fn insert(
    conn: &Connection,
    entity: Entity,
    f: &RecordFields,
    responsible: UserId,
    by: Option<UserId>,
    from_lead: Option<RecordId>,
) -> AppResult<RecordId> {
    let columns = FieldColumns::of(f, responsible);
    let (entity, by, from_lead) = (entity.as_str(), by.map(|u| u.0), from_lead.map(|l| l.0));
    let mut params = columns.params();
    params.extend([(":entity", &entity as &dyn ToSql), (":by", &by), (":from_lead", &from_lead)]);
    conn.execute(
        "INSERT INTO crm_records (entity, name, phone, email, source, amount, stage, contact_id, company_id,
                                  from_lead_id, responsible_id, created_by, created_at, updated_at)
         VALUES (:entity, :name, :phone, :email, :source, :amount, :stage, :contact, :company,
                 :from_lead, :responsible, :by, :now, :now)",
        params.as_slice(),
    )?;
    Ok(RecordId(conn.last_insert_rowid()?))
}

/// Links a record to a client (once), and logs the client's dialogs: who may open
/// them from a card changes.
pub fn link(conn: &Connection, record: RecordId, client: ClientId, only: Option<DialogId>) -> AppResult<()> {
    conn.execute(
        "INSERT INTO crm_links (record_id, client_id, created_at, only_dialog_id) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT DO NOTHING",
        params![record.0, client.0, now_ms(), only.map(|d| d.0)],
    )?;
    dialogs::log_dialogs_of_record(conn, record)?;
    Ok(())
}

/// Saves a card. Returns the event position when dialogs changed (a new responsible
/// changes who may open them).
pub fn update(
    conn: &Connection,
    user: &CurrentUser,
    entity: Entity,
    id: RecordId,
    input: RecordInput,
) -> AppResult<Option<Seq>> {
    let before = visible(conn, user, entity, id)?;
    let f = checked_fields(conn, user, entity, input.fields)?;
    if f.contact == Some(id) || f.company == Some(id) {
        return Err(AppError::BadRequest("A record cannot point at itself.".into()));
    }
    let responsible = input.responsible.unwrap_or(before.responsible);
    require_user(conn, responsible)?;
    let columns = FieldColumns::of(&f, responsible);
    let mut params = columns.params();
    params.push((":id", &id.0));
    conn.execute(
        "UPDATE crm_records SET name = :name, phone = :phone, email = :email, source = :source, amount = :amount,
                stage = :stage, contact_id = :contact, company_id = :company, responsible_id = :responsible,
                updated_at = :now
         WHERE id = :id",
        params.as_slice(),
    )?;
    if responsible != before.responsible {
        return dialogs::log_dialogs_of_record(conn, id);
    }
    Ok(None)
}

/// Converts a lead into a contact and/or a company with its name, phone and email; they
/// keep the lead's responsible user and clients, and every chat of those clients gets
/// a system note. Returns the new records and the last event position.
pub fn convert(
    conn: &Connection,
    user: &CurrentUser,
    lead: RecordId,
    contact: bool,
    company: bool,
) -> AppResult<(Vec<RecordBrief>, Option<Seq>)> {
    let source = visible(conn, user, Entity::Lead, lead)?;
    if source.converted {
        return Err(AppError::Conflict("This lead has already been converted.".into()));
    }
    if !contact && !company {
        return Err(AppError::BadRequest("Choose what the lead becomes: a contact, a company, or both.".into()));
    }
    let base = RecordFields {
        name: source.fields.name.clone(),
        phone: source.fields.phone.clone(),
        email: source.fields.email.clone(),
        ..Default::default()
    };
    let mut made = Vec::new();
    let mut company_id = None;
    if company {
        require_create(user, Entity::Company)?;
        let id = insert(conn, Entity::Company, &base, source.responsible, Some(user.id()), Some(lead))?;
        company_id = Some(id);
        made.push(RecordBrief { entity: Entity::Company, id, title: base.name.clone() });
    }
    if contact {
        require_create(user, Entity::Contact)?;
        let fields = RecordFields { company: company_id, ..base.clone() };
        let id = insert(conn, Entity::Contact, &fields, source.responsible, Some(user.id()), Some(lead))?;
        made.insert(0, RecordBrief { entity: Entity::Contact, id, title: base.name.clone() });
    }
    conn.execute("UPDATE crm_records SET converted = 1, updated_at = ?1 WHERE id = ?2", params![now_ms(), lead.0])?;
    let clients = clients_of(conn, lead)?;
    let mut seq = None;
    for brief in &made {
        for client in &clients {
            link(conn, brief.id, *client, None)?;
        }
        let notice = Notice::LeadConverted { entity: brief.entity, name: Some(brief.title.clone()) };
        for dialog in dialogs_of_clients(conn, &clients)? {
            seq = Some(dialogs::announce_record(conn, dialog, notice.clone(), RecordRef::to(brief.entity, brief.id))?);
        }
    }
    Ok((made, seq))
}

/// The clients a record is linked to.
fn clients_of(conn: &Connection, record: RecordId) -> AppResult<Vec<ClientId>> {
    let mut stmt = conn.prepare_cached("SELECT client_id FROM crm_links WHERE record_id = ?1 ORDER BY client_id")?;
    let rows = stmt.query_map([record.0], |r| Ok(ClientId(r.get(0)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every dialog of these clients, newest activity first.
fn dialogs_of_clients(conn: &Connection, clients: &[ClientId]) -> AppResult<Vec<DialogId>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.id FROM dialogs d JOIN client_accounts a ON a.id = d.account_id
         WHERE a.client_id = ?1 ORDER BY d.last_activity_at DESC, d.id DESC",
    )?;
    let mut out = Vec::new();
    for client in clients {
        let rows = stmt.query_map([client.0], |r| Ok(DialogId(r.get(0)?)))?;
        out.extend(rows.collect::<Result<Vec<_>, _>>()?);
    }
    Ok(out)
}

/// The dialog block of a card: the chats of the record's clients, newest first, each
/// with the last message the client or an operator wrote.
pub fn dialogs(conn: &Connection, user: &CurrentUser, entity: Entity, id: RecordId) -> AppResult<Vec<DialogSummary>> {
    visible(conn, user, entity, id)?;
    let mut out = Vec::new();
    for dialog in dialogs_of_clients(conn, &clients_of(conn, id)?)? {
        let summary = dialogs::summary(conn, dialog)?.filter(|d| may_open(d, user.id(), &user.access));
        if let Some(mut summary) = summary {
            summary.last_message = dialogs::last_said(conn, dialog)?;
            out.push(summary);
        }
    }
    out.sort_by_key(|d| std::cmp::Reverse((d.last_activity_at, d.id)));
    Ok(out)
}

/// A record linked to a client, with who is responsible for it.
pub struct LinkedRow {
    pub brief: RecordBrief,
    pub responsible: UserId,
    pub converted: bool,
    pub phone: String,
    pub email: String,
}

/// The records linked to a client, oldest first.
pub fn linked(conn: &Connection, client: ClientId) -> AppResult<Vec<LinkedRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, r.entity, r.name, r.responsible_id, r.converted, r.phone, r.email
         FROM crm_links k JOIN crm_records r ON r.id = k.record_id WHERE k.client_id = ?1 ORDER BY r.id",
    )?;
    let rows = stmt.query_map([client.0], |r| {
        Ok(LinkedRow {
            brief: RecordBrief {
                entity: Entity::parse(&r.get::<_, String>(1)?).unwrap_or(Entity::Lead),
                id: RecordId(r.get(0)?),
                title: r.get(2)?,
            },
            responsible: UserId(r.get(3)?),
            converted: r.get(4)?,
            phone: r.get(5)?,
            email: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Contacts the user may see with one of these phones or emails, not linked to `client`.
pub fn contacts_matching(
    conn: &Connection,
    user: &CurrentUser,
    client: ClientId,
    phones: &[String],
    emails: &[String],
) -> AppResult<Vec<RecordBrief>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, responsible_id FROM crm_records
         WHERE entity = 'contact' AND ((?1 != '' AND phone = ?1) OR (?2 != '' AND email = ?2 COLLATE NOCASE))
           AND id NOT IN (SELECT record_id FROM crm_links WHERE client_id = ?3)
         ORDER BY id LIMIT 5",
    )?;
    let mut out: Vec<RecordBrief> = Vec::new();
    let empty = String::new();
    let pairs = phones.iter().map(|p| (p, &empty)).chain(emails.iter().map(|e| (&empty, e)));
    for (phone, email) in pairs {
        let rows = stmt.query_map(params![phone, email, client.0], |r| {
            Ok((RecordId(r.get(0)?), r.get::<_, String>(1)?, UserId(r.get(2)?)))
        })?;
        for row in rows {
            let (id, title, responsible) = row?;
            if may_view(&user.access, Entity::Contact, responsible, user.id()) && !out.iter().any(|b| b.id == id) {
                out.push(RecordBrief { entity: Entity::Contact, id, title });
            }
        }
    }
    Ok(out)
}
