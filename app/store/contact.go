package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tandem-crm/tandem/app"
)

const contactCols = `c.id, c.first_name, c.last_name, c.first_reading, c.last_reading, c.email, c.phone, c.mobile, c.title,
	coalesce(c.company_id, 0), coalesce(co.name, ''), c.notes, c.custom, c.created_at, c.updated_at, c.rev`

const contactFrom = ` FROM contacts c LEFT JOIN companies co ON co.id = c.company_id`

const insertContactSQL = `INSERT INTO contacts (first_name, last_name, first_reading, last_reading, email, email_norm,
	phone, mobile, title, company_id, notes, custom, sort_name, sort_initial, search_extra, created_at, updated_at, rev)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`

// msgChanged is the ECONFLICT message of a stale update.
const msgChanged = "%s was changed elsewhere. Reload it and make your changes again."

func scanContact(sc interface{ Scan(...any) error }, c *app.Contact) error {
	var custom string
	var created, updated int64
	if err := sc.Scan(&c.ID, &c.FirstName, &c.LastName, &c.FirstNameReading, &c.LastNameReading, &c.Email, &c.Phone, &c.Mobile, &c.Title,
		&c.CompanyID, &c.CompanyName, &c.Notes, &custom, &created, &updated, &c.Rev); err != nil {
		return err
	}
	c.CreatedAt, c.UpdatedAt = fromDB(created), fromDB(updated)
	m, err := decodeCustom(custom)
	if err != nil {
		return fmt.Errorf("contact %d: custom fields: %w", c.ID, err)
	}
	c.Custom = m
	return nil
}

// nullID stores 0 as NULL for optional references.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// contactArgs returns the insert arguments for c (see insertContactSQL).
func contactArgs(c *app.Contact, now int64) []any {
	return []any{c.FirstName, c.LastName, c.FirstNameReading, c.LastNameReading, c.Email, app.NormalizeEmail(c.Email),
		c.Phone, c.Mobile, c.Title, nullID(c.CompanyID), c.Notes, encodeCustom(c.Custom), contactSortKey(c), contactInitial(c),
		contactExtra(c), now, now}
}

// FindContact returns the contact with id, or ENOTFOUND.
func (db *DB) FindContact(ctx context.Context, id int64) (*app.Contact, error) {
	var c app.Contact
	err := scanContact(db.read.QueryRowContext(ctx, "SELECT "+contactCols+contactFrom+" WHERE c.id = ?", id), &c)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: find contact: %w", notFound("Contact"))
	}
	if err != nil {
		return nil, fmt.Errorf("store: find contact: %w", translate(err))
	}
	return &c, nil
}

// contactWhere builds the WHERE clause of f. ok is false when the query
// has nothing searchable, so nothing can match.
func contactWhere(f app.ContactFilter) (where string, args []any, ok bool) {
	var conds []string
	if f.Query != "" {
		q := ftsQuery(f.Query)
		if q == "" {
			return "", nil, false
		}
		conds = append(conds, "c.search_key IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?)")
		args = append(args, q)
	}
	if f.CompanyID != 0 {
		conds = append(conds, "c.company_id = ?")
		args = append(args, f.CompanyID)
	}
	if f.Email != "" {
		conds = append(conds, "c.email_norm = ? AND c.email_norm <> ''")
		args = append(args, app.NormalizeEmail(f.Email))
	}
	if len(conds) == 0 {
		return "", nil, true
	}
	return " WHERE " + strings.Join(conds, " AND "), args, true
}

func orderBy(sort, alias string) (string, error) {
	switch sort {
	case "", app.SortByName:
		return " ORDER BY " + alias + ".sort_name, " + alias + ".id", nil
	case app.SortByUpdated:
		return " ORDER BY " + alias + ".updated_at DESC, " + alias + ".id DESC", nil
	}
	return "", fieldError("Sort", "Unknown sort order")
}

// searchByNameSQL is a page of a search sorted by name: the matches' first
// rows in contacts_fts, whose rowids are the contacts' search keys.
const searchByNameSQL = "SELECT " + contactCols +
	" FROM (SELECT rowid AS k FROM contacts_fts WHERE contacts_fts MATCH ? ORDER BY rowid LIMIT ? OFFSET ?) AS p" +
	" JOIN contacts c ON c.search_key = p.k LEFT JOIN companies co ON co.id = c.company_id ORDER BY p.k"

