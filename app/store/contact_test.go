package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/app"
)

func mustCompany(t *testing.T, db *DB, name, city string) app.Company {
	t.Helper()
	c := app.Company{Name: name, City: city}
	if err := db.CreateCompany(context.Background(), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func mustContact(t *testing.T, db *DB, first, last, email string, companyID int64) app.Contact {
	t.Helper()
	c := app.Contact{FirstName: first, LastName: last, Email: email, CompanyID: companyID}
	if err := db.CreateContact(context.Background(), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func names(cs []app.Contact) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.DisplayName()
	}
	return out
}

func TestContactCRUD(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	co := mustCompany(t, db, "Acme Ltd", "London")

	notes := strings.Repeat("長いメモ 📝 long notes. ", 100_000/30+1)[:100_000]
	c := app.Contact{FirstName: " 太郎 ", LastName: "山田", Email: "Taro@Example.JP", Phone: "03-1234-5678",
		Title: "部長 🎉", CompanyID: co.ID, Notes: notes, Custom: map[string]string{"ランク": "A", "emoji": "🍣"}}
	if err := db.CreateContact(ctx, &c); err != nil {
		t.Fatal(err)
	}
	if c.ID == 0 || c.Rev != 1 || c.CreatedAt.IsZero() || c.CompanyName != "Acme Ltd" || c.FirstName != "太郎" {
		t.Fatalf("created = %+v", c)
	}
	got, err := db.FindContact(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Notes != notes || got.Title != "部長 🎉" || got.Custom["emoji"] != "🍣" || got.CompanyName != "Acme Ltd" ||
		!got.CreatedAt.Equal(c.CreatedAt) || got.Rev != 1 || got.Email != "Taro@Example.JP" {
		t.Errorf("found = %+v", got)
	}

	// Update bumps rev and updated_at; a stale copy conflicts.
	stale := *got
	got.Phone = "090-0000-0000"
	got.CompanyID = 0
	if err := db.UpdateContact(ctx, got); err != nil {
		t.Fatal(err)
	}
	if got.Rev != 2 || got.CompanyName != "" || got.UpdatedAt.Before(c.UpdatedAt) {
		t.Errorf("updated = %+v", got)
	}
	stale.Title = "CEO"
	err = db.UpdateContact(ctx, &stale)
	wantCode(t, err, app.ECONFLICT)
	if !strings.Contains(app.ErrorMessage(err), "changed elsewhere") {
		t.Errorf("conflict message = %q", app.ErrorMessage(err))
	}

	// Validation errors carry the fields.
	bad := app.Contact{Email: "not-an-email", Phone: "call me"}
	err = db.CreateContact(ctx, &bad)
	wantCode(t, err, app.EINVALID)
	var ve *app.ValidationError
	if !errors.As(err, &ve) || ve.For("LastName") != app.MsgRequired || ve.For("Email") != app.MsgEmailInvalid || ve.For("Phone") == "" {
		t.Errorf("validation error = %v", err)
	}
	err = db.CreateContact(ctx, &app.Contact{LastName: "Ghost", CompanyID: 999})
	wantCode(t, err, app.EINVALID)
	if !errors.As(err, &ve) || ve.For("CompanyID") == "" {
		t.Errorf("unknown company = %v", err)
	}

	// Delete, then everything says not found.
	if err := db.DeleteContact(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	_, err = db.FindContact(ctx, c.ID)
	wantCode(t, err, app.ENOTFOUND)
	if app.ErrorMessage(err) != "Contact not found." {
		t.Errorf("message = %q", app.ErrorMessage(err))
	}
	wantCode(t, db.DeleteContact(ctx, c.ID), app.ENOTFOUND)
	wantCode(t, db.UpdateContact(ctx, got), app.ENOTFOUND)
	if !strings.HasPrefix(db.DeleteContact(ctx, c.ID).Error(), "store: delete contact: ") {
		t.Error("error prefix missing")
	}
}

func TestCompanyCRUD(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	co := app.Company{Name: "  株式会社山田商事 ", Email: "info@yamada.example.jp", City: "東京都渋谷区", Custom: map[string]string{"k": "v"}}
	if err := db.CreateCompany(ctx, &co); err != nil {
		t.Fatal(err)
	}
	if co.Name != "株式会社山田商事" || co.Rev != 1 {
		t.Fatalf("created = %+v", co)
	}
	got, err := db.FindCompany(ctx, co.ID)
	if err != nil || got.City != "東京都渋谷区" || got.Custom["k"] != "v" {
		t.Fatalf("found = %+v, %v", got, err)
	}
	stale := *got
	got.Industry = "Trade"
	if err := db.UpdateCompany(ctx, got); err != nil || got.Rev != 2 {
		t.Fatalf("update: %v rev %d", err, got.Rev)
	}
	wantCode(t, db.UpdateCompany(ctx, &stale), app.ECONFLICT)
	err = db.CreateCompany(ctx, &app.Company{Email: "x"})
	wantCode(t, err, app.EINVALID)
	var ve *app.ValidationError
	if !errors.As(err, &ve) || ve.For("Name") != app.MsgRequired {
		t.Errorf("validation = %v", err)
	}

	// Exact normalised name lookup.
	cs, err := db.ListCompanies(ctx, app.CompanyFilter{Name: "株式会社山田商事"})
	if err != nil || len(cs) != 1 {
		t.Errorf("by name = %v, %v", cs, err)
	}

	// Deleting a company keeps its contacts and records, detached.
	c := mustContact(t, db, "Taro", "Yamada", "", co.ID)
	p := app.Pipeline{Name: "Sales", Stages: []app.Stage{{Name: "Lead"}}}
	if err := db.CreatePipeline(ctx, &p); err != nil {
		t.Fatal(err)
	}
	r := app.Record{StageID: p.Stages[0].ID, Name: "Deal", Currency: "JPY", CompanyID: co.ID}
	if err := db.CreateRecord(ctx, &r); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteCompany(ctx, co.ID); err != nil {
		t.Fatal(err)
	}
	gc, err := db.FindContact(ctx, c.ID)
	if err != nil || gc.CompanyID != 0 || gc.CompanyName != "" {
		t.Errorf("contact after company delete = %+v, %v", gc, err)
	}
	gr, err := db.FindRecord(ctx, r.ID)
	if err != nil || gr.CompanyID != 0 {
		t.Errorf("record after company delete = %+v, %v", gr, err)
	}
	if n, _ := db.CountContacts(ctx, app.ContactFilter{Query: "山田商事"}); n != 0 {
		t.Errorf("deleted company still finds %d contacts", n)
	}
	wantCode(t, db.DeleteCompany(ctx, co.ID), app.ENOTFOUND)
	_, err = db.FindCompany(ctx, co.ID)
	wantCode(t, err, app.ENOTFOUND)
}

// searchDB holds a small address book for the search tests.
func searchDB(t *testing.T) *DB {
	t.Helper()
	db := openTest(t)
	yamada := mustCompany(t, db, "株式会社山田商事", "東京都渋谷区")
	acme := mustCompany(t, db, "Acme Ltd", "London")
	mustContact(t, db, "太郎", "山田", "taro.yamada@yamada.example.jp", yamada.ID)
	mustContact(t, db, "花子", "山本", "hanako@example.jp", 0)
	mustContact(t, db, "Taro", "Yamada", "ty@example.com", acme.ID)
	mustContact(t, db, "Zoë", "Yates", "zoe@acme.example.co.uk", acme.ID)
	mustContact(t, db, "José", "García", "jose@example.es", 0)
	mustContact(t, db, "Seán", "O'Brien", "sean.obrien@example.ie", 0)
	c := app.Contact{FirstName: "Ken", LastName: "Adams", Phone: "+1 (555) 010-2000", Mobile: "090-1111-2222"}
	if err := db.CreateContact(context.Background(), &c); err != nil {
		t.Fatal(err)
	}
	mustContact(t, db, "さくら", "田中", "", 0)
	mustContact(t, db, "ケンジ", "タナカ", "", 0)
	return db
}

func TestSearchContacts(t *testing.T) {
	ctx := context.Background()
	db := searchDB(t)
	for _, tc := range []struct {
		q    string
		want []string // in name order (family name first)
	}{
		{"ya", []string{"Taro Yamada", "Zoë Yates", "山田 太郎"}}, // name and email prefixes
		{"Yam", []string{"Taro Yamada", "山田 太郎"}},             // email ty@ has no "yam"
		{"YAMADA taro", []string{"Taro Yamada", "山田 太郎"}},     // every word, any order
		{"taro yam", []string{"Taro Yamada", "山田 太郎"}},        // prefix of each word
		{"山田", []string{"山田 太郎"}},                             // two Japanese characters
		{"山", []string{"山田 太郎", "山本 花子"}},                     // one; Japanese order: 田 (でん) before 本 (ほん)
		{"山田太", []string{"山田 太郎"}},                            // family+given written together
		{"太郎", []string{"山田 太郎"}},                             // given name alone
		{"商事", []string{"山田 太郎"}},                             // inside a Japanese company name
		{"タナ", []string{"タナカ ケンジ"}},                           // katakana
		{"jose", []string{"José García"}},                     // diacritics ignored
		{"garcía", []string{"José García"}},                   //
		{"zoe@acme", []string{"Zoë Yates"}},                   // email
		{"acme", []string{"Taro Yamada", "Zoë Yates"}},        // company name and email domain
		{"o'brien", []string{"Seán O'Brien"}},                 //
		{"555", []string{"Ken Adams"}},                        // phone
		{"090-1111", []string{"Ken Adams"}},                   // mobile as written
		{"0901111", []string{"Ken Adams"}},                    // mobile as digits
		{"nobody", nil},                                       //
	} {
		cs, err := db.ListContacts(ctx, app.ContactFilter{Query: tc.q})
		if err != nil {
			t.Fatalf("%q: %v", tc.q, err)
		}
		if got := names(cs); !slices.Equal(got, tc.want) {
			t.Errorf("search %q = %q, want %q", tc.q, got, tc.want)
		}
		n, err := db.CountContacts(ctx, app.ContactFilter{Query: tc.q})
		if err != nil || n != len(tc.want) {
			t.Errorf("count %q = %d, %v; want %d", tc.q, n, err, len(tc.want))
		}
	}
}

func TestSearchHostileInput(t *testing.T) {
	ctx := context.Background()
	db := searchDB(t)
	for _, q := range []string{`"`, `""`, `*`, `**`, `AND`, `OR`, `NOT`, `ya AND`, `AND(`, `NEAR(`, `NEAR(ya, 2)`,
		`name:ya`, `{name}: ya`, `^ya`, `ya*`, `(`, `)`, `-`, `+`, `'`, `\`, `%`, `_`, `😀`, `🍣 山田`, "\x00",
		"ya\x00", "　", strings.Repeat("a ", 500), strings.Repeat("長", 1000), `"ya" OR "*"`, `col : "x"`} {
		cs, err := db.ListContacts(ctx, app.ContactFilter{Query: q})
		if err != nil {
			t.Errorf("ListContacts(%q): %v", q, err)
		}
		if _, err := db.CountContacts(ctx, app.ContactFilter{Query: q}); err != nil {
			t.Errorf("CountContacts(%q): %v", q, err)
		}
		if _, err := db.ListCompanies(ctx, app.CompanyFilter{Query: q}); err != nil {
			t.Errorf("ListCompanies(%q): %v", q, err)
		}
		if _, err := db.ListRecords(ctx, app.RecordFilter{Query: q}); err != nil {
			t.Errorf("ListRecords(%q): %v", q, err)
		}
		_ = cs
	}
	// Operators are searched as words, not obeyed.
	if cs, _ := db.ListContacts(ctx, app.ContactFilter{Query: "ya AND"}); len(cs) != 0 {
		t.Errorf(`"ya AND" = %v`, names(cs))
	}
	if cs, _ := db.ListContacts(ctx, app.ContactFilter{Query: "🍣 山田"}); len(cs) != 1 {
		t.Errorf(`"🍣 山田" = %v`, names(cs))
	}
}

func FuzzSearch(f *testing.F) {
	db, err := Open(context.Background(), f.TempDir()+"/fuzz.db")
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	mustDo := func(err error) {
		if err != nil {
			f.Fatal(err)
		}
	}
	mustDo(db.CreateContact(context.Background(), &app.Contact{FirstName: "太郎", LastName: "山田"}))
	for _, s := range []string{"ya", `"`, "AND(", "NEAR(", "*", "😀", "山田", "a\"b*c", "x:y", "^"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if _, err := db.ListContacts(context.Background(), app.ContactFilter{Query: q}); err != nil {
			t.Fatalf("%q: %v", q, err)
		}
	})
}

func TestSearchCompanies(t *testing.T) {
	ctx := context.Background()
	db := searchDB(t)
	for q, want := range map[string]int{"山田": 1, "商事": 1, "渋谷": 1, "ac": 1, "lon": 1, "lond": 1, "zzz": 0} {
		cs, err := db.ListCompanies(ctx, app.CompanyFilter{Query: q})
		if err != nil || len(cs) != want {
			t.Errorf("companies %q = %d, %v; want %d", q, len(cs), err, want)
		}
		if n, err := db.CountCompanies(ctx, app.CompanyFilter{Query: q}); err != nil || n != want {
			t.Errorf("count companies %q = %d, %v", q, n, err)
		}
	}
}

func TestSearchStaysCurrent(t *testing.T) {
	ctx := context.Background()
	db := searchDB(t)
	count := func(q string) int {
		t.Helper()
		n, err := db.CountContacts(ctx, app.ContactFilter{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	cs, _ := db.ListContacts(ctx, app.ContactFilter{Query: "zoe"})
	zoe := cs[0]
	zoe.LastName = "Zimmer"
	if err := db.UpdateContact(ctx, &zoe); err != nil {
		t.Fatal(err)
	}
	if count("yates") != 0 || count("zimmer") != 1 {
		t.Error("rename of a contact not searchable")
	}

	// Renaming a company renames it in its contacts' search text.
	acme, _ := db.ListCompanies(ctx, app.CompanyFilter{Name: "acme ltd"})
	co := acme[0]
	co.Name = "Globex 株式会社"
	if err := db.UpdateCompany(ctx, &co); err != nil {
		t.Fatal(err)
	}
	// "acme" still matches Zoë's email domain, not Taro's company.
	if count("acme") != 1 || count("globex") != 2 || count("株式会社") != 3 {
		t.Errorf("after company rename: acme %d globex %d 株式会社 %d", count("acme"), count("globex"), count("株式会社"))
	}
	if n, _ := db.CountCompanies(ctx, app.CompanyFilter{Query: "globex"}); n != 1 {
		t.Error("renamed company not found")
	}

	// Moving a contact to another company.
	zoe.CompanyID = 0
	if err := db.UpdateContact(ctx, &zoe); err != nil {
		t.Fatal(err)
	}
	if count("globex") != 1 {
		t.Error("contact moved out of a company still matches it")
	}

	if err := db.DeleteContact(ctx, zoe.ID); err != nil {
		t.Fatal(err)
	}
	if count("zimmer") != 0 {
		t.Error("deleted contact still found")
	}
	if err := db.DeleteCompany(ctx, co.ID); err != nil {
		t.Fatal(err)
	}
	if count("globex") != 0 {
		t.Error("deleted company still matches")
	}
	if n, _ := db.CountCompanies(ctx, app.CompanyFilter{Query: "globex"}); n != 0 {
		t.Error("deleted company still in search")
	}
	if _, err := db.write.Exec("INSERT INTO contacts_fts(contacts_fts, rank) VALUES('integrity-check', 1)"); err != nil {
		t.Errorf("contacts_fts integrity: %v", err)
	}
}

func TestSortingPagingCounts(t *testing.T) {
	ctx := context.Background()
	now := int64(1_767_225_600_000)
	db := openTest(t, Options{now: func() time.Time { now += 1000; return fromDB(now) }})
	var want []string
	for i := range 120 {
		c := mustContact(t, db, "P", fmt.Sprintf("Name%03d", 119-i), "", 0)
		_ = c
		want = append(want, fmt.Sprintf("P Name%03d", i))
	}
	cs, err := db.ListContacts(ctx, app.ContactFilter{})
	if err != nil || len(cs) != 50 {
		t.Fatalf("default page = %d, %v", len(cs), err)
	}
	if got := names(cs); !slices.Equal(got, want[:50]) {
		t.Errorf("first page = %v", got)
	}
	cs, _ = db.ListContacts(ctx, app.ContactFilter{Offset: 100, Limit: 50})
	if got := names(cs); !slices.Equal(got, want[100:]) {
		t.Errorf("last page = %v", got)
	}
	cs, _ = db.ListContacts(ctx, app.ContactFilter{Sort: app.SortByUpdated, Limit: 3})
	if got := names(cs); !slices.Equal(got, []string{"P Name000", "P Name001", "P Name002"}) {
		t.Errorf("by updated = %v", got)
	}
	// Touching one moves it to the front of "updated".
	old, _ := db.ListContacts(ctx, app.ContactFilter{Query: "name100"})
	if err := db.UpdateContact(ctx, &old[0]); err != nil {
		t.Fatal(err)
	}
	cs, _ = db.ListContacts(ctx, app.ContactFilter{Sort: app.SortByUpdated, Limit: 1})
	if cs[0].LastName != "Name100" {
		t.Errorf("after update, first by updated = %v", names(cs))
	}
	_, err = db.ListContacts(ctx, app.ContactFilter{Sort: "bogus"})
	wantCode(t, err, app.EINVALID)
	if n, err := db.CountContacts(ctx, app.ContactFilter{}); n != 120 || err != nil {
		t.Errorf("count = %d, %v", n, err)
	}
	if n, _ := db.CountContacts(ctx, app.ContactFilter{Query: "name1"}); n != 20 {
		t.Errorf("count name1 = %d", n)
	}
	// Search results are ordered by name as well.
	cs, _ = db.ListContacts(ctx, app.ContactFilter{Query: "name1", Limit: 5, Offset: 5})
	if got := names(cs); !slices.Equal(got, want[105:110]) {
		t.Errorf("search page = %v", got)
	}
	// Accents and case do not disturb the order.
	mustContact(t, db, "A", "Émile", "", 0)
	mustContact(t, db, "A", "earl", "", 0)
	mustContact(t, db, "A", "Ezra", "", 0)
	cs, _ = db.ListContacts(ctx, app.ContactFilter{Query: "a"})
	if got := names(cs); !slices.Equal(got, []string{"A earl", "A Émile", "A Ezra"}) {
		t.Errorf("folded order = %v", got)
	}
}

func TestDuplicateEmailAndMerge(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	co := mustCompany(t, db, "Acme", "")
	keep := app.Contact{LastName: "Yamada", Email: "taro@example.com", Phone: "03-1111-2222", Custom: map[string]string{"a": "1"}}
	if err := db.CreateContact(ctx, &keep); err != nil {
		t.Fatal(err)
	}
	drop := app.Contact{FirstName: "Taro", LastName: "Yamada", Email: "TARO@Example.com", Title: "CEO", CompanyID: co.ID,
		Phone: "090", Notes: "met at expo", Custom: map[string]string{"a": "2", "b": "3"}}
	if err := db.CreateContact(ctx, &drop); err != nil {
		t.Fatal(err)
	}
	other := mustContact(t, db, "", "Other", "", 0)

	dups, err := db.ListContacts(ctx, app.ContactFilter{Email: "  Taro@EXAMPLE.com "})
	if err != nil || len(dups) != 2 {
		t.Fatalf("duplicates = %v, %v", names(dups), err)
	}
	if n, _ := db.CountContacts(ctx, app.ContactFilter{Email: "taro@example.com"}); n != 2 {
		t.Errorf("duplicate count = %d", n)
	}
	if cs, _ := db.ListContacts(ctx, app.ContactFilter{Email: "nobody@example.com"}); len(cs) != 0 {
		t.Error("unknown email matched")
	}

	// Records: r1 links both (drop primary), r2 links drop only, r3 links keep and other.
	p := app.Pipeline{Name: "Sales", Stages: []app.Stage{{Name: "Lead"}}}
	if err := db.CreatePipeline(ctx, &p); err != nil {
		t.Fatal(err)
	}
	st := p.Stages[0].ID
	r1 := app.Record{StageID: st, Name: "R1", Currency: "JPY", Contacts: []app.RecordContact{{ContactID: drop.ID, Primary: true}, {ContactID: keep.ID}}}
	r2 := app.Record{StageID: st, Name: "R2", Currency: "JPY", Contacts: []app.RecordContact{{ContactID: drop.ID, Primary: true}}}
	r3 := app.Record{StageID: st, Name: "R3", Currency: "JPY", Contacts: []app.RecordContact{{ContactID: other.ID, Primary: true}, {ContactID: drop.ID}}}
	for _, r := range []*app.Record{&r1, &r2, &r3} {
		if err := db.CreateRecord(ctx, r); err != nil {
			t.Fatal(err)
		}
	}

	if err := db.MergeContacts(ctx, keep.ID, drop.ID); err != nil {
		t.Fatal(err)
	}
	got, err := db.FindContact(ctx, keep.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.FirstName != "Taro" || got.Title != "CEO" || got.Phone != "03-1111-2222" || got.CompanyID != co.ID ||
		got.Notes != "met at expo" || got.Custom["a"] != "1" || got.Custom["b"] != "3" || got.Rev != 2 {
		t.Errorf("merged = %+v", got)
	}
	_, err = db.FindContact(ctx, drop.ID)
	wantCode(t, err, app.ENOTFOUND)

	for _, tc := range []struct {
		id   int64
		want []app.RecordContact
	}{
		{r1.ID, []app.RecordContact{{ContactID: keep.ID, Primary: true}}},
		{r2.ID, []app.RecordContact{{ContactID: keep.ID, Primary: true}}},
		{r3.ID, []app.RecordContact{{ContactID: other.ID, Primary: true}, {ContactID: keep.ID}}},
	} {
		r, err := db.FindRecord(ctx, tc.id)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Contacts) != len(tc.want) {
			t.Errorf("record %s contacts = %+v", r.Name, r.Contacts)
			continue
		}
		for i, w := range tc.want {
			if r.Contacts[i].ContactID != w.ContactID || r.Contacts[i].Primary != w.Primary {
				t.Errorf("record %s contacts = %+v, want %+v", r.Name, r.Contacts, tc.want)
			}
		}
	}
	if n, _ := db.CountContacts(ctx, app.ContactFilter{Query: "acme"}); n != 1 {
		t.Errorf("merged contact's new company not searchable: %d", n)
	}
	wantCode(t, db.MergeContacts(ctx, keep.ID, keep.ID), app.EINVALID)
	wantCode(t, db.MergeContacts(ctx, keep.ID, drop.ID), app.ENOTFOUND)
}

func TestImportContacts(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{10, 1200} { // per-row triggers, and the bulk path
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			db := openTest(t, Options{ImportBatch: 500})
			existing := mustCompany(t, db, "Acme Ltd", "")
			cs := make([]app.Contact, n)
			for i := range cs {
				cs[i] = app.Contact{FirstName: "太郎", LastName: fmt.Sprintf("山田%d", i), Email: fmt.Sprintf("t%d@example.jp", i)}
				switch i % 5 {
				case 1:
					cs[i].CompanyName = "  acme   LTD "
				case 2:
					cs[i].CompanyName = "株式会社 新規"
				case 3:
					cs[i].CompanyID = existing.ID
				}
			}
			cs[3].LastName = ""        // row 4: required
			cs[5].Email = "bad@"       // row 6: email
			cs[n-1].CompanyID = 424242 // last row: unknown company
			cs[n-1].Phone = "☎ no"     // and a bad phone
			res, err := db.ImportContacts(ctx, cs)
			if err != nil {
				t.Fatal(err)
			}
			if res.Inserted != n-3 {
				t.Errorf("inserted = %d, want %d", res.Inserted, n-3)
			}
			want := []app.RowError{{Row: 4, Field: "LastName", Message: app.MsgRequired}, {Row: 6, Field: "Email", Message: app.MsgEmailInvalid},
				{Row: n, Field: "Phone", Message: app.MsgPhoneInvalid}}
			if !reflect.DeepEqual(res.Errors, want) {
				t.Errorf("errors = %+v, want %+v", res.Errors, want)
			}
			if cs[1].CompanyID != 0 {
				t.Error("import changed the caller's rows")
			}
			if n, _ := db.CountCompanies(ctx, app.CompanyFilter{}); n != 2 {
				t.Errorf("companies = %d, want 2 (existing matched by normalised name, one created)", n)
			}
			byCo := func(name string) int {
				cos, _ := db.ListCompanies(ctx, app.CompanyFilter{Name: name})
				if len(cos) != 1 {
					t.Fatalf("company %q: %v", name, cos)
				}
				n, _ := db.CountContacts(ctx, app.ContactFilter{CompanyID: cos[0].ID})
				q, _ := db.CountContacts(ctx, app.ContactFilter{Query: name})
				if q < n {
					t.Errorf("company %q: %d contacts, %d found by search", name, n, q)
				}
				return n
			}
			if a, s := byCo("Acme Ltd"), byCo("株式会社 新規"); a == 0 || s == 0 {
				t.Errorf("company links: acme %d, 新規 %d", a, s)
			}
			if got, _ := db.CountContacts(ctx, app.ContactFilter{Query: "山田"}); got != n-3 {
				t.Errorf("searchable imported = %d, want %d", got, n-3)
			}
			if got, _ := db.CountContacts(ctx, app.ContactFilter{Query: "example"}); got != n-3 {
				t.Errorf("searchable by email = %d", got)
			}
			var suspended int
			db.read.QueryRow("SELECT count(*) FROM search_suspended").Scan(&suspended)
			if suspended != 0 {
				t.Error("search triggers left suspended")
			}
			// Later edits are indexed by the triggers again.
			c := mustContact(t, db, "", "Afterwards", "", 0)
			if got, _ := db.CountContacts(ctx, app.ContactFilter{Query: "afterw"}); got != 1 {
				t.Errorf("contact %d created after import not searchable", c.ID)
			}
			if _, err := db.write.Exec("INSERT INTO contacts_fts(contacts_fts, rank) VALUES('integrity-check', 1)"); err != nil {
				t.Errorf("integrity: %v", err)
			}
		})
	}
}

func TestImportCompanies(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	cs := make([]app.Company, 300)
	for i := range cs {
		cs[i] = app.Company{Name: fmt.Sprintf("大阪商事 %d", i), City: "大阪市北区"}
	}
	cs[10].Name = ""
	cs[20].Email = "nope"
	res, err := db.ImportCompanies(ctx, cs)
	if err != nil {
		t.Fatal(err)
	}
	if res.Inserted != 298 || len(res.Errors) != 2 || res.Errors[0].Row != 11 || res.Errors[0].Field != "Name" || res.Errors[1].Row != 21 {
		t.Errorf("result = %+v", res)
	}
	if n, _ := db.CountCompanies(ctx, app.CompanyFilter{Query: "北区"}); n != 298 {
		t.Errorf("searchable = %d", n)
	}
}
