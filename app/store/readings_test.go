package store

import (
	"context"
	"slices"
	"testing"

	"github.com/tandem-crm/tandem/app"
)

func readingsDB(t *testing.T) *DB {
	t.Helper()
	ctx := context.Background()
	db := openTest(t)
	yamada := app.Company{Name: "株式会社山田商事", NameReading: "やまだしょうじ"}
	if err := db.CreateCompany(ctx, &yamada); err != nil {
		t.Fatal(err)
	}
	for _, c := range []app.Contact{
		{LastName: "山田", FirstName: "太郎", LastNameReading: "やまだ", FirstNameReading: "たろう", CompanyID: yamada.ID},
		{LastName: "佐藤", FirstName: "花子", LastNameReading: "さとう", FirstNameReading: "はなこ"},
		{LastName: "安藤", FirstName: "健", LastNameReading: "ｱﾝﾄﾞｳ", FirstNameReading: "ｹﾝ"}, // half-width, as typed
		{LastName: "渡辺", FirstName: "誠", LastNameReading: "わたなべ", FirstNameReading: "まこと"},
		{LastName: "学", FirstName: "", LastNameReading: "がく"},
		{LastName: "カトウ", FirstName: "ユミ"}, // written in kana: read as written
		{LastName: "Smith", FirstName: "John"},
		{LastName: "伊藤", FirstName: "一郎"}, // no reading
	} {
		if err := db.CreateContact(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// TestSearchByReading: a contact is found by its reading written in
// hiragana, katakana or half-width katakana, in part or whole, and by its
// company's reading.
func TestSearchByReading(t *testing.T) {
	ctx := context.Background()
	db := readingsDB(t)
	for q, want := range map[string][]string{
		"やまだ":     {"山田 太郎"},
		"ヤマダ":     {"山田 太郎"},
		"ﾔﾏﾀﾞ":    {"山田 太郎"},
		"やま":      {"山田 太郎"},
		"たろう":     {"山田 太郎"},
		"やまだたろう":  {"山田 太郎"},
		"あんどう":    {"安藤 健"},
		"アンドウ ケン": {"安藤 健"},
		"かとう":     {"カトウ ユミ"}, // a katakana name by hiragana
		"カト":      {"カトウ ユミ"},
		"しょうじ":    {"山田 太郎"}, // the company's reading, inside it
		"山田":      {"山田 太郎"},
	} {
		cs, err := db.ListContacts(ctx, app.ContactFilter{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		if got := names(cs); !slices.Equal(got, want) {
			t.Errorf("search %q = %q, want %q", q, got, want)
		}
	}
	cos, err := db.ListCompanies(ctx, app.CompanyFilter{Query: "ヤマダ"})
	if err != nil || len(cos) != 1 {
		t.Errorf("company by reading: %v, %v", cos, err)
	}
}

// TestSortByReading: contacts are listed by reading in gojūon order, kana
// names read as written, then Latin names, then those with no reading;
// the index gives each row's offset in that list.
func TestSortByReading(t *testing.T) {
	ctx := context.Background()
	db := readingsDB(t)
	cs, err := db.ListContacts(ctx, app.ContactFilter{Sort: app.SortByName})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"安藤 健", "学", "カトウ ユミ", "佐藤 花子", "山田 太郎", "渡辺 誠", "John Smith", "伊藤 一郎"}
	if got := names(cs); !slices.Equal(got, want) {
		t.Fatalf("order\n got %q\nwant %q", got, want)
	}
	idx, err := db.IndexContacts(ctx, app.ContactFilter{})
	if err != nil {
		t.Fatal(err)
	}
	wantIdx := []app.IndexEntry{{Label: "あ", Offset: 0, Count: 1}, {Label: "か", Offset: 1, Count: 2}, {Label: "さ", Offset: 3, Count: 1}, {Label: "や", Offset: 4, Count: 1}, {Label: "わ", Offset: 5, Count: 1}, {Label: "S", Offset: 6, Count: 1}, {Label: "#", Offset: 7, Count: 1}}
	if !slices.Equal(idx, wantIdx) {
		t.Errorf("index\n got %v\nwant %v", idx, wantIdx)
	}
	// The index of a search counts what the search finds.
	idx, err = db.IndexContacts(ctx, app.ContactFilter{Query: "やまだ"})
	if err != nil || !slices.Equal(idx, []app.IndexEntry{{Label: "や", Offset: 0, Count: 1}}) {
		t.Errorf("index of a search = %v, %v", idx, err)
	}

	// Giving a reading moves a contact into place.
	c := cs[len(cs)-1]
	c.LastNameReading, c.FirstNameReading = "いとう", "いちろう"
	if err := db.UpdateContact(ctx, &c); err != nil {
		t.Fatal(err)
	}
	cs, _ = db.ListContacts(ctx, app.ContactFilter{})
	if got := names(cs)[1]; got != "伊藤 一郎" {
		t.Errorf("after a reading was given: %q", names(cs))
	}
	got, _ := db.FindContact(ctx, c.ID)
	if got.LastNameReading != "いとう" || got.FirstNameReading != "いちろう" || got.Reading() != "いとう いちろう" {
		t.Errorf("reading not kept: %+v", got)
	}
}

// TestRekeyDoesNotResync: computing the keys again (a new ordering) leaves
// the change log alone, so nothing is pushed to Desk again.
func TestRekeyDoesNotResync(t *testing.T) {
	ctx := context.Background()
	db := readingsDB(t)
	var before int64
	if err := db.read.QueryRow("SELECT max(seq) FROM crm_changes").Scan(&before); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.Exec("UPDATE contacts SET sort_name = 'stale', sort_initial = ''"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetSetting(ctx, settingSortKeys, "old"); err != nil {
		t.Fatal(err)
	}
	path := db.Path()
	db.Close()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var after int64
	var stale int
	if err := db.read.QueryRow("SELECT max(seq) FROM crm_changes").Scan(&after); err != nil {
		t.Fatal(err)
	}
	if err := db.read.QueryRow("SELECT count(*) FROM contacts WHERE sort_name = 'stale' OR sort_initial = ''").Scan(&stale); err != nil {
		t.Fatal(err)
	}
	if after != before || stale != 0 {
		t.Errorf("rekey: change log %d → %d, %d stale keys", before, after, stale)
	}
	// An ordinary edit is still a change.
	c, _ := db.FindContact(ctx, 1)
	c.Title = "部長"
	if err := db.UpdateContact(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := db.read.QueryRow("SELECT max(seq) FROM crm_changes").Scan(&after); err != nil || after == before {
		t.Errorf("an edit did not mark the contact changed: %d, %v", after, err)
	}
}