// ListContacts returns one page of the contacts f selects, ordered by name
// (family name first) or by most recent update. A Query is matched as a
// prefix of any word of the name, email, phone or company name; Japanese
// text also matches inside words.
func (db *DB) ListContacts(ctx context.Context, f app.ContactFilter) ([]app.Contact, error) {
	where, args, ok := contactWhere(f)
	if !ok {
		return []app.Contact{}, nil
	}
	order, err := orderBy(f.Sort, "c")
	if err != nil {
		return nil, fmt.Errorf("store: list contacts: %w", err)
	}
	offset, limit := page(f.Offset, f.Limit)
	if f.Query != "" && f.CompanyID == 0 && f.Email == "" && (f.Sort == "" || f.Sort == app.SortByName) {
		// contacts_fts numbers its rows by search key, which grows in
		// this order: the page is the matches' first rows, and FTS5
		// reads no further (migration 0018).
		return db.listContacts(ctx, searchByNameSQL, limit, append(args, limit, offset)...)
	}
	from := " FROM contacts c"
	if f.Query != "" && f.CompanyID == 0 && f.Email == "" && offset+limit <= denseMaxRows {
		dense, err := db.denseMatch(ctx, "contacts_fts", args[0])
		if err != nil {
			return nil, fmt.Errorf("store: list contacts: %w", translate(err))
		}
		if dense {
			from += " INDEXED BY " + sortIndex(f.Sort, "contacts")
		}
	}
	// The page's ids come from the covering sort index alone, so skipping
	// Offset rows never reads the rows (or notes) it skips.
	query := "SELECT " + contactCols +
		" FROM (SELECT c.id" + from + where + order + " LIMIT ? OFFSET ?) AS p" +
		" JOIN contacts c ON c.id = p.id LEFT JOIN companies co ON co.id = c.company_id" + order
	return db.listContacts(ctx, query, limit, append(args, limit, offset)...)
}

// listContacts runs a ListContacts query of at most limit contacts.
func (db *DB) listContacts(ctx context.Context, query string, limit int, args ...any) ([]app.Contact, error) {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list contacts: %w", translate(err))
	}
	defer rows.Close()
	out := make([]app.Contact, 0, limit)
	for rows.Next() {
		var c app.Contact
		if err := scanContact(rows, &c); err != nil {
			return nil, fmt.Errorf("store: list contacts: %w", translate(err))
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list contacts: %w", translate(err))
	}
	return out, nil
}

// CountContacts returns how many contacts f selects (Offset and Limit are
// ignored).
func (db *DB) CountContacts(ctx context.Context, f app.ContactFilter) (int, error) {
	where, args, ok := contactWhere(f)
	if !ok {
		return 0, nil
	}
	query := "SELECT count(*) FROM contacts c" + where
	if f.Query != "" && f.CompanyID == 0 && f.Email == "" {
		query = "SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH ?"
	}
	var n int
	if err := db.read.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count contacts: %w", translate(err))
	}
	return n, nil
}

// checkCompany returns EINVALID when id is set but names no company.
func checkCompany(ctx context.Context, tx *sql.Tx, id int64) error {
	if id == 0 {
		return nil
	}
	var one int
	err := tx.QueryRowContext(ctx, "SELECT 1 FROM companies WHERE id = ?", id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fieldError("CompanyID", "The company no longer exists")
	}
	return err
}

func companyName(ctx context.Context, tx *sql.Tx, id int64) (string, error) {
	if id == 0 {
		return "", nil
	}
	var name string
	err := tx.QueryRowContext(ctx, "SELECT name FROM companies WHERE id = ?", id).Scan(&name)
	return name, err
}

// CreateContact validates c (EINVALID with *app.ValidationError), inserts it
// and sets its ID, times, Rev and CompanyName.
func (db *DB) CreateContact(ctx context.Context, c *app.Contact) error {
	c.Normalize()
	if err := c.Validate(); err != nil {
		return fmt.Errorf("store: create contact: %w", err)
	}
	now := db.now()
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		if err := checkCompany(ctx, tx, c.CompanyID); err != nil {
			return err
		}
		var res sql.Result
		err := keyed(ctx, tx, func() (err error) {
			res, err = tx.ExecContext(ctx, insertContactSQL, contactArgs(c, toDB(now))...)
			return err
		})
		if err != nil {
			return err
		}
		if c.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		c.CompanyName, err = companyName(ctx, tx, c.CompanyID)
		return err
	})
	if err != nil {
		c.ID = 0
		return fmt.Errorf("store: create contact: %w", err)
	}
	c.CreatedAt, c.UpdatedAt, c.Rev = now, now, 1
	return nil
}

