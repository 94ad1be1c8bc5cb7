package views

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/lang"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/sample"
)

func TestMain(m *testing.M) {
	useLanguage("en")
	os.Exit(m.Run())
}

// useLanguage makes lang pick the given language, as the system locale would.
func useLanguage(code string) {
	for _, k := range []string{"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"} {
		os.Setenv(k, code)
	}
	if err := LoadTranslations(); err != nil {
		panic(err)
	}
}

// readJSON merges a language's translation files: name ("en.json") and
// every "<prefix>.<name>" beside it, as lang.AddTranslationsFS loads them.
func readJSON(t *testing.T, name string) map[string]any {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("translations", "*."+name))
	files = append(files, filepath.Join("translations", name))
	m := map[string]any{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		part := map[string]any{}
		if err := json.Unmarshal(b, &part); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for k, v := range part {
			m[k] = v
		}
	}
	return m
}

func TestJapaneseScreens(t *testing.T) {
	useLanguage("ja_JP.UTF-8")
	t.Cleanup(func() { useLanguage("en") })
	if got := lang.L(app.MsgRequired); got != "必須項目です" {
		t.Fatalf("lang did not switch to Japanese: %q", got)
	}
	crm := newTestCRM(t)
	mustContact(t, crm, app.Contact{FirstName: "花子", LastName: "佐藤", Email: "hanako@example.jp"})
	m := newTestWindow(t, crm)
	if !hasText(m, "連絡先") || !hasText(m, "1 件の連絡先") || !hasText(m, "佐藤 花子") {
		t.Error("the contacts screen is not in Japanese")
	}
	m.contacts.create()
	settle(m)
	f := m.contacts.form
	tap(m, f.save)
	if got := f.fields.errorText("LastName"); got != "必須項目です" {
		t.Errorf("validation message = %q", got)
	}
	if !hasText(m, "姓 *") {
		t.Error("form labels are not in Japanese")
	}
	m.escape()
	if err := sample.Load(context.Background(), crm, 2, sample.Demo); err != nil {
		t.Fatal(err)
	}
	m.refreshAll()
	settle(m)
	m.contacts.list.list.Select(1)
	writePNG(t, m, "contacts-ja.png")
	m.nav.Select(2)
	writePNG(t, m, "pipelines-ja.png")
}
