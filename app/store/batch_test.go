package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/tandem-crm/tandem/app"
)

func contactRows(cs ...app.Contact) []app.ImportRow[app.Contact] {
	out := make([]app.ImportRow[app.Contact], len(cs))
	for i, c := range cs {
		out[i] = app.ImportRow[app.Contact]{Row: i + 1, Value: c}
	}
	return out
}

func startBatch(t *testing.T, db *DB, kind string, dup app.OnDuplicate) *app.ImportBatch {
	t.Helper()
	b := &app.ImportBatch{Kind: kind, Source: "test.csv", OnDuplicate: dup}
	if err := db.StartImport(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestImportDuplicatesAndUndo(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	// Before the import: one contact the import will update, one it leaves alone.
	old := app.Contact{LastName: "山田", FirstName: "太郎", Email: "taro@example.jp", Phone: "03-0000-0000", Title: "課長"}
	if err := db.CreateContact(ctx, &old); err != nil {
		t.Fatal(err)
	}
	keep := app.Contact{LastName: "Other", Email: "other@example.com"}
	if err := db.CreateContact(ctx, &keep); err != nil {
		t.Fatal(err)
	}

	for _, dup := range []app.OnDuplicate{app.DupSkip, app.DupUpdate, app.DupCreate} {
		b := startBatch(t, db, app.KindContact, dup)
		outs, err := db.ImportContactRows(ctx, 0, dup, contactRows(app.Contact{LastName: "山田", Email: "TARO@example.jp", Title: "部長"}))
		if err != nil {
			t.Fatal(err)
		}
		want := map[app.OnDuplicate]app.ImportAction{app.DupSkip: app.ActionSkipped, app.DupUpdate: app.ActionUpdated, app.DupCreate: app.ActionCreated}[dup]
		if outs[0].Action != want {
			t.Errorf("dry run with %s: %s, want %s", dup, outs[0].Action, want)
		}
		_ = b
	}
	if n, _ := db.CountContacts(ctx, app.ContactFilter{}); n != 2 {
		t.Fatalf("a dry run wrote: %d contacts", n)
	}

	b := startBatch(t, db, app.KindContact, app.DupUpdate)
	rows := contactRows(
		app.Contact{LastName: "山田", Email: "TARO@example.jp", Title: "部長", CompanyName: "山田商事"}, // updates old
		app.Contact{LastName: "鈴木", FirstName: "花子", Email: "hanako@example.jp", CompanyName: "山田商事"},
		app.Contact{LastName: "", Email: "nolast@example.jp"},                            // refused
		app.Contact{LastName: "鈴木", Email: "hanako@example.jp", Mobile: "090-1111-2222"}, // updates the row created above
	)
	outs, err := db.ImportContactRows(ctx, b.ID, app.DupUpdate, rows)
	if err != nil {
		t.Fatal(err)
	}
	acts := []app.ImportAction{app.ActionUpdated, app.ActionCreated, app.ActionRefused, app.ActionUpdated}
	for i, o := range outs {
		if o.Action != acts[i] {
			t.Errorf("row %d: %s, want %s (%+v)", o.Row, o.Action, acts[i], o.Errors)
		}
	}
	if outs[2].Errors[0].Field != "LastName" {
		t.Errorf("refusal: %+v", outs[2].Errors)
	}
	got, _ := db.FindContact(ctx, old.ID)
	if got.Title != "部長" || got.Phone != "03-0000-0000" || got.CompanyName != "山田商事" || got.FirstName != "太郎" {
		t.Errorf("update did not overlay the non-empty fields: %+v", got)
	}
	b.Created, b.Updated, b.Refused = 2, 2, 1
	if err := db.FinishImport(ctx, b); err != nil {
		t.Fatal(err)
	}
	// Search finds the import's contacts once it has finished (its
	// contacts are keyed and indexed then).
	if cs, _ := db.ListContacts(ctx, app.ContactFilter{Query: "鈴木"}); len(cs) != 1 || cs[0].Mobile != "090-1111-2222" {
		t.Errorf("search after import: %+v", cs)
	}
	if cs, _ := db.ListContacts(ctx, app.ContactFilter{Query: "山田商事"}); len(cs) != 2 {
		t.Errorf("company search after import: %d", len(cs))
	}
	last, err := db.LastImport(ctx)
	if err != nil || last.ID != b.ID || last.Updated != 2 {
		t.Fatalf("last import: %+v %v", last, err)
	}

	res, err := db.UndoImport(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Removed: 鈴木 and the company 山田商事; restored: 山田.
	if res.Removed != 2 || res.Restored != 1 || res.Kept != 0 {
		t.Errorf("undo: %+v", res)
	}
	got, _ = db.FindContact(ctx, old.ID)
	if got.Title != "課長" || got.CompanyID != 0 {
		t.Errorf("not restored: %+v", got)
	}
	if n, _ := db.CountContacts(ctx, app.ContactFilter{}); n != 2 {
		t.Errorf("%d contacts after undo", n)
	}
	if n, _ := db.CountCompanies(ctx, app.CompanyFilter{}); n != 0 {
		t.Errorf("%d companies after undo", n)
	}
	if cs, _ := db.ListContacts(ctx, app.ContactFilter{Query: "鈴木"}); len(cs) != 0 {
		t.Errorf("search still finds the removed contact")
	}
	if _, err := db.UndoImport(ctx, b.ID); app.ErrorCode(err) != app.ECONFLICT {
		t.Errorf("second undo: %v", err)
	}
	if _, err := db.LastImport(ctx); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("last import after undo: %v", err)
	}
}

func TestUndoKeepsWhatChangedSince(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	b := startBatch(t, db, app.KindContact, app.DupSkip)
	outs, err := db.ImportContactRows(ctx, b.ID, app.DupSkip, contactRows(app.Contact{LastName: "A"}, app.Contact{LastName: "B"}))
	if err != nil {
		t.Fatal(err)
	}
	edited, _ := db.FindContact(ctx, outs[1].ID)
	edited.Notes = "a note the person wrote after the import"
	if err := db.UpdateContact(ctx, edited); err != nil {
		t.Fatal(err)
	}
	res, err := db.UndoImport(ctx, b.ID)
	if err != nil || res.Removed != 1 || res.Kept != 1 {
		t.Fatalf("undo: %+v %v", res, err)
	}
	if _, err := db.FindContact(ctx, outs[1].ID); err != nil {
		t.Errorf("the edited contact was removed: %v", err)
	}
	// Only the last import can be undone.
	b1 := startBatch(t, db, app.KindContact, app.DupSkip)
	startBatch(t, db, app.KindContact, app.DupSkip)
	if _, err := db.UndoImport(ctx, b1.ID); app.ErrorCode(err) != app.ECONFLICT {
		t.Errorf("undo of an older import: %v", err)
	}
}

func TestImportCompaniesAndRecordsUndo(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	co := app.Company{Name: "Acme", City: "Osaka"}
	if err := db.CreateCompany(ctx, &co); err != nil {
		t.Fatal(err)
	}
	c := app.Contact{LastName: "Lee", Email: "lee@example.com"}
	if err := db.CreateContact(ctx, &c); err != nil {
		t.Fatal(err)
	}
	p := app.Pipeline{Name: "Sales", Stages: []app.Stage{{Name: "Lead"}, {Name: "Won"}}}
	if err := db.CreatePipeline(ctx, &p); err != nil {
		t.Fatal(err)
	}
	b := startBatch(t, db, app.KindCompany, app.DupUpdate)
	outs, err := db.ImportCompanyRows(ctx, b.ID, app.DupUpdate, []app.ImportRow[app.Company]{
		{Row: 1, Value: app.Company{Name: " ACME ", City: "Tokyo"}}, {Row: 2, Value: app.Company{Name: "New Co"}}})
	if err != nil || outs[0].Action != app.ActionUpdated || outs[1].Action != app.ActionCreated {
		t.Fatalf("companies: %+v %v", outs, err)
	}
	if res, err := db.UndoImport(ctx, b.ID); err != nil || res.Removed != 1 || res.Restored != 1 {
		t.Fatalf("undo companies: %+v %v", res, err)
	}
	if got, _ := db.FindCompany(ctx, co.ID); got.City != "Osaka" || got.Name != "Acme" {
		t.Errorf("company not restored: %+v", got)
	}

	b = startBatch(t, db, app.KindRecord, app.DupUpdate)
	rows := []app.ImportRow[app.Record]{
		{Row: 1, Value: app.Record{PipelineID: p.ID, StageID: p.Stages[0].ID, Name: "Deal", Amount: 1000, Currency: "JPY", CompanyName: "Acme",
			Contacts: []app.RecordContact{{Email: "LEE@example.com", Primary: true}}}},
		{Row: 2, Value: app.Record{PipelineID: p.ID, StageID: p.Stages[0].ID, Name: "Ghost", Currency: "JPY",
			Contacts: []app.RecordContact{{Email: "nobody@example.com", Primary: true}}}},
		{Row: 3, Value: app.Record{PipelineID: p.ID, StageID: p.Stages[1].ID, Name: "deal", Currency: "JPY"}, Given: []string{"StageID"}},
	}
	outs, err = db.ImportRecordRows(ctx, b.ID, app.DupUpdate, rows)
	if err != nil {
		t.Fatal(err)
	}
	if outs[0].Action != app.ActionCreated || outs[1].Action != app.ActionRefused || outs[2].Action != app.ActionUpdated {
		t.Fatalf("records: %+v", outs)
	}
	r, _ := db.FindRecord(ctx, outs[0].ID)
	if r.StageID != p.Stages[1].ID || r.Amount != 1000 || r.CompanyID != co.ID || len(r.Contacts) != 1 || r.Contacts[0].ContactID != c.ID {
		t.Errorf("record: %+v", r)
	}
	if res, err := db.UndoImport(ctx, b.ID); err != nil || res.Removed != 1 {
		t.Fatalf("undo records: %+v %v", res, err)
	}
	if _, err := db.FindCompany(ctx, co.ID); err != nil {
		t.Errorf("a company that existed before was removed: %v", err)
	}
}

func TestExportStreams(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	for _, n := range []string{"Young", "Adams", "山田"} {
		c := app.Contact{LastName: n}
		if err := db.CreateContact(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	if err := db.EachContact(ctx, app.ContactFilter{}, func(c *app.Contact) error { got = append(got, c.LastName); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0] != "Adams" {
		t.Errorf("all: %v", got)
	}
	got = nil
	db.EachContact(ctx, app.ContactFilter{Query: "you"}, func(c *app.Contact) error { got = append(got, c.LastName); return nil })
	if len(got) != 1 || got[0] != "Young" {
		t.Errorf("search: %v", got)
	}
	p := app.Pipeline{Name: "P", Stages: []app.Stage{{Name: "S"}}}
	db.CreatePipeline(ctx, &p)
	for i := range 1203 {
		r := app.Record{StageID: p.Stages[0].ID, Name: "R" + string(rune('a'+i%26)), Currency: "JPY"}
		if err := db.CreateRecord(ctx, &r); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	if err := db.EachRecord(ctx, app.RecordFilter{PipelineID: p.ID}, func(*app.Record) error { n++; return nil }); err != nil || n != 1203 {
		t.Errorf("records: %d %v", n, err)
	}
}

// TestImportBatchLookups: a batch big enough for the bulk path, whose
// inserts go in several multi-row statements, keeps the row-by-row
// answers: a row repeating the email of an earlier row of the same batch
// (inserted or still queued) is its duplicate, each created row's id is
// the contact holding its values, and company names find the oldest
// company of that name or create one, once.
func TestImportBatchLookups(t *testing.T) {
	ctx := context.Background()
	for _, dup := range []app.OnDuplicate{app.DupSkip, app.DupUpdate, app.DupCreate} {
		t.Run(string(dup), func(t *testing.T) {
			db := openTest(t)
			older := app.Company{Name: "Acme 1"}
			if err := db.CreateCompany(ctx, &older); err != nil {
				t.Fatal(err)
			}
			before := app.Contact{LastName: "Before", Email: "user7@example.com"}
			if err := db.CreateContact(ctx, &before); err != nil {
				t.Fatal(err)
			}
			const n, distinct = 330, 150
			cs := make([]app.Contact, n)
			for i := range cs {
				cs[i] = app.Contact{LastName: fmt.Sprintf("Row%d", i), Title: fmt.Sprintf("t%d", i),
					Email: fmt.Sprintf("User%d@Example.com", i%distinct), CompanyName: fmt.Sprintf("acme %d", i%5)}
			}
			b := startBatch(t, db, app.KindContact, dup)
			outs, err := db.ImportContactRows(ctx, b.ID, dup, contactRows(cs...))
			if err != nil {
				t.Fatal(err)
			}
			first := map[string]int64{"user7@example.com": before.ID} // oldest contact of each email
			for i, o := range outs {
				e := app.NormalizeEmail(cs[i].Email)
				want := app.ActionCreated
				if _, seen := first[e]; seen && dup != app.DupCreate {
					want = map[app.OnDuplicate]app.ImportAction{app.DupSkip: app.ActionSkipped, app.DupUpdate: app.ActionUpdated}[dup]
				}
				if o.Action != want {
					t.Fatalf("row %d: %s, want %s", i+1, o.Action, want)
				}
				if id, seen := first[e]; seen && dup != app.DupCreate && o.ID != id {
					t.Fatalf("row %d: duplicate of %d, want %d", i+1, o.ID, id)
				}
				if _, seen := first[e]; !seen {
					first[e] = o.ID
				}
				got, err := db.FindContact(ctx, o.ID)
				if err != nil {
					t.Fatal(err)
				}
				if app.NormalizeEmail(got.Email) != e || o.Action == app.ActionCreated && got.CompanyName == "" {
					t.Fatalf("row %d: id %d holds %+v", i+1, o.ID, got)
				}
			}
			if dup == app.DupUpdate {
				// Each contact holds the title of the last row with its email.
				for i := n - distinct; i < n; i++ {
					got, err := db.FindContact(ctx, outs[i].ID)
					if err != nil || got.Title != cs[i].Title {
						t.Fatalf("row %d: %v %v", i+1, got, err)
					}
				}
			}
			var companies int
			if err := db.read.QueryRow("SELECT count(*) FROM companies").Scan(&companies); err != nil || companies != 5 {
				t.Fatalf("companies: %d %v", companies, err)
			}
			var linked int64
			if err := db.read.QueryRow("SELECT company_id FROM contacts WHERE id = ?", outs[1].ID).Scan(&linked); err != nil || linked != older.ID {
				t.Fatalf("row 2 links company %d, want the older %d (%v)", linked, older.ID, err)
			}
			// Every created contact is findable by search once the import
			// has finished: the bulk index fill saw them all.
			if err := db.FinishImport(ctx, b); err != nil {
				t.Fatal(err)
			}
			if n, err := db.CountContacts(ctx, app.ContactFilter{Query: "Row3"}); err != nil || n == 0 {
				t.Fatalf("search: %d %v", n, err)
			}
		})
	}
}
