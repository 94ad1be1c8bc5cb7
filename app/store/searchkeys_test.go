package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/app"
)

// Names that sort in the hard ways: kana and kanji with readings, half-
// and full-width forms, emoji, accents, ties, one-letter and empty given
// names.
var keyNames = [][4]string{ // first, last, first reading, last reading
	{"太郎", "山田", "たろう", "やまだ"}, {"花子", "山田", "はなこ", "やまだ"}, {"一郎", "田中", "いちろう", "たなか"},
	{"", "田中", "", ""}, {"ｲﾁﾛｳ", "ﾀﾅｶ", "", ""}, {"ジロウ", "タナカ", "", ""}, {"さくら", "あべ", "", ""},
	{"Zoë", "Zimmer", "", ""}, {"Ａｎｎａ", "Ｂｅｃｋ", "", ""}, {"anna", "beck", "", ""}, {"Ann", "Beck", "", ""},
	{"😀", "Smile", "", ""}, {"Émile", "Zola", "", ""}, {"J", "Ng", "", ""}, {"", "Ng", "", ""},
	{"Mary", "Smith", "", ""}, {"Mary", "Smith", "", ""}, {"鈴木", "一", "すずき", "はじめ"}, {"", "123 Trading", "", ""},
}

func keyContact(g *gen, i int) app.Contact {
	if g.r.IntN(3) == 0 {
		n := pick(g, keyNames)
		return app.Contact{FirstName: n[0], LastName: n[1], FirstNameReading: n[2], LastNameReading: n[3],
			Email: fmt.Sprintf("k%d@example.jp", i)}
	}
	c := g.contact(i, 0)
	c.Email = fmt.Sprintf("k%d@example.jp", i)
	return c
}

// checkSearchKeys: every contact has a search key, the keys grow in the
// list's order (sort_name, id), and contacts_fts holds one row per contact,
// at its key, with the text the triggers write.
func checkSearchKeys(t *testing.T, db *DB) {
	t.Helper()
	rows, err := db.read.Query("SELECT id, search_key FROM contacts ORDER BY sort_name, id")
	if err != nil {
		t.Fatal(err)
	}
	var last sql.NullInt64
	n := 0
	for rows.Next() {
		var id int64
		var key sql.NullInt64
		if err := rows.Scan(&id, &key); err != nil {
			t.Fatal(err)
		}
		n++
		if !key.Valid {
			t.Errorf("contact %d has no search key", id)
		} else if last.Valid && key.Int64 <= last.Int64 {
			t.Errorf("contact %d: key %d after %d: the keys do not grow in name order", id, key.Int64, last.Int64)
		}
		last = key
	}
	rows.Close()
	var indexed, wrong int
	if err := db.read.QueryRow("SELECT count(*) FROM contacts_fts").Scan(&indexed); err != nil {
		t.Fatal(err)
	}
	if err := db.read.QueryRow(`SELECT count(*) FROM contacts c LEFT JOIN contacts_fts f ON f.rowid = c.search_key
		WHERE f.rowid IS NULL OR f.name IS NOT c.first_name || ' ' || c.last_name OR f.email IS NOT c.email
		   OR f.extra IS NOT c.search_extra
		   OR f.company IS NOT coalesce((SELECT co.name || ' ' || co.name_extra FROM companies co WHERE co.id = c.company_id), '')`).
		Scan(&wrong); err != nil {
		t.Fatal(err)
	}
	if indexed != n || wrong != 0 {
		t.Errorf("contacts_fts has %d rows for %d contacts; %d contacts have no row at their key or the wrong text", indexed, n, wrong)
	}
	if _, err := db.write.Exec("INSERT INTO contacts_fts(contacts_fts, rank) VALUES('integrity-check', 1)"); err != nil {
		t.Errorf("contacts_fts integrity: %v", err)
	}
}

