package views

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/text/encoding/japanese"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/store"
	"github.com/tandem-crm/tandem/app/transfer"
)

func transferCRM(db *store.DB) app.CRM {
	return app.CRM{Contacts: db, Companies: db, Pipelines: db, Imports: db, Export: db}
}

// find returns the first visible widget of type T on screen that ok accepts.
func find[T any](t *testing.T, m *mainWindow, what string, ok func(T) bool) T {
	t.Helper()
	for _, o := range objects(m) {
		if w, is := o.(T); is && o.Visible() && ok(w) {
			return w
		}
	}
	t.Fatalf("no %s on screen", what)
	var zero T
	return zero
}

func TestImportShiftJISThroughTheDialogThenUndo(t *testing.T) {
	ctx := context.Background()
	db := newTestDB(t)
	crm := transferCRM(db)
	// Already in Tandem: 山田 with an old title; the file updates it.
	yamada := mustContact(t, crm, app.Contact{LastName: "山田", FirstName: "太郎", Email: "taro@example.jp", Title: "課長", Phone: "03-0000-0000"})
	m := newTestWindow(t, crm)

	csv := "姓,名,メールアドレス,電話番号,携帯,会社名,役職,住所\r\n" +
		"山田,太郎,TARO@example.jp,,090-1111-2222,山田商事,部長,東京都千代田区1-1\r\n" +
		"髙橋,花子,hanako@example.jp,03-1234-5678,,株式会社①,,\r\n" +
		"佐藤,,not-an-email,,,,,\r\n"
	sj, err := japanese.ShiftJIS.NewEncoder().Bytes([]byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "顧客.csv")
	if err := os.WriteFile(path, sj, 0o600); err != nil {
		t.Fatal(err)
	}

	// Ctrl+I opens Import… on the Contacts screen.
	m.shortcut(shortcutImport)
	w := m.importing
	if w == nil || w.kind != app.KindContact || len(m.open) != 1 {
		t.Fatal("Ctrl+I did not open the import dialog for contacts")
	}
	w.choose(path) // what the file picker hands over
	settle(m)
	tap(m, button(t, m, "Next"))

	// Step 2: the encoding is detected and the preview reads correctly.
	if !hasText(m, "Shift_JIS (CP932)") {
		t.Error("the detected encoding is not shown")
	}
	if w.sample[1].Fields[0] != "髙橋" || w.sample[1].Fields[5] != "株式会社①" {
		t.Errorf("preview: %q", w.sample[1].Fields)
	}
	tap(m, button(t, m, "Next"))

	// Step 3: the Japanese headers are guessed; the bad row shows why.
	want := []string{"last_name", "first_name", "email", "phone", "mobile", "company", "title", transfer.KeyAddNotes}
	if !reflect.DeepEqual(w.mapping, want) {
		t.Errorf("mapping %q, want %q", w.mapping, want)
	}
	if !hasText(m, "1 of these rows would be refused.") {
		t.Error("the preview does not count the refused row")
	}
	tap(m, button(t, m, "Next"))

	// Step 4: duplicates are updated.
	radio := find(t, m, "duplicates choice", func(r *widget.RadioGroup) bool { return len(r.Options) == 3 })
	radio.SetSelected("Update the existing record")
	if w.dup != app.DupUpdate {
		t.Fatalf("dup = %s", w.dup)
	}
	tap(m, button(t, m, "Import"))
	settle(m)

	b := w.summary.Batch
	if w.step != 5 || b.Created != 1 || b.Updated != 1 || b.Refused != 1 {
		t.Fatalf("summary: step %d, %+v, refusals %+v", w.step, b, w.summary.Refusals)
	}
	if r := w.summary.Refusals; len(r) != 1 || r[0].Row != 3 || !strings.Contains(describeAll(app.KindContact, r[0].Errors), "Email: Not a valid email address") {
		t.Errorf("refusal: %+v", r)
	}
	got, _ := db.FindContact(ctx, yamada.ID)
	if got.Title != "部長" || got.Mobile != "090-1111-2222" || got.CompanyName != "山田商事" || got.Phone != "03-0000-0000" ||
		!strings.Contains(got.Notes, "住所: 東京都千代田区1-1") {
		t.Errorf("updated contact: %+v", got)
	}
	if m.contacts.list.total != 2 {
		t.Errorf("the list shows %d contacts after the import", m.contacts.list.total)
	}
	// The refused rows can be saved, with a reason column, for a re-import.
	out := filepath.Join(t.TempDir(), "refused.csv")
	w.saveRefused(out)
	settle(m)
	rb, _ := os.ReadFile(out)
	if !strings.HasPrefix(string(rb), "\ufeff姓,名,") || !strings.Contains(string(rb), "Reason") || !strings.Contains(string(rb), "佐藤,,not-an-email") ||
		!strings.Contains(string(rb), "Not a valid email address") {
		t.Errorf("refused rows file:\n%s", rb)
	}

	// Undo takes it all back.
	tap(m, button(t, m, "Undo import"))
	// Removed: 髙橋 and the two companies the import created.
	if w.undoRes == nil || w.undoRes.Removed != 3 || w.undoRes.Restored != 1 {
		t.Fatalf("undo: %+v", w.undoRes)
	}
	got, _ = db.FindContact(ctx, yamada.ID)
	if got.Title != "課長" || got.Mobile != "" || got.CompanyID != 0 {
		t.Errorf("not restored: %+v", got)
	}
	if n, _ := db.CountContacts(ctx, app.ContactFilter{}); n != 1 {
		t.Errorf("%d contacts after undo", n)
	}
	if n, _ := db.CountCompanies(ctx, app.CompanyFilter{}); n != 0 {
		t.Errorf("%d companies after undo", n)
	}
	tap(m, button(t, m, "Close"))
	if len(m.open) != 0 {
		t.Error("the dialog did not close")
	}
}

