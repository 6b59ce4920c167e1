-- The CRM: leads, contacts, companies and deals in one table (they share most fields
-- and every list, search and permission check).
CREATE TABLE crm_records (
    id             INTEGER PRIMARY KEY,
    entity         TEXT NOT NULL CHECK (entity IN ('lead', 'contact', 'company', 'deal')),
    name           TEXT NOT NULL,
    phone          TEXT NOT NULL DEFAULT '',
    email          TEXT NOT NULL DEFAULT '',
    source         TEXT NOT NULL DEFAULT '',
    amount         INTEGER,
    stage          TEXT,
    contact_id     INTEGER REFERENCES crm_records(id),
    company_id     INTEGER REFERENCES crm_records(id),
    -- The lead a contact or company was converted from.
    from_lead_id   INTEGER REFERENCES crm_records(id),
    converted      INTEGER NOT NULL DEFAULT 0 CHECK (converted IN (0, 1)),
    responsible_id INTEGER NOT NULL REFERENCES users(id),
    created_by     INTEGER REFERENCES users(id),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX crm_records_list ON crm_records(entity, updated_at DESC);
CREATE INDEX crm_records_responsible ON crm_records(entity, responsible_id);
CREATE INDEX crm_records_phone ON crm_records(phone) WHERE phone != '';
CREATE INDEX crm_records_email ON crm_records(email COLLATE NOCASE) WHERE email != '';
CREATE INDEX crm_records_from_lead ON crm_records(from_lead_id) WHERE from_lead_id IS NOT NULL;

-- Which clients (people writing from messengers) a record belongs to. A client keeps
-- their records when they write from another channel: the new dialog shows them.
CREATE TABLE crm_links (
    record_id  INTEGER NOT NULL REFERENCES crm_records(id),
    client_id  INTEGER NOT NULL REFERENCES clients(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (record_id, client_id)
) WITHOUT ROWID;
CREATE INDEX crm_links_client ON crm_links(client_id);

-- The record a system message announces.
ALTER TABLE messages ADD COLUMN record_id INTEGER REFERENCES crm_records(id);