// checkSearchPages: for each query, the pages of ListContacts (to the
// end) are the matches in the list's order, as the plan that sorts every
// match by (sort_name, id) finds them.
func checkSearchPages(t *testing.T, db *DB, queries []string) {
	t.Helper()
	ctx := context.Background()
	for _, q := range queries {
		var want []int64
		if fq := ftsQuery(q); fq != "" { // else nothing can match
			rows, err := db.read.Query(`SELECT c.id FROM contacts c WHERE c.search_key IN
				(SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?) ORDER BY c.sort_name, c.id`, fq)
			if err != nil {
				t.Fatal(q, err)
			}
			for rows.Next() {
				var id int64
				rows.Scan(&id)
				want = append(want, id)
			}
			rows.Close()
		}
		// Pages of 7 first, then of 200 (a page of 200 is still read in
		// key order from its offset).
		var got []int64
		for off, size := 0, 7; ; off += size {
			if off >= 21 {
				size = 200
			}
			cs, err := db.ListContacts(ctx, app.ContactFilter{Query: q, Offset: off, Limit: size})
			if err != nil {
				t.Fatal(q, err)
			}
			for _, c := range cs {
				got = append(got, c.ID)
			}
			if len(cs) < size {
				break
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("search %q: pages give %v, want %v", q, got, want)
		}
		if n, err := db.CountContacts(ctx, app.ContactFilter{Query: q}); err != nil || n != len(want) {
			t.Errorf("search %q: count %d %v, want %d", q, n, err, len(want))
		}
	}
}

// keyQueries are searches over keyNames and the generated names.
var keyQueries = []string{"山田", "田中", "ﾀﾅｶ", "たな", "タナ", "beck", "ａｎ", "an", "zo", "😀",
	"ng", "example", "k1", "すず", "一", "Ta", "株式"}

// TestSearchKeysFollowEveryWrite: bulk imports (into an empty and a full
// store), single creates, imports of a few rows, renames that move a
// contact or keep its place, a company rename, deletes, a merge, an
// undone import and the sort keys computed again: after each, every
// contact is keyed in name order and indexed at its key, and every
// search's pages are its matches in name order.
func TestSearchKeysFollowEveryWrite(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	g := newGen(11)
	i := 0
	next := func() app.Contact { i++; return keyContact(g, i) }
	step := func(what string) {
		t.Helper()
		t.Run(what, func(t *testing.T) {
			checkSearchKeys(t, db)
			checkSearchPages(t, db, keyQueries)
		})
	}

	var cs []app.Contact
	for range 600 {
		c := next()
		c.CompanyName = pick(g, []string{"", "Acme Ltd", "株式会社山田商事", "Globex"})
		cs = append(cs, c)
	}
	if res, err := db.ImportContacts(ctx, cs); err != nil || res.Inserted != 600 {
		t.Fatal(err, res.Inserted)
	}
	step("bulk import into an empty store")

	var created []app.Contact
	for range 150 {
		c := next()
		if err := db.CreateContact(ctx, &c); err != nil {
			t.Fatal(err)
		}
		created = append(created, c)
	}
	step("single creates")

	few := make([]app.Contact, 40)
	for j := range few {
		few[j] = next()
	}
	if res, err := db.ImportContacts(ctx, few); err != nil || res.Inserted != 40 {
		t.Fatal(err, res.Inserted)
	}
	step("an import of a few rows, one at a time")

	b := startBatch(t, db, app.KindContact, app.DupUpdate)
	var rows []app.ImportRow[app.Contact]
	for j := range 400 {
		c := next()
		if j%10 == 0 { // an update of a contact created before, by its email, with a new name
			c.Email = created[j/10].Email
		}
		rows = append(rows, app.ImportRow[app.Contact]{Row: j + 1, Value: c})
	}
	if _, err := db.ImportContactRows(ctx, b.ID, app.DupUpdate, rows); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishImport(ctx, b); err != nil {
		t.Fatal(err)
	}
	step("a bulk import into a full store that also renames")

	for j := range 60 {
		c, err := db.FindContact(ctx, created[60+j].ID)
		if err != nil {
			t.Fatal(err)
		}
		n := keyNames[j%len(keyNames)]
		if j%3 == 0 {
			c.FirstNameReading = "あ" // a reading of the given name: the place in the list moves little or not at all
		} else {
			c.FirstName, c.LastName, c.FirstNameReading, c.LastNameReading = n[0], n[1], n[2], n[3]
		}
		if err := db.UpdateContact(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	step("renames")

	cos, err := db.ListCompanies(ctx, app.CompanyFilter{Query: "acme"})
	if err != nil || len(cos) != 1 {
		t.Fatal(err, len(cos))
	}
	cos[0].Name = "Zenith Corp"
	if err := db.UpdateCompany(ctx, &cos[0]); err != nil {
		t.Fatal(err)
	}
	if err := db.MergeContacts(ctx, created[0].ID, created[1].ID); err != nil {
		t.Fatal(err)
	}
	for _, c := range created[2:22] {
		if err := db.DeleteContact(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	step("company rename, merge, deletes")
	if n, _ := db.CountContacts(ctx, app.ContactFilter{Query: "zenith"}); n == 0 {
		t.Error("the renamed company's contacts are not found by its new name")
	}

	if _, err := db.UndoImport(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	step("the import undone")

	if _, err := db.write.Exec("DELETE FROM settings WHERE key = ?", settingSortKeys); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.Exec("UPDATE contacts SET sort_name = 'zzz' || sort_name WHERE id % 5 = 0"); err != nil {
		t.Fatal(err)
	}
	if err := db.rekey(ctx); err != nil {
		t.Fatal(err)
	}
	step("sort keys computed again")
}

// squashKeys numbers the contacts' keys 1, 2, 3… in name order and
// indexes them again, so no two neighbours have room between them.
func squashKeys(t *testing.T, db *DB) {
	t.Helper()
	for _, q := range []string{
		"DELETE FROM contacts_fts",
		"UPDATE contacts SET search_key = NULL",
		`UPDATE contacts SET search_key = k.n FROM (SELECT id, row_number() OVER (ORDER BY sort_name, id) AS n FROM contacts) AS k
			WHERE k.id = contacts.id`,
		`INSERT INTO contacts_fts (rowid, name, email, phone, company, extra)
			SELECT c.search_key, c.first_name || ' ' || c.last_name, c.email, c.phone || ' ' || c.mobile,
			coalesce(co.name || ' ' || co.name_extra, ''), c.search_extra
			FROM contacts c LEFT JOIN companies co ON co.id = c.company_id ORDER BY c.search_key`,
	} {
		if _, err := db.write.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

func searchKeys(t *testing.T, db *DB) map[int64]int64 {
	t.Helper()
	rows, err := db.read.Query("SELECT id, search_key FROM contacts")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var id, key int64
		if err := rows.Scan(&id, &key); err != nil {
			t.Fatal(err)
		}
		out[id] = key
	}
	return out
}

// TestSearchKeysWithoutRoom: when a write lands between two keys with no
// room between them — a create, a rename, an import of a few rows, a bulk
// import — the keys are renumbered and the write goes through; contacts
// created one after another with one name step past each other and need
// no renumbering.
func TestSearchKeysWithoutRoom(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	for _, n := range []string{"Aa", "Bb", "Dd", "Ee", "Gg"} {
		mustContact(t, db, "", n, "", 0)
	}
	check := func(what string, queries ...string) {
		t.Helper()
		t.Run(what, func(t *testing.T) {
			checkSearchKeys(t, db)
			checkSearchPages(t, db, append(queries, "aa", "bb", "cc", "dd", "ee", "gg"))
		})
	}

	squashKeys(t, db)
	mustContact(t, db, "", "Cc", "", 0)
	check("a create between 2 and 3")
	if keys := searchKeys(t, db); keys[1] == 1 {
		t.Error("the keys were not renumbered")
	}

	squashKeys(t, db)
	ee, err := db.ListContacts(ctx, app.ContactFilter{Query: "ee"})
	if err != nil || len(ee) != 1 {
		t.Fatal(err, len(ee))
	}
	ee[0].LastName = "Bc"
	if err := db.UpdateContact(ctx, &ee[0]); err != nil {
		t.Fatal(err)
	}
	check("a rename into a gap of none", "bc")

	squashKeys(t, db)
	few := []app.Contact{{LastName: "Ba"}, {LastName: "Bd"}, {LastName: "Ca"}}
	if res, err := db.ImportContacts(ctx, few); err != nil || res.Inserted != 3 {
		t.Fatal(err, res.Inserted)
	}
	check("an import of a few rows", "ba", "bd", "ca")

	squashKeys(t, db)
	b := startBatch(t, db, app.KindContact, app.DupSkip)
	var rows []app.ImportRow[app.Contact]
	for j := range 300 {
		rows = append(rows, app.ImportRow[app.Contact]{Row: j + 1, Value: app.Contact{FirstName: fmt.Sprint(j), LastName: "Ef"}})
	}
	if _, err := db.ImportContactRows(ctx, b.ID, app.DupSkip, rows); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishImport(ctx, b); err != nil {
		t.Fatal(err)
	}
	check("a bulk import of 300 into a gap of one", "ef")

	// One name, created one at a time 100 times, then imported 300 at a
	// time 6 times: each new contact goes after the others of that name,
	// into the same gap, and takes the next step after the last (halving
	// what is left each time, the creates would run out after 32; each
	// import spread over the whole gap, the imports after 4); no other
	// contact's key moves.
	before := searchKeys(t, db)
	for range 100 {
		mustContact(t, db, "", "Ef", "", 0)
	}
	for range 6 {
		same := make([]app.Contact, 300)
		for j := range same {
			same[j].LastName = "Ef"
		}
		if res, err := db.ImportContacts(ctx, same); err != nil || res.Inserted != 300 {
			t.Fatal(err, res.Inserted)
		}
	}
	after := searchKeys(t, db)
	for id, k := range before {
		if after[id] != k {
			t.Fatalf("contact %d's key moved from %d to %d: the same name written again renumbered the keys", id, k, after[id])
		}
	}
	check("one name written 1900 times", "ef")
}

// TestSearchByNamePlan: a search's page is read from contacts_fts in
// rowid order (its first matches, no sort of them all) and each contact
// found by its key.
func TestSearchByNamePlan(t *testing.T) {
	db := openTest(t)
	plan := strings.Join(queryPlan(t, db, searchByNameSQL), "\n")
	if strings.Contains(plan, "TEMP B-TREE") || !strings.Contains(plan, "contacts_fts VIRTUAL TABLE") ||
		!strings.Contains(plan, "contacts_search_key") {
		t.Errorf("the search by name sorts its matches or does not find contacts by key; plan:\n%s", plan)
	}
	// The triggers' neighbour seeks (as migration 0018 writes them, which
	// may not name an index) use contacts_keyed, which holds the keys.
	for _, q := range []string{
		`SELECT x.search_key FROM contacts x WHERE x.search_key IS NOT NULL AND (x.sort_name, x.id) < (?, ?)
		 ORDER BY x.sort_name DESC, x.id DESC LIMIT 1`,
		`SELECT x.search_key FROM contacts x WHERE x.search_key IS NOT NULL AND (x.sort_name, x.id) > (?, ?)
		 ORDER BY x.sort_name, x.id LIMIT 1`,
	} {
		ms, err := migrations()
		if err != nil {
			t.Fatal(err)
		}
		m := ms[slices.IndexFunc(ms, func(m migration) bool { return strings.Contains(m.name, "contact_search_keys") })]
		inTrigger := strings.ReplaceAll(q, "(?, ?)", "(new.sort_name, new.id)")
		if !strings.Contains(strings.Join(strings.Fields(m.sql), " "), strings.Join(strings.Fields(inTrigger), " ")) {
			t.Fatalf("the migration has no neighbour seek %q", oneLine(q))
		}
		plan := strings.Join(queryPlan(t, db, q), "\n")
		if !strings.Contains(plan, "COVERING INDEX contacts_keyed") || strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("a neighbour seek does not walk contacts_keyed; plan:\n%s", plan)
		}
	}
}

// TestSearchKeysMigration: migration 0018 keys the contacts of a store
// that 0017 left in name order and numbers contacts_fts by them; searches
// and later writes work on the migrated store.
func TestSearchKeysMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tandem.db")
	raw, conn := storeBefore(t, path, "contact_search_keys")
	// Contacts as the version before wrote them (its triggers index them
	// by id), some at a company.
	if _, err := conn.ExecContext(ctx, insertCompanySQL, companyArgs(&app.Company{Name: "Acme Ltd"}, 1)...); err != nil {
		t.Fatal(err)
	}
	g := newGen(5)
	for i := range 300 {
		c := keyContact(g, i)
		if i%3 == 0 {
			c.CompanyID = 1
		}
		c.Normalize()
		if _, err := conn.ExecContext(ctx, insertContactSQL, contactArgs(&c, 1)...); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close()
	raw.Close()

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	checkSearchKeys(t, db)
	checkSearchPages(t, db, append(keyQueries, "acme"))
	c := mustContact(t, db, "", "Newcomer", "", 1)
	if cs, err := db.ListContacts(ctx, app.ContactFilter{Query: "newc"}); err != nil || len(cs) != 1 || cs[0].ID != c.ID {
		t.Errorf("a contact created after the migration: %v %v", cs, err)
	}
	checkSearchKeys(t, db)
}

// TestUnfinishedImportIsKeyedAtOpen: an import's batches leave their
// contacts unkeyed until it finishes; when it never finishes (the app
// closed during it), the next open keys and indexes them, so nothing it
// wrote stays out of the search.
func TestUnfinishedImportIsKeyedAtOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tandem.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	mustContact(t, db, "", "Before", "", 0)
	b := startBatch(t, db, app.KindContact, app.DupSkip)
	var rows []app.ImportRow[app.Contact]
	for j := range 400 {
		rows = append(rows, app.ImportRow[app.Contact]{Row: j + 1, Value: app.Contact{LastName: fmt.Sprintf("Halfway%d", j)}})
	}
	if _, err := db.ImportContactRows(ctx, b.ID, app.DupSkip, rows); err != nil {
		t.Fatal(err)
	}
	db.Close() // no FinishImport

	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkSearchKeys(t, db)
	if n, err := db.CountContacts(ctx, app.ContactFilter{Query: "halfway"}); err != nil || n != 400 {
		t.Errorf("after reopening, the unfinished import's contacts found: %d %v, want 400", n, err)
	}
}

// BenchmarkRenumberContacts100k: what a write pays, once, when two
// neighbours have no room left between their keys: every contact keyed
// again and indexed again, over 100k contacts (rolled back each time).
// The floor is the index alone written again in key order, the same run
// (x-floor: what the keys add).
func BenchmarkRenumberContacts100k(b *testing.B) {
	db := benchDB(b)
	ctx := context.Background()
	var ours, floor time.Duration
	run := func(d *time.Duration, fn func(tx *sql.Tx) error) {
		tx, err := db.write.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer tx.Rollback()
		start := time.Now()
		if err := fn(tx); err != nil {
			b.Fatal(err)
		}
		*d += time.Since(start)
	}
	for b.Loop() {
		run(&ours, func(tx *sql.Tx) error { return renumberContacts(ctx, tx) })
		b.StopTimer()
		run(&floor, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, "DELETE FROM contacts_fts"); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO contacts_fts (rowid, name, email, phone, company, extra)
				SELECT c.search_key, c.first_name || ' ' || c.last_name, c.email, c.phone || ' ' || c.mobile,
				coalesce(co.name || ' ' || co.name_extra, ''), c.search_extra
				FROM contacts c LEFT JOIN companies co ON co.id = c.company_id ORDER BY c.search_key`)
			return err
		})
		b.StartTimer()
	}
	b.ReportMetric(ours.Seconds()/float64(b.N), "renumber-s")
	b.ReportMetric(floor.Seconds()/float64(b.N), "floor-reindex-s")
	b.ReportMetric(float64(ours)/float64(floor), "x-floor")
}
