package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/tandem-crm/tandem/app"
)

var _ app.ExportService = (*DB)(nil)

// EachContact calls fn for every contact f selects, in list order, from
// one read snapshot; rows are read as they are written, never collected.
func (db *DB) EachContact(ctx context.Context, f app.ContactFilter, fn func(*app.Contact) error) error {
	where, args, ok := contactWhere(f)
	if !ok {
		return nil
	}
	order, err := orderBy(f.Sort, "c")
	if err != nil {
		return fmt.Errorf("store: export contacts: %w", err)
	}
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT "+contactCols+contactFrom+where+order, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var c app.Contact
		for rows.Next() {
			if err := scanContact(rows, &c); err != nil {
				return err
			}
			if err := fn(&c); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	if err != nil {
		return fmt.Errorf("store: export contacts: %w", err)
	}
	return nil
}

// EachCompany calls fn for every company f selects, in list order.
func (db *DB) EachCompany(ctx context.Context, f app.CompanyFilter, fn func(*app.Company) error) error {
	where, args, ok := companyWhere(f)
	if !ok {
		return nil
	}
	order, err := orderBy(f.Sort, "co")
	if err != nil {
		return fmt.Errorf("store: export companies: %w", err)
	}
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT "+companyCols+" FROM companies co"+where+order, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var c app.Company
		for rows.Next() {
			if err := scanCompany(rows, &c); err != nil {
				return err
			}
			if err := fn(&c); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	if err != nil {
		return fmt.Errorf("store: export companies: %w", err)
	}
	return nil
}

// EachRecord calls fn for every record f selects, ordered by name, with
// its contacts (primary first), reading a page of 500 at a time from one
// snapshot.
func (db *DB) EachRecord(ctx context.Context, f app.RecordFilter, fn func(*app.Record) error) error {
	where, args := recordWhere(f)
	if where == "" {
		where = " WHERE (r.sort_name, r.id) > (?, ?)"
	} else {
		where += " AND (r.sort_name, r.id) > (?, ?)"
	}
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		afterName, afterID := "", int64(-1)
		for {
			page, err := func() ([]app.Record, error) {
				rows, err := tx.QueryContext(ctx, "SELECT "+recordCols+recordFrom+where+" ORDER BY r.sort_name, r.id LIMIT 500",
					append(append([]any{}, args...), afterName, afterID)...)
				if err != nil {
					return nil, err
				}
				defer rows.Close()
				var out []app.Record
				for rows.Next() {
					var r app.Record
					if err := scanRecord(rows, &r); err != nil {
						return nil, err
					}
					out = append(out, r)
				}
				return out, rows.Err()
			}()
			if err != nil {
				return err
			}
			if len(page) == 0 {
				return nil
			}
			if err := fillRecordContacts(ctx, tx, page); err != nil {
				return err
			}
			for i := range page {
				if err := fn(&page[i]); err != nil {
					return err
				}
			}
			last := page[len(page)-1]
			afterName, afterID = sortKey(last.Name), last.ID
		}
	})
	if err != nil {
		return fmt.Errorf("store: export records: %w", err)
	}
	return nil
}
