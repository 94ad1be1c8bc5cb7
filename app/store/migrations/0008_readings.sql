-- 0008: how names are read (furigana), for sorting and search. Never edit
-- a shipped migration; add a new file instead.
--
-- first_reading and last_reading (姓・名の読み) and a company's
-- name_reading (会社名の読み) are what people typed. sort_name becomes the
-- key of package app/kana (by reading in gojūon order, then Latin names,
-- then names without a reading) and sort_initial the row of the 50-on
-- index (あ か さ … A–Z #) the name is filed under; both are derived by Go.
-- The store computes them again for every row when the ordering changes
-- (the setting sort_keys names the version), which is how rows written
-- before this migration get them.
--
-- The change-tracking triggers of 0005 fired on any UPDATE, so computing
-- derived keys again would have marked every record as changed for Desk.
-- They now fire when a column a person or sync writes is set.

ALTER TABLE contacts ADD COLUMN first_reading TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN last_reading  TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN sort_initial  TEXT NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN name_reading TEXT NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN sort_initial TEXT NOT NULL DEFAULT '';

DROP TRIGGER contacts_changed_update;
CREATE TRIGGER contacts_changed_update
AFTER UPDATE OF first_name, last_name, first_reading, last_reading, email, phone, mobile, title,
    company_id, notes, custom, rev ON contacts
BEGIN
    DELETE FROM crm_changes WHERE kind = 'contact' AND crm_id = new.id;
    INSERT INTO crm_changes (kind, crm_id) VALUES ('contact', new.id);
END;

DROP TRIGGER companies_changed_update;
CREATE TRIGGER companies_changed_update
AFTER UPDATE OF name, name_reading, email, website, phone, industry, city, country, notes, custom, rev ON companies
BEGIN
    DELETE FROM crm_changes WHERE kind = 'company' AND crm_id = new.id;
    INSERT INTO crm_changes (kind, crm_id) VALUES ('company', new.id);
END;