// UpdateContact saves c when c.Rev is still the stored revision, then bumps
// Rev and UpdatedAt. It returns ENOTFOUND, EINVALID, or ECONFLICT when the
// contact was changed elsewhere since it was read.
func (db *DB) UpdateContact(ctx context.Context, c *app.Contact) error {
	c.Normalize()
	if err := c.Validate(); err != nil {
		return fmt.Errorf("store: update contact: %w", err)
	}
	now := db.now()
	var company string
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		if err := checkCompany(ctx, tx, c.CompanyID); err != nil {
			return err
		}
		if err := updateContactTx(ctx, tx, c, now); err != nil {
			return err
		}
		var err error
		company, err = companyName(ctx, tx, c.CompanyID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: update contact: %w", err)
	}
	c.UpdatedAt, c.CompanyName = now, company
	return nil
}

// updateContactTx saves c inside tx when c.Rev is current, and sets its Rev
// and CreatedAt from the row; ENOTFOUND or ECONFLICT otherwise.
func updateContactTx(ctx context.Context, tx *sql.Tx, c *app.Contact, now time.Time) error {
	var created int64
	err := keyed(ctx, tx, func() error {
		return updateContactRow(ctx, tx, c, now, &created)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return staleOrMissing(ctx, tx, "contacts", c.ID, "Contact")
	}
	if err == nil {
		c.CreatedAt = fromDB(created)
	}
	return err
}

// updateContactRow is updateContactTx's statement: it sets c.Rev and
// created from the updated row, or returns sql.ErrNoRows.
func updateContactRow(ctx context.Context, tx *sql.Tx, c *app.Contact, now time.Time, created *int64) error {
	return tx.QueryRowContext(ctx, `UPDATE contacts SET first_name = ?, last_name = ?, first_reading = ?, last_reading = ?,
		email = ?, email_norm = ?, phone = ?, mobile = ?, title = ?, company_id = ?, notes = ?, custom = ?,
		sort_name = ?, sort_initial = ?, search_extra = ?, updated_at = ?, rev = rev + 1
		WHERE id = ? AND rev = ?
		RETURNING rev, created_at`,
		c.FirstName, c.LastName, c.FirstNameReading, c.LastNameReading, c.Email, app.NormalizeEmail(c.Email),
		c.Phone, c.Mobile, c.Title, nullID(c.CompanyID), c.Notes, encodeCustom(c.Custom), contactSortKey(c), contactInitial(c),
		contactExtra(c), toDB(now), c.ID, c.Rev,
	).Scan(&c.Rev, created)
}

// staleOrMissing explains why an UPDATE ... WHERE id = ? AND rev = ?
// matched nothing: the row is gone (ENOTFOUND) or its rev moved on (ECONFLICT).
func staleOrMissing(ctx context.Context, tx *sql.Tx, table string, id int64, kind string) error {
	var rev int64
	err := tx.QueryRowContext(ctx, "SELECT rev FROM "+table+" WHERE id = ?", id).Scan(&rev)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound(kind)
	}
	if err != nil {
		return err
	}
	return app.Errorf(app.ECONFLICT, msgChanged, "This "+strings.ToLower(kind))
}

// deleteRow deletes one row by id and returns ENOTFOUND when there was none.
func deleteRow(ctx context.Context, tx *sql.Tx, table string, id int64, kind string) error {
	res, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE id = ?", id)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound(kind)
	}
	return nil
}

// DeleteContact deletes a contact and its links to pipeline records; it
// returns ENOTFOUND when there is no such contact.
func (db *DB) DeleteContact(ctx context.Context, id int64) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		return deleteRow(ctx, tx, "contacts", id, "Contact")
	})
	if err != nil {
		return fmt.Errorf("store: delete contact: %w", err)
	}
	return nil
}