func TestExportThenReimportIsLossless(t *testing.T) {
	ctx := context.Background()
	src := newTestDB(t)
	crm := transferCRM(src)
	co := app.Company{Name: "株式会社 桜", City: "大阪"}
	if err := src.CreateCompany(ctx, &co); err != nil {
		t.Fatal(err)
	}
	want := []app.Contact{
		{LastName: "山田", FirstName: "太郎", Email: "taro@example.jp", Phone: "+81 3-1234-5678", Mobile: "090-1111-2222", Title: "部長",
			CompanyID: co.ID, Notes: "複数行の\nメモ, \"引用\" 🎉"},
		{LastName: "=HYPERLINK(\"http://evil.example/\",\"x\")", FirstName: "@SUM(1)", Title: "\t=1+1", Notes: "-5 and +6"},
		{LastName: "Smith", FirstName: "Emma", Email: "emma@example.com"},
	}
	for i := range want {
		if err := src.CreateContact(ctx, &want[i]); err != nil {
			t.Fatal(err)
		}
	}
	m := newTestWindow(t, crm)
	dir := t.TempDir()
	for _, f := range []struct {
		label, file string
	}{{"CSV for Excel (UTF-8 with BOM)", "out.csv"}, {"Excel workbook (.xlsx)", "out.xlsx"}} {
		m.openExport()
		d := m.exporting
		if !d.protect.Checked || d.protect.Text != "Protect against spreadsheet formulas (recommended)" {
			t.Fatal("formula protection is not on by default")
		}
		d.format.SetSelected(f.label)
		path := filepath.Join(dir, f.file)
		d.write(path) // what the save dialog hands over
		settle(m)
		if !strings.Contains(d.status.Text, "Exported 3 rows") {
			t.Fatalf("%s: %q", f.file, d.status.Text)
		}
		tap(m, button(t, m, "Close"))
		if f.file == "out.csv" {
			b, _ := os.ReadFile(path)
			if !strings.HasPrefix(string(b), "\ufeff") || strings.Contains(string(b), ",=HYPERLINK") || !strings.Contains(string(b), `"'=HYPERLINK`) {
				t.Errorf("export is not Excel-safe:\n%s", b)
			}
		}

		// Into a fresh database through the import dialog.
		dst := newTestDB(t)
		m2 := newTestWindow(t, transferCRM(dst))
		m2.openImport()
		w := m2.importing
		w.choose(path)
		settle(m2)
		for range 3 {
			tap(m2, button(t, m2, "Next"))
		}
		tap(m2, button(t, m2, "Import"))
		settle(m2)
		if w.summary.Batch.Created != 3 || w.summary.Batch.Refused != 0 {
			t.Fatalf("%s re-import: %+v %+v", f.file, w.summary.Batch, w.summary.Refusals)
		}
		for _, c := range want {
			got, err := dst.ListContacts(ctx, app.ContactFilter{Sort: app.SortByName, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, g := range got {
				if g.LastName == c.LastName {
					found = true
					if g.FirstName != c.FirstName || g.Email != c.Email || g.Phone != c.Phone || g.Mobile != c.Mobile ||
						g.Title != c.Title || g.Notes != c.Notes || g.CompanyName != c.CompanyName {
						t.Errorf("%s: %+v\nwant %+v", f.file, g, c)
					}
				}
			}
			if !found {
				t.Errorf("%s: %q lost", f.file, c.LastName)
			}
		}
	}
}

// TestImportStringsTranslated: the field labels, choices and every message
// the engine can produce are in both languages (they are not literals in
// the views, so TestTranslationsComplete cannot see them).
func TestImportStringsTranslated(t *testing.T) {
	en, ja := readJSON(t, "en.json"), readJSON(t, "ja.json")
	var keys []string
	for _, kind := range []string{app.KindContact, app.KindCompany, app.KindRecord} {
		for _, f := range transfer.FieldsOf(kind) {
			keys = append(keys, f.Label)
		}
	}
	for _, c := range dupChoices {
		keys = append(keys, c.label, c.about)
	}
	for _, f := range exportFormats {
		keys = append(keys, f.label)
	}
	for _, d := range delimiters {
		keys = append(keys, d.label)
	}
	for _, k := range kindLabels {
		keys = append(keys, k.label)
	}
	keys = append(keys, transfer.MsgNoSuchStage, store.MsgNoContactEmail, "Created", "Updated", "Skipped (duplicates)", "Refused")
	// Every message template in the engine's sources.
	files, _ := filepath.Glob("../app/transfer/*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || strings.HasSuffix(f, "detect.go") { // encoding names stay as they are
			continue
		}
		b, _ := os.ReadFile(f)
		for _, line := range strings.Split(string(b), "\n") {
			for _, marker := range []string{`Message: "`, `Errorf(app.EINVALID, "`, `r.Problem, r.ProblemArgs = "`, `rec.ProblemArgs = "`, `return "`} {
				if i := strings.Index(line, marker); i >= 0 {
					rest := line[i+len(marker):]
					if j := strings.Index(rest, `"`); j > 0 && rest[0] >= 'A' && rest[0] <= 'Z' && strings.Contains(rest[:j], " ") {
						keys = append(keys, rest[:j])
					}
				}
			}
		}
	}
	if len(keys) < 60 {
		t.Fatalf("only %d keys found: the scan is broken", len(keys))
	}
	for _, k := range keys {
		if _, ok := en[k]; !ok {
			t.Errorf("en lacks %q", k)
		}
		if _, ok := ja[k]; !ok {
			t.Errorf("ja lacks %q", k)
		}
	}
}

func TestImportDialogInJapanese(t *testing.T) {
	useLanguage("ja")
	t.Cleanup(func() { useLanguage("en") })
	db := newTestDB(t)
	m := newTestWindow(t, transferCRM(db))
	path := filepath.Join(t.TempDir(), "a.csv")
	os.WriteFile(path, []byte("氏名,メール\n山田 太郎,bad\n"), 0o600)
	m.openImport()
	m.importing.choose(path)
	settle(m)
	tap(m, button(t, m, lang.L("Next")))
	tap(m, button(t, m, lang.L("Next")))
	if !hasText(m, "このうち 1 行は取り込めません。") {
		t.Error("the refused count is not in Japanese")
	}
}

// TestImportFileFromOutside: a file handed to Tandem from outside (a file
// manager's "Open with", `tandem FILE`) opens Import… on it; a vCard goes
// to Contacts whatever the screen; a second file while the dialog is open
// does not replace what is in it.
func TestImportFileFromOutside(t *testing.T) {
	db := newTestDB(t)
	m := newTestWindow(t, transferCRM(db))
	m.nav.Select(1) // Companies
	settle(m)
	dir := t.TempDir()
	vcf := filepath.Join(dir, "phone.vcf")
	if err := os.WriteFile(vcf, []byte("BEGIN:VCARD\r\nVERSION:3.0\r\nN:山田;太郎;;;\r\nFN:山田 太郎\r\nEMAIL:taro@example.jp\r\nEND:VCARD\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	(&Window{m: m}).Import(vcf)
	settle(m)
	w := m.importing
	if w == nil || len(m.open) != 1 {
		t.Fatal("Import did not open the import dialog")
	}
	if w.kind != app.KindContact || w.path != vcf {
		t.Errorf("dialog for kind %q on %q, want contacts on the vCard", w.kind, w.path)
	}
	if !hasText(m, "phone.vcf") {
		t.Error("the chosen file is not named in the dialog")
	}
	csv := filepath.Join(dir, "other.csv")
	if err := os.WriteFile(csv, []byte("name\nAcme\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	(&Window{m: m}).Import(csv)
	settle(m)
	if m.importing != w || w.path != vcf || len(m.open) != 1 {
		t.Errorf("a second file replaced the open dialog: %q, %d dialogs", m.importing.path, len(m.open))
	}
}
