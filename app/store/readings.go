package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/kana"
)

// settingSortKeys names the ordering the stored sort keys were computed
// with (kana.Version); rekey computes them again when it changes.
const settingSortKeys = "sort_keys"

// rekey computes every contact's and company's sort key, index row and
// search tokens again when the ordering changed (or after the migration
// that added readings). It writes only the derived columns, which the
// change-tracking triggers ignore, so nothing is sent to Desk again; the
// search index is updated only for the rows whose tokens changed.
func (db *DB) rekey(ctx context.Context) error {
	want := kana.Version()
	if v, ok, err := db.Setting(ctx, settingSortKeys); err != nil {
		return err
	} else if ok && v == want {
		return nil
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		if err := rekeyContacts(ctx, tx); err != nil {
			return err
		}
		if err := rekeyCompanies(ctx, tx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			settingSortKeys, want)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: sort keys: %w", err)
	}
	return nil
}

func rekeyContacts(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, first_name, last_name, first_reading, last_reading, phone, mobile,
		sort_name, sort_initial, search_extra FROM contacts`)
	if err != nil {
		return err
	}
	type change struct {
		id                int64
		sort              []byte
		initial           string
		extra             string
		extraChanged, any bool
		moved             bool // a new sort key
	}
	var changes []change
	for rows.Next() {
		var c app.Contact
		var sortName, initial, extra string
		if err := rows.Scan(&c.ID, &c.FirstName, &c.LastName, &c.FirstNameReading, &c.LastNameReading, &c.Phone, &c.Mobile,
			&sortName, &initial, &extra); err != nil {
			rows.Close()
			return err
		}
		ch := change{id: c.ID, sort: contactSortKey(&c), initial: contactInitial(&c), extra: contactExtra(&c)}
		ch.extraChanged = ch.extra != extra
		ch.moved = string(ch.sort) != sortName
		ch.any = ch.extraChanged || ch.moved || ch.initial != initial
		if ch.any {
			changes = append(changes, ch)
		}
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return err
	}
	rows.Close()
	for _, ch := range changes {
		// A new sort key leaves the contact without a search key (and out
		// of the search index) until keyNewContacts below keys every
		// moved contact together: moved one at a time, many could crowd
		// into one gap between two keys.
		q := "UPDATE contacts SET sort_name = ?, sort_initial = ? WHERE id = ?"
		if ch.moved {
			q = "UPDATE contacts SET sort_name = ?, sort_initial = ?, search_key = NULL WHERE id = ?"
		}
		if _, err := tx.ExecContext(ctx, q, ch.sort, ch.initial, ch.id); err != nil {
			return err
		}
		if ch.extraChanged {
			if _, err := tx.ExecContext(ctx, "UPDATE contacts SET search_extra = ? WHERE id = ?", ch.extra, ch.id); err != nil {
				return err
			}
		}
	}
	return keyNewContacts(ctx, tx)
}

func rekeyCompanies(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, name, name_reading, city, phone, sort_name, sort_initial, name_extra, search_extra FROM companies`)
	if err != nil {
		return err
	}
	type change struct {
		id               int64
		sort             []byte
		initial          string
		nameExtra, extra string
		nameChanged      bool
	}
	var changes []change
	for rows.Next() {
		var c app.Company
		var sortName, initial, nameExtra, extra string
		if err := rows.Scan(&c.ID, &c.Name, &c.NameReading, &c.City, &c.Phone, &sortName, &initial, &nameExtra, &extra); err != nil {
			rows.Close()
			return err
		}
		ch := change{id: c.ID, sort: companySortKey(&c), initial: companyInitial(&c), nameExtra: companyNameExtra(&c), extra: companyExtra(c.City, c.Phone)}
		ch.nameChanged = ch.nameExtra != nameExtra || ch.extra != extra
		if ch.nameChanged || string(ch.sort) != sortName || ch.initial != initial {
			changes = append(changes, ch)
		}
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return err
	}
	rows.Close()
	for _, ch := range changes {
		if _, err := tx.ExecContext(ctx, "UPDATE companies SET sort_name = ?, sort_initial = ? WHERE id = ?", ch.sort, ch.initial, ch.id); err != nil {
			return err
		}
		if ch.nameChanged {
			if _, err := tx.ExecContext(ctx, "UPDATE companies SET name_extra = ?, search_extra = ? WHERE id = ?", ch.nameExtra, ch.extra, ch.id); err != nil {
				return err
			}
		}
	}
	return nil
}

// IndexContacts returns the index of the contacts f selects when they are
// sorted by name: one entry per row (あ か さ … A–Z #) that has contacts,
// in the list's order, with where its first contact is and how many
// there are. Offset and Limit of f are ignored.
func (db *DB) IndexContacts(ctx context.Context, f app.ContactFilter) ([]app.IndexEntry, error) {
	where, args, ok := contactWhere(f)
	if !ok {
		return []app.IndexEntry{}, nil
	}
	out, err := db.index(ctx, indexContactsSQL(where), args)
	if err != nil {
		return nil, fmt.Errorf("store: index contacts: %w", err)
	}
	return out, nil
}

// indexContactsSQL is IndexContacts' query: with no filter, one walk of
// the covering index contacts_sort_initial (migration 0014), in group order.
func indexContactsSQL(where string) string {
	return "SELECT c.sort_initial, count(*), min(c.sort_name) FROM contacts c" + where + " GROUP BY c.sort_initial"
}

// IndexCompanies is IndexContacts for companies.
func (db *DB) IndexCompanies(ctx context.Context, f app.CompanyFilter) ([]app.IndexEntry, error) {
	where, args, ok := companyWhere(f)
	if !ok {
		return []app.IndexEntry{}, nil
	}
	out, err := db.index(ctx, "SELECT co.sort_initial, count(*), min(co.sort_name) FROM companies co"+where+" GROUP BY co.sort_initial", args)
	if err != nil {
		return nil, fmt.Errorf("store: index companies: %w", err)
	}
	return out, nil
}

// index reads (initial, count, first sort key) groups and orders them as
// the list is ordered, adding up the offsets.
func (db *DB) index(ctx context.Context, query string, args []any) ([]app.IndexEntry, error) {
	rows, err := db.read.QueryContext(ctx, query+" ORDER BY 3", args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []app.IndexEntry{}
	offset := 0
	for rows.Next() {
		var e app.IndexEntry
		var first string
		if err := rows.Scan(&e.Label, &e.Count, &first); err != nil {
			return nil, translate(err)
		}
		if e.Label == "" {
			e.Label = kana.Other
		}
		e.Offset = offset
		offset += e.Count
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	return out, nil
}