// MergeContacts folds contact dropID into keepID in one transaction: every
// empty field of keep (and each custom field keep lacks) is filled from
// drop, drop's pipeline links move to keep (a record linked to both keeps
// one link, primary if either was), and drop is deleted. It returns
// ENOTFOUND when either is missing and EINVALID when they are the same.
func (db *DB) MergeContacts(ctx context.Context, keepID, dropID int64) error {
	if keepID == dropID {
		return fmt.Errorf("store: merge contacts: %w", app.Errorf(app.EINVALID, "A contact cannot be merged with itself."))
	}
	now := db.now()
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var keep, drop app.Contact
		for _, p := range []struct {
			id int64
			c  *app.Contact
		}{{keepID, &keep}, {dropID, &drop}} {
			err := scanContact(tx.QueryRowContext(ctx, "SELECT "+contactCols+contactFrom+" WHERE c.id = ?", p.id), p.c)
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("Contact")
			}
			if err != nil {
				return err
			}
		}
		fill := func(dst *string, src string) {
			if strings.TrimSpace(*dst) == "" {
				*dst = src
			}
		}
		fill(&keep.FirstName, drop.FirstName)
		fill(&keep.LastName, drop.LastName)
		fill(&keep.FirstNameReading, drop.FirstNameReading)
		fill(&keep.LastNameReading, drop.LastNameReading)
		fill(&keep.Email, drop.Email)
		fill(&keep.Phone, drop.Phone)
		fill(&keep.Mobile, drop.Mobile)
		fill(&keep.Title, drop.Title)
		fill(&keep.Notes, drop.Notes)
		if keep.CompanyID == 0 {
			keep.CompanyID = drop.CompanyID
		}
		for k, v := range drop.Custom {
			if keep.Custom == nil {
				keep.Custom = map[string]string{}
			}
			if keep.Custom[k] == "" {
				keep.Custom[k] = v
			}
		}

		// Move the links: remember drop's, delete them (which frees the
		// record's one primary slot), then add each to keep.
		type link struct {
			record  int64
			primary bool
		}
		var links []link
		rows, err := tx.QueryContext(ctx, "SELECT record_id, is_primary FROM pipeline_record_contacts WHERE contact_id = ?", dropID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var l link
			if err := rows.Scan(&l.record, &l.primary); err != nil {
				rows.Close()
				return err
			}
			links = append(links, l)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		if _, err := tx.ExecContext(ctx, "DELETE FROM pipeline_record_contacts WHERE contact_id = ?", dropID); err != nil {
			return err
		}
		for _, l := range links {
			if _, err := tx.ExecContext(ctx, `INSERT INTO pipeline_record_contacts (record_id, contact_id, is_primary)
				VALUES (?, ?, ?) ON CONFLICT (record_id, contact_id) DO UPDATE SET is_primary = max(is_primary, excluded.is_primary)`,
				l.record, keepID, l.primary); err != nil {
				return err
			}
		}

		if _, err := tx.ExecContext(ctx, "DELETE FROM contacts WHERE id = ?", dropID); err != nil {
			return err
		}
		return updateContactTx(ctx, tx, &keep, now) // keep was read in this transaction: its rev is current
	})
	if err != nil {
		return fmt.Errorf("store: merge contacts: %w", err)
	}
	return nil
}

// Search plans (for a contact search sorted by update: one sorted by name
// reads contacts_fts in key order instead). A prefix query
// that matches few rows is fastest as "find the matches, then sort them";
// one that matches thousands ("ma" in 100k contacts) is fastest as "walk
// the sort index and keep the matches", which stops after one page.
// denseMatch tells the two apart at a bounded cost.
const (
	denseMatches = 2000 // from this many matches, walk the sort index
	denseMaxRows = 1000 // ...but only for pages near the start of the list
)

// denseMatch reports whether the FTS query matches at least denseMatches rows.
func (db *DB) denseMatch(ctx context.Context, table string, query any) (bool, error) {
	var n int
	err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM (SELECT 1 FROM "+table+" WHERE "+table+
		" MATCH ? LIMIT "+fmt.Sprint(denseMatches)+")", query).Scan(&n)
	return n >= denseMatches, err
}

// sortIndex names the index that serves a sort order of table.
func sortIndex(sort, table string) string {
	if sort == app.SortByUpdated {
		return table + "_updated_at"
	}
	return table + "_sort_name"
}
