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

const companyCols = `co.id, co.name, co.name_reading, co.email, co.website, co.phone, co.industry, co.city, co.country,
	co.notes, co.custom, co.created_at, co.updated_at, co.rev`

const insertCompanySQL = `INSERT INTO companies (name, name_reading, name_norm, sort_name, sort_initial, email, email_norm,
	website, phone, industry, city, country, notes, custom, name_extra, search_extra, created_at, updated_at, rev)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`

func scanCompany(sc interface{ Scan(...any) error }, c *app.Company) error {
	var custom string
	var created, updated int64
	if err := sc.Scan(&c.ID, &c.Name, &c.NameReading, &c.Email, &c.Website, &c.Phone, &c.Industry, &c.City, &c.Country,
		&c.Notes, &custom, &created, &updated, &c.Rev); err != nil {
		return err
	}
	c.CreatedAt, c.UpdatedAt = fromDB(created), fromDB(updated)
	m, err := decodeCustom(custom)
	if err != nil {
		return fmt.Errorf("company %d: custom fields: %w", c.ID, err)
	}
	c.Custom = m
	return nil
}

// companyArgs returns the insert arguments for c (see insertCompanySQL).
func companyArgs(c *app.Company, now int64) []any {
	return []any{c.Name, c.NameReading, app.NormalizeName(c.Name), companySortKey(c), companyInitial(c), c.Email,
		app.NormalizeEmail(c.Email), c.Website, c.Phone, c.Industry, c.City, c.Country, c.Notes, encodeCustom(c.Custom),
		companyNameExtra(c), companyExtra(c.City, c.Phone), now, now}
}

// FindCompany returns the company with id, or ENOTFOUND.
func (db *DB) FindCompany(ctx context.Context, id int64) (*app.Company, error) {
	var c app.Company
	err := scanCompany(db.read.QueryRowContext(ctx, "SELECT "+companyCols+" FROM companies co WHERE co.id = ?", id), &c)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: find company: %w", notFound("Company"))
	}
	if err != nil {
		return nil, fmt.Errorf("store: find company: %w", translate(err))
	}
	return &c, nil
}

func companyWhere(f app.CompanyFilter) (where string, args []any, ok bool) {
	var conds []string
	if f.Query != "" {
		q := ftsQuery(f.Query)
		if q == "" {
			return "", nil, false
		}
		conds = append(conds, "co.id IN (SELECT rowid FROM companies_fts WHERE companies_fts MATCH ?)")
		args = append(args, q)
	}
	if f.Name != "" {
		conds = append(conds, "co.name_norm = ?")
		args = append(args, app.NormalizeName(f.Name))
	}
	if len(conds) == 0 {
		return "", nil, true
	}
	return " WHERE " + strings.Join(conds, " AND "), args, true
}

// ListCompanies returns one page of the companies f selects. A Query is
// matched as a prefix of any word of the name, email, phone or city; Name
// is an exact match after NormalizeName.
func (db *DB) ListCompanies(ctx context.Context, f app.CompanyFilter) ([]app.Company, error) {
	where, args, ok := companyWhere(f)
	if !ok {
		return []app.Company{}, nil
	}
	order, err := orderBy(f.Sort, "co")
	if err != nil {
		return nil, fmt.Errorf("store: list companies: %w", err)
	}
	offset, limit := page(f.Offset, f.Limit)
	args = append(args, limit, offset)
	rows, err := db.read.QueryContext(ctx, "SELECT "+companyCols+
		" FROM (SELECT co.id FROM companies co"+where+order+" LIMIT ? OFFSET ?) AS p"+
		" JOIN companies co ON co.id = p.id"+order, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list companies: %w", translate(err))
	}
	defer rows.Close()
	out := make([]app.Company, 0, limit)
	for rows.Next() {
		var c app.Company
		if err := scanCompany(rows, &c); err != nil {
			return nil, fmt.Errorf("store: list companies: %w", translate(err))
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list companies: %w", translate(err))
	}
	return out, nil
}

// CountCompanies returns how many companies f selects.
func (db *DB) CountCompanies(ctx context.Context, f app.CompanyFilter) (int, error) {
	where, args, ok := companyWhere(f)
	if !ok {
		return 0, nil
	}
	query := "SELECT count(*) FROM companies co" + where
	if f.Query != "" && f.Name == "" {
		query = "SELECT count(*) FROM companies_fts WHERE companies_fts MATCH ?"
	}
	var n int
	if err := db.read.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count companies: %w", translate(err))
	}
	return n, nil
}

// CreateCompany validates c (EINVALID), inserts it and sets its ID, times
// and Rev.
func (db *DB) CreateCompany(ctx context.Context, c *app.Company) error {
	c.Normalize()
	if err := c.Validate(); err != nil {
		return fmt.Errorf("store: create company: %w", err)
	}
	now := db.now()
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, insertCompanySQL, companyArgs(c, toDB(now))...)
		if err != nil {
			return err
		}
		c.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		c.ID = 0
		return fmt.Errorf("store: create company: %w", err)
	}
	c.CreatedAt, c.UpdatedAt, c.Rev = now, now, 1
	return nil
}

// UpdateCompany saves c when c.Rev is still the stored revision, then bumps
// Rev and UpdatedAt. A new name reaches its contacts' search text too. It
// returns ENOTFOUND, EINVALID or ECONFLICT.
func (db *DB) UpdateCompany(ctx context.Context, c *app.Company) error {
	c.Normalize()
	if err := c.Validate(); err != nil {
		return fmt.Errorf("store: update company: %w", err)
	}
	now := db.now()
	err := db.writeTx(ctx, func(tx *sql.Tx) error { return updateCompanyTx(ctx, tx, c, now) })
	if err != nil {
		return fmt.Errorf("store: update company: %w", err)
	}
	c.UpdatedAt = now
	return nil
}

// updateCompanyTx saves c inside tx when c.Rev is current, and sets its Rev
// and CreatedAt from the row; ENOTFOUND or ECONFLICT otherwise.
func updateCompanyTx(ctx context.Context, tx *sql.Tx, c *app.Company, now time.Time) error {
	var created int64
	err := tx.QueryRowContext(ctx, `UPDATE companies SET name = ?, name_reading = ?, name_norm = ?, sort_name = ?,
		sort_initial = ?, email = ?, email_norm = ?, website = ?, phone = ?, industry = ?, city = ?, country = ?,
		notes = ?, custom = ?, name_extra = ?, search_extra = ?, updated_at = ?, rev = rev + 1
		WHERE id = ? AND rev = ? RETURNING rev, created_at`,
		c.Name, c.NameReading, app.NormalizeName(c.Name), companySortKey(c), companyInitial(c), c.Email,
		app.NormalizeEmail(c.Email), c.Website, c.Phone, c.Industry, c.City, c.Country, c.Notes, encodeCustom(c.Custom),
		companyNameExtra(c), companyExtra(c.City, c.Phone), toDB(now), c.ID, c.Rev,
	).Scan(&c.Rev, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return staleOrMissing(ctx, tx, "companies", c.ID, "Company")
	}
	if err == nil {
		c.CreatedAt = fromDB(created)
	}
	return err
}

// DeleteCompany deletes a company; its contacts and records are kept with
// no company. It returns ENOTFOUND when there is no such company.
func (db *DB) DeleteCompany(ctx context.Context, id int64) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		return deleteRow(ctx, tx, "companies", id, "Company")
	})
	if err != nil {
		return fmt.Errorf("store: delete company: %w", err)
	}
	return nil
}
