package views

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tandem-crm/tandem/app"
)

// japaneseContacts adds contacts a Japanese address book would hold, with
// readings, and one without.
func japaneseContacts(t *testing.T, crm app.CRM) {
	t.Helper()
	co := app.Company{Name: "株式会社山田商事", NameReading: "やまだしょうじ"}
	if err := crm.Companies.CreateCompany(t.Context(), &co); err != nil {
		t.Fatal(err)
	}
	for _, c := range []app.Contact{
		{LastName: "山田", FirstName: "太郎", LastNameReading: "やまだ", FirstNameReading: "たろう", Email: "taro@yamada.example.jp", CompanyID: co.ID},
		{LastName: "佐藤", FirstName: "花子", LastNameReading: "さとう", FirstNameReading: "はなこ", Email: "hanako@example.jp"},
		{LastName: "安藤", FirstName: "健", LastNameReading: "あんどう", FirstNameReading: "けん"},
		{LastName: "渡辺", FirstName: "誠", LastNameReading: "わたなべ", FirstNameReading: "まこと"},
		{LastName: "高橋", FirstName: "一郎", LastNameReading: "たかはし", FirstNameReading: "いちろう"},
		{LastName: "中村", FirstName: "愛", LastNameReading: "なかむら", FirstNameReading: "あい"},
		{LastName: "Smith", FirstName: "John", Email: "john@example.com"},
		{LastName: "伊藤", FirstName: "真"}, // no reading
	} {
		mustContact(t, crm, c)
	}
}

// TestSearchByKana is the report's やまだ: a search by reading, in
// hiragana, katakana or half-width katakana, finds 山田 太郎, typed into
// the real search field.
func TestSearchByKana(t *testing.T) {
	crm := newTestCRM(t)
	japaneseContacts(t, crm)
	m := newTestWindow(t, crm)
	for _, q := range []string{"やまだ", "ヤマダ", "ﾔﾏﾀﾞ", "たろう", "やまだしょうじ"} {
		m.contacts.search.SetText("")
		settle(m)
		typeIn(m, m.contacts.search, q)
		if m.contacts.list.total != 1 || !hasText(m, "山田 太郎") {
			t.Errorf("search %q: %d contacts", q, m.contacts.list.total)
		}
	}
}

// TestContactsSortedByReading: the list is in gojūon order by reading,
// names without one last, and the index beside it jumps to a row.
func TestContactsSortedByReading(t *testing.T) {
	useLanguage("ja_JP.UTF-8")
	t.Cleanup(func() { useLanguage("en") })
	crm := newTestCRM(t)
	japaneseContacts(t, crm)
	m := newTestWindow(t, crm)
	var got []string
	for i := 0; i < m.contacts.list.total; i++ {
		c, _ := m.contacts.list.item(i)
		got = append(got, c.DisplayName())
	}
	want := []string{"安藤 健", "佐藤 花子", "高橋 一郎", "中村 愛", "山田 太郎", "渡辺 誠", "John Smith", "伊藤 真"}
	if len(got) != len(want) {
		t.Fatalf("list = %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("list = %q, want %q", got, want)
		}
	}
	var labels []string
	for _, e := range m.contacts.index.entries {
		labels = append(labels, e.Label)
	}
	if len(labels) != 8 || labels[0] != "あ" || labels[4] != "や" || labels[6] != "S" || labels[7] != "#" {
		t.Errorf("index = %q", labels)
	}
	if !m.contacts.index.scroll.Visible() {
		t.Error("the index is hidden")
	}
	// Tapping や shows 山田 at the top of the list.
	for _, o := range m.contacts.index.box.Objects {
		if c := o.(*indexCell); c.entry.Label == "や" {
			test.Tap(c)
		}
	}
	settle(m)
	if off := m.contacts.list.list.GetScrollOffset(); off <= 0 {
		t.Errorf("the list did not scroll (offset %v)", off)
	}
	// Sorted by last update, there is no index.
	m.contacts.sort.SetSelectedIndex(1)
	settle(m)
	if m.contacts.index.scroll.Visible() {
		t.Error("an index beside a list sorted by update")
	}
}

// TestReadingInTheForm: the form has 姓の読み and 名の読み after the names,
// and what is typed there, half-width or not, is kept in full width.
func TestReadingInTheForm(t *testing.T) {
	useLanguage("ja_JP.UTF-8")
	t.Cleanup(func() { useLanguage("en") })
	crm := newTestCRM(t)
	m := newTestWindow(t, crm)
	m.contacts.create()
	settle(m)
	f := m.contacts.form
	if !hasText(m, "姓の読み") || !hasText(m, "名の読み") {
		t.Fatal("no reading fields")
	}
	typeIn(m, f.last, "鈴木")
	typeIn(m, f.first, "一郎")
	typeIn(m, f.lastReading, "ｽｽﾞｷ")
	typeIn(m, f.firstReading, "いちろう")
	tap(m, f.save)
	cs, err := crm.Contacts.ListContacts(t.Context(), app.ContactFilter{Query: "すずき"})
	if err != nil || len(cs) != 1 || cs[0].LastNameReading != "スズキ" || cs[0].FirstNameReading != "いちろう" {
		t.Fatalf("saved: %+v, %v", cs, err)
	}
	if !hasText(m, "スズキ いちろう") {
		t.Error("the detail page does not show the reading")
	}
	// Kanji is not a reading.
	m.contacts.openForm(&cs[0])
	settle(m)
	f = m.contacts.form
	f.lastReading.SetText("鈴木")
	tap(m, f.save)
	if got := f.fields.errorText("LastNameReading"); got != "読みはかなで入力してください" {
		t.Errorf("a kanji reading: %q", got)
	}
}
