package views

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/text/encoding/japanese"

	"github.com/tandem-crm/tandem/app"
)

// TestImportShots writes a PNG of each step of Import… and of Export…, in
// English and Japanese, when TANDEM_SHOTS names a folder (for looking at,
// not a golden comparison).
func TestImportShots(t *testing.T) {
	dir := os.Getenv("TANDEM_SHOTS")
	if dir == "" {
		t.Skip("set TANDEM_SHOTS to a folder to write the screenshots")
	}
	for _, code := range []string{"en", "ja"} {
		useLanguage(code)
		db := newTestDB(t)
		crm := transferCRM(db)
		mustContact(t, crm, app.Contact{LastName: "山田", FirstName: "太郎", Email: "taro@example.jp", Title: "課長"})
		m := newTestWindow(t, crm)
		m.win.Resize(fyne.NewSize(1100, 720))
		csv := "姓,名,メールアドレス,電話番号,携帯,会社名,役職,住所\r\n" +
			"山田,太郎,TARO@example.jp,,090-1111-2222,山田商事,部長,東京都千代田区1-1\r\n" +
			"髙橋,花子,hanako@example.jp,03-1234-5678,,株式会社①,,\r\n" +
			"佐藤,,not-an-email,,,,,\r\n" +
			"\"田中,tanaka@example.jp\r\n鈴木\",一郎,ichiro@example.jp,,,,,\r\n"
		sj, _ := japanese.ShiftJIS.NewEncoder().Bytes([]byte(csv))
		path := filepath.Join(t.TempDir(), "顧客リスト.csv")
		os.WriteFile(path, sj, 0o600)
		shot := func(name string) {
			settle(m)
			img := m.win.Canvas().Capture()
			f, err := os.Create(filepath.Join(dir, code+"-"+name+".png"))
			if err != nil {
				t.Fatal(err)
			}
			png.Encode(f, img)
			f.Close()
		}
		m.openImport()
		shot("1-file-empty")
		w := m.importing
		w.choose(path)
		shot("1-file")
		tap(m, button(t, m, lang.L("Next")))
		shot("2-encoding-preview")
		tap(m, button(t, m, lang.L("Next")))
		shot("3-columns")
		tap(m, button(t, m, lang.L("Next")))
		find(t, m, "radio", func(r *widget.RadioGroup) bool { return len(r.Options) == 3 }).SetSelected(lang.L("Update the existing record"))
		shot("4-duplicates")
		tap(m, button(t, m, lang.L("Import")))
		shot("5-summary")
		tap(m, button(t, m, lang.L("Undo import")))
		shot("6-undone")
		tap(m, button(t, m, lang.L("Close")))
		m.openExport()
		shot("7-export")
		tap(m, button(t, m, lang.L("Close")))
	}
	useLanguage("en")
}
