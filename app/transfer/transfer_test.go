package transfer

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"

	"github.com/tandem-crm/tandem/app"
)

func encode(t testing.TB, e Encoding, s string) []byte {
	t.Helper()
	var b []byte
	var err error
	switch e {
	case ShiftJIS:
		b, err = japanese.ShiftJIS.NewEncoder().Bytes([]byte(s))
	case EUCJP:
		b, err = japanese.EUCJP.NewEncoder().Bytes([]byte(s))
	case UTF16LE:
		b, err = unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
	case UTF16BE:
		b, err = unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
	default:
		b = []byte(s)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const jaCSV = "姓,名,メールアドレス,電話番号,携帯,会社名,役職,住所\r\n" +
	"山田,太郎,taro@example.jp,03-1234-5678,090-1111-2222,山田商事,部長,東京都千代田区1-1\r\n" +
	"髙橋,花子,hanako@example.jp,,,株式会社①,,\r\n"

func TestDetect(t *testing.T) {
	cases := []struct {
		name  string
		file  string
		data  []byte
		enc   Encoding
		bom   bool
		delim rune
		f     Format
	}{
		{"utf8", "a.csv", []byte("last_name,email\nYamada,y@example.jp\n"), UTF8, false, ',', FormatDelimited},
		{"utf8 bom", "a.csv", append([]byte{0xEF, 0xBB, 0xBF}, jaCSV...), UTF8, true, ',', FormatDelimited},
		{"shift_jis", "a.csv", encode(t, ShiftJIS, jaCSV), ShiftJIS, false, ',', FormatDelimited},
		{"shift_jis cut mid-character", "a.csv", encode(t, ShiftJIS, jaCSV)[:41], ShiftJIS, false, ',', FormatDelimited},
		{"euc-jp", "a.csv", encode(t, EUCJP, "姓,名\n山田,太郎\n"), EUCJP, false, ',', FormatDelimited},
		{"utf-16le bom tsv (Excel Unicode text)", "a.txt", encode(t, UTF16LE, strings.ReplaceAll(jaCSV, ",", "\t")), UTF16LE, true, '\t', FormatDelimited},
		{"utf-16be bom", "a.csv", encode(t, UTF16BE, jaCSV), UTF16BE, true, ',', FormatDelimited},
		{"utf-16le without bom", "a.csv", encode(t, UTF16LE, "last_name,email\nYoung,y@example.com\n")[2:], UTF16LE, false, ',', FormatDelimited},
		{"semicolons", "a.csv", []byte("last_name;email\nA;b\n"), UTF8, false, ';', FormatDelimited},
		{"tsv by name", "a.tsv", []byte("last_name\n"), UTF8, false, '\t', FormatDelimited},
		{"comma inside quotes", "a.csv", []byte("\"a\tb\",c\n"), UTF8, false, ',', FormatDelimited},
		{"latin-1", "a.csv", []byte("last_name\nM\xfcller\n"), Windows1252, false, ',', FormatDelimited},
		{"vcard", "x.txt", []byte("BEGIN:VCARD\r\nVERSION:3.0\r\n"), UTF8, false, 0, FormatVCard},
		{"vcard shift_jis", "a.vcf", encode(t, ShiftJIS, "BEGIN:VCARD\r\nN:山田;太郎\r\n"), ShiftJIS, false, 0, FormatVCard},
		{"xlsx", "a.bin", []byte("PK\x03\x04rest"), UTF8, false, 0, FormatXLSX},
		{"xls", "a.xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 1, 2}, "", false, 0, FormatXLS},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := Detect(c.file, c.data)
			if d.Format != c.f || d.Encoding != c.enc || d.BOM != c.bom || d.Delimiter != c.delim {
				t.Errorf("got %+v, want format %s encoding %s bom %v delimiter %q", d, c.f, c.enc, c.bom, c.delim)
			}
		})
	}
}

func readAll(t testing.TB, src Source) []*Record {
	t.Helper()
	var out []*Record
	for {
		r, err := src.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
}

func TestDecodeEveryEncoding(t *testing.T) {
	for _, e := range []Encoding{UTF8, ShiftJIS, EUCJP, UTF16LE, UTF16BE} {
		src, err := NewDelimited(bytes.NewReader(encode(t, e, jaCSV)), e, ',')
		if err != nil {
			t.Fatal(e, err)
		}
		rows := readAll(t, src)
		if got := src.Header()[0]; got != "姓" {
			t.Errorf("%s: header %q", e, got)
		}
		if len(rows) != 2 || rows[0].Fields[0] != "山田" || rows[1].Fields[5] != "株式会社①" || rows[1].Problem != "" {
			t.Errorf("%s: rows %+v", e, rows)
		}
	}
}

func TestInvalidBytesRefuseTheirRowWithTheLine(t *testing.T) {
	in := "last_name,email\nYamada,y@example.jp\n\"Multi\nline\",m@example.jp\nBad\xff\xfe,b@example.jp\nOK,ok@example.jp\n"
	src, err := NewDelimited(strings.NewReader(in), UTF8, ',')
	if err != nil {
		t.Fatal(err)
	}
	rows := readAll(t, src)
	if len(rows) != 4 {
		t.Fatalf("rows: %+v", rows)
	}
	if rows[0].Problem != "" || rows[1].Problem != "" || rows[3].Problem != "" {
		t.Errorf("good rows refused: %+v", rows)
	}
	if p := Render(rows[2].Problem, rows[2].ProblemArgs); !strings.Contains(p, "Line 5") || !strings.Contains(p, "UTF-8") {
		t.Errorf("bad row: %q", rows[2].Problem)
	}
	// The same bytes read as Shift_JIS: 0xFF is not Shift_JIS either.
	src, _ = NewDelimited(strings.NewReader("last_name\nA\nB\xff\n"), ShiftJIS, ',')
	rows = readAll(t, src)
	if len(rows) != 2 || rows[0].Problem != "" || !strings.Contains(Render(rows[1].Problem, rows[1].ProblemArgs), "Line 3") {
		t.Errorf("shift_jis: %+v", rows)
	}
	// A valid U+FFFD in UTF-8 is kept, not taken for a bad byte.
	src, _ = NewDelimited(strings.NewReader("last_name\nA\ufffdB\n"), UTF8, ',')
	rows = readAll(t, src)
	if len(rows) != 1 || rows[0].Problem != "" || rows[0].Fields[0] != "A\ufffdB" {
		t.Errorf("valid U+FFFD: %+v", rows)
	}
}

func TestStrayQuotes(t *testing.T) {
	// A quote that closes three lines later: the field swallows two rows.
	in := "first_name,last_name,email\nTaro,\"Yamada,taro@example.jp\nHanako,Suzuki,hanako@example.jp\nJiro,Sato\",jiro@example.jp\nGoro,Ito,goro@example.jp\n"
	src, _ := NewDelimited(strings.NewReader(in), UTF8, ',')
	mp := Mapper{Kind: KindContact, Header: src.Header(), Mapping: Guess(KindContact, src.Header()), Delim: ','}
	rows := readAll(t, src)
	if len(rows) != 2 {
		t.Fatalf("rows %+v", rows)
	}
	m := mp.Map(rows[0])
	if !m.Refused() || !strings.Contains(Describe(m.Refusals[0]), "line break (lines 2–4)") || !strings.Contains(Describe(m.Refusals[0]), "quote mark on line 2") {
		t.Errorf("swallowing row not refused: %+v", m.Refusals)
	}
	if m := mp.Map(rows[1]); m.Refused() || m.Contact.LastName != "Ito" {
		t.Errorf("the row after: %+v", m)
	}
	// In a notes column line breaks are fine, but separators with them are flagged.
	notes := Mapper{Kind: KindContact, Header: []string{"last_name", "notes"}, Mapping: []string{"last_name", "notes"}, Delim: ','}
	m = notes.Map(&Record{Row: 1, Line: 2, EndLine: 4, Fields: []string{"Yamada", "a,b\nHanako,Suzuki\nc"}})
	if m.Refused() || len(m.Warnings) != 1 || !strings.Contains(Describe(m.Warnings[0]), "lines 2–4") {
		t.Errorf("notes with separators: %+v", m)
	}
	// Unclosed to the end, and bare quotes.
	for _, c := range []struct{ in, want string }{
		{"last_name\n\"Yamada\nSuzuki\nSato\n", "no matching closing quote"},
		{"last_name,email\nYa\"mada,y@example.jp\nSuzuki,s@example.jp\n", "not quoted"},
	} {
		src, _ := NewDelimited(strings.NewReader(c.in), UTF8, ',')
		rows := readAll(t, src)
		if len(rows) == 0 || !strings.Contains(Render(rows[0].Problem, rows[0].ProblemArgs), c.want) {
			t.Errorf("%q: %+v", c.in, rows)
		}
	}
}

func TestNULAndMidFileBOM(t *testing.T) {
	mp := Mapper{Kind: KindContact, Header: []string{"last_name"}, Mapping: []string{"last_name"}}
	if m := mp.Map(&Record{Row: 3, Fields: []string{"Nu\x00ll"}}); !m.Refused() || !strings.Contains(m.Refusals[0].Message, "NUL") {
		t.Errorf("NUL: %+v", m)
	}
	m := mp.Map(&Record{Row: 2, Fields: []string{"\ufeffSuzuki"}})
	if m.Refused() || m.Contact.LastName != "Suzuki" || len(m.Warnings) != 1 {
		t.Errorf("BOM: %+v", m)
	}
}

func TestFormulaCells(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+81 3-1234-5678": "'+81 3-1234-5678", "-5": "'-5", "@SUM(A1)": "'@SUM(A1)",
		"\t=1": "'\t=1", "\r=1": "'\r=1", "山田": "山田", "": "", "a=b": "a=b",
	} {
		if got := Neutralise(in); got != want {
			t.Errorf("Neutralise(%q) = %q, want %q", in, got, want)
		}
		if got := unNeutralise(Neutralise(in)); got != in {
			t.Errorf("round trip of %q gives %q", in, got)
		}
	}
	// Import keeps a neutralising tab and a lone apostrophe.
	mp := Mapper{Kind: KindContact, Header: []string{"last_name", "title"}, Mapping: []string{"last_name", "title"}}
	m := mp.Map(&Record{Fields: []string{"Young", "\t=1+1"}})
	if m.Contact.Title != "\t=1+1" {
		t.Errorf("title %q", m.Contact.Title)
	}
	if m := mp.Map(&Record{Fields: []string{"O'Brien", "'quoted"}}); m.Contact.LastName != "O'Brien" || m.Contact.Title != "'quoted" {
		t.Errorf("apostrophes: %+v", m.Contact)
	}
}

func TestGuessHeaders(t *testing.T) {
	cases := []struct {
		name   string
		kind   string
		header []string
		want   []string
	}{
		{"japanese excel", KindContact,
			[]string{"姓", "名", "メールアドレス", "電話番号", "携帯", "会社名", "役職", "住所", "備考"},
			[]string{"last_name", "first_name", "email", "phone", "mobile", "company", "title", KeyAddNotes, "notes"}},
		{"full name in japanese", KindContact,
			[]string{"氏名", "Ｅメール", "携帯電話番号", "勤務先", "肩書き"},
			[]string{"full_name", "email", "mobile", "company", "title"}},
		{"english with spaces and case", KindContact,
			[]string{"First Name", "LAST_NAME", "E-mail Address", "Phone Number", "Mobile Phone", "Job Title", "Company Name", "Notes"},
			[]string{"first_name", "last_name", "email", "phone", "mobile", "title", "company", "notes"}},
		{"tandem export", KindContact, ContactColumns,
			[]string{"", "first_name", "last_name", "email", "phone", "mobile", "title", "company", "notes"}},
		{"bigin contacts export", KindContact,
			[]string{"Record Id", "Contact Owner", "First Name", "Last Name", "Title", "Email", "Phone", "Mobile", "Company Name", "Description", "Mailing Street", "Created Time"},
			[]string{"", "", "first_name", "last_name", "title", "email", "phone", "mobile", "company", "notes", KeyAddNotes, ""}},
		{"zoho crm contacts export", KindContact,
			[]string{"Contact Id", "Salutation", "First Name", "Last Name", "Account Name", "Email", "Secondary Email", "Phone", "Home Phone", "Mobile", "Designation", "Department", "Description"},
			[]string{"", "", "first_name", "last_name", "company", "email", KeyAddNotes, "phone", KeyAddNotes, "mobile", "title", KeyAddNotes, "notes"}},
		{"zoho crm japanese", KindContact,
			[]string{"姓", "名", "メール", "取引先名", "電話", "携帯", "役職", "部署", "詳細情報"},
			[]string{"last_name", "first_name", "email", "company", "phone", "mobile", "title", KeyAddNotes, "notes"}},
		{"full name ignored beside last and first", KindContact,
			[]string{"Full Name", "Last Name", "First Name"}, []string{"", "last_name", "first_name"}},
		{"first column wins", KindContact, []string{"Email", "E-mail"}, []string{"email", ""}},
		{"vcard", KindContact, vcardHeader,
			[]string{"", "last_name", "first_name", "", "", "email", KeyAddNotes, "phone", "mobile", KeyAddNotes, "company", KeyAddNotes, "title", KeyAddNotes, "", "notes"}},
		{"companies japanese", KindCompany,
			[]string{"会社名", "代表電話", "ホームページ", "業種", "市区町村", "国", "住所", "備考"},
			[]string{"name", "phone", "website", "industry", "city", "country", KeyAddNotes, "notes"}},
		{"bigin companies", KindCompany,
			[]string{"Record Id", "Company Name", "Phone", "Website", "Industry", "Billing City", "Billing Country", "Description"},
			[]string{"", "name", "phone", "website", "industry", "city", "country", "notes"}},
		{"zoho deals", KindRecord,
			[]string{"Deal Name", "Stage", "Amount", "Closing Date", "Account Name", "Contact Name", "Description"},
			[]string{"name", "stage", "amount", "closing_date", "company", KeyAddNotes, "notes"}},
		{"deals japanese", KindRecord,
			[]string{"商談名", "ステージ", "金額", "完了予定日", "取引先名", "メールアドレス"},
			[]string{"name", "stage", "amount", "closing_date", "company", "contact_email"}},
		{"records export", KindRecord, RecordColumns,
			[]string{"", "", "stage", "name", "amount", "currency", "closing_date", "company", "contact_email", "notes"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Guess(c.kind, c.header)
			for i := range c.want {
				if got[i] != c.want[i] {
					t.Errorf("%q → %q, want %q", c.header[i], got[i], c.want[i])
				}
			}
		})
	}
}

func TestSplitName(t *testing.T) {
	for in, want := range map[string][2]string{
		"山田 太郎": {"山田", "太郎"}, "山田　太郎": {"山田", "太郎"}, "山田太郎": {"山田太郎", ""},
		"Taro Yamada": {"Yamada", "Taro"}, "Mary Ann Smith": {"Smith", "Mary Ann"}, "Yamada, Taro": {"Yamada", "Taro"},
		"Cher": {"Cher", ""}, "": {"", ""},
	} {
		if l, f := SplitName(in); l != want[0] || f != want[1] {
			t.Errorf("SplitName(%q) = %q, %q", in, l, f)
		}
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{"2026-03-31": "2026-03-31", "2026/3/31": "2026-03-31", "2026年3月31日": "2026-03-31",
		"２０２６／３／３１": "2026-03-31", "2026-03-31 10:00": "2026-03-31"} {
		if got, ok := ParseDate(in); !ok || got != want {
			t.Errorf("ParseDate(%q) = %q %v", in, got, ok)
		}
	}
	for _, in := range []string{"2026-02-30", "31/03/2026", "soon"} {
		if _, ok := ParseDate(in); ok {
			t.Errorf("ParseDate(%q) accepted", in)
		}
	}
}

func TestVCard(t *testing.T) {
	in := "BEGIN:VCARD\r\nVERSION:2.1\r\n" +
		"N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E5=B1=B1=E7=94=B0;=E5=A4=AA=E9=83=8E;;;\r\n" +
		"FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E5=B1=B1=E7=94=B0=20=E5=A4=AA=\r\n=E9=83=8E\r\n" +
		"SOUND;X-IRMC-N;CHARSET=UTF-8:ヤマダ;タロウ;;;\r\n" +
		"TEL;CELL:090-1111-2222\r\nTEL;WORK;VOICE:03-1234-5678\r\nTEL;HOME:03-9999-0000\r\n" +
		"EMAIL;INTERNET:taro@example.jp\r\nEMAIL;INTERNET;PREF:pref@example.jp\r\n" +
		"ORG:山田商事;営業部\r\nTITLE:部長\r\nPHOTO;ENCODING=BASE64;JPEG:/9j/4AAQ\r\n AAAA\r\n" +
		"END:VCARD\r\n" +
		"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Smith;Emma;;;\r\nFN:Emma Smith\r\nitem1.EMAIL;TYPE=INTERNET:emma@example.com\r\n" +
		"NOTE:Line one\\nLine two\\, with comma\r\nADR;TYPE=WORK:;;1 Main St;Springfield;;12345;USA\r\n" +
		"TEL;TYPE=CELL,VOICE:+1 555 0100\r\nURL:https://example.com\r\nEND:VCARD\r\n" +
		"BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:=8E=52=93=63;=89=D4=8E=71\r\nEND:VCARD\r\n"
	src, err := NewVCard(strings.NewReader(in), UTF8)
	if err != nil {
		t.Fatal(err)
	}
	rows := readAll(t, src)
	if len(rows) != 3 {
		t.Fatalf("%d cards", len(rows))
	}
	mp := Mapper{Kind: KindContact, Header: src.Header(), Mapping: Guess(KindContact, src.Header())}
	a := mp.Map(rows[0])
	if a.Refused() || a.Contact.LastName != "山田" || a.Contact.FirstName != "太郎" || a.Contact.Email != "pref@example.jp" ||
		a.Contact.Mobile != "090-1111-2222" || a.Contact.Phone != "03-1234-5678" || a.Contact.CompanyName != "山田商事" || a.Contact.Title != "部長" {
		t.Errorf("card 1: %+v %+v", a.Contact, a.Refusals)
	}
	if rows[0].Fields[vcFull] != "山田 太郎" || rows[0].Fields[vcLastReading] != "ヤマダ" || rows[0].Fields[vcOtherEmails] != "taro@example.jp" {
		t.Errorf("card 1 fields: %q", rows[0].Fields)
	}
	if !strings.Contains(a.Contact.Notes, "Other emails: taro@example.jp") || !strings.Contains(a.Contact.Notes, "Department: 営業部") {
		t.Errorf("card 1 notes: %q", a.Contact.Notes)
	}
	b := mp.Map(rows[1])
	if b.Refused() || b.Contact.LastName != "Smith" || b.Contact.Email != "emma@example.com" || b.Contact.Mobile != "+1 555 0100" ||
		!strings.HasPrefix(b.Contact.Notes, "Line one\nLine two, with comma") || !strings.Contains(b.Contact.Notes, "Address: 1 Main St Springfield 12345 USA") {
		t.Errorf("card 2: %+v", b.Contact)
	}
	if c := mp.Map(rows[2]); c.Contact.LastName != "山田" || c.Contact.FirstName != "花子" {
		t.Errorf("card 3 (Shift_JIS inside quoted-printable): %+v %+v", c.Contact, c.Refusals)
	}
}

func TestXLSX(t *testing.T) {
	path := filepath.Join(t.TempDir(), "book.xlsx")
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "顧客")
	f.NewSheet("Other")
	for i, row := range [][]any{{"氏名", "メールアドレス", "電話番号"}, {"山田 太郎", "taro@example.jp", "03-1234-5678"}, {}, {"Emma Smith", "emma@example.com", 12345}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		f.SetSheetRow("顧客", cell, &row)
	}
	f.SetSheetRow("Other", "A1", &[]any{"name"})
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	file, err := Open(path, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if file.Detected.Format != FormatXLSX || len(file.Sheets) != 2 || file.Sheet != "顧客" {
		t.Fatalf("%+v", file)
	}
	rows := readAll(t, file)
	mp := Mapper{Kind: KindContact, Header: file.Header(), Mapping: Guess(KindContact, file.Header())}
	if len(rows) != 2 || rows[1].Line != 4 {
		t.Fatalf("rows: %+v", rows)
	}
	if m := mp.Map(rows[0]); m.Contact.LastName != "山田" || m.Contact.FirstName != "太郎" || m.Contact.Phone != "03-1234-5678" {
		t.Errorf("%+v", m.Contact)
	}
	if m := mp.Map(rows[1]); m.Contact.LastName != "Smith" || m.Contact.Phone != "12345" {
		t.Errorf("%+v", m.Contact)
	}
	other, err := Open(path, OpenOptions{Sheet: "Other"})
	if err != nil || other.Header()[0] != "name" {
		t.Fatalf("sheet picker: %v", err)
	}
	other.Close()
	if _, err := Open(path, OpenOptions{Sheet: "Nope"}); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("unknown sheet: %v", err)
	}
}

func TestOpenRefusesOldExcelAndEmptyFiles(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string][]byte{"old.xls": {0xD0, 0xCF, 0x11, 0xE0, 0, 0}, "empty.csv": nil, "blank.csv": []byte("\n\n")} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, data, 0o600)
		if _, err := Open(p, OpenOptions{}); app.ErrorCode(err) != app.EINVALID || app.ErrorMessage(err) == "" {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// FuzzDetect: the detector never panics, and whatever it picks, the
// reader yields valid UTF-8 or a reported problem, never mojibake.
func FuzzDetect(f *testing.F) {
	f.Add([]byte(jaCSV))
	f.Add(encode(f, ShiftJIS, jaCSV))
	f.Add(encode(f, UTF16LE, jaCSV))
	f.Add([]byte("BEGIN:VCARD\nN:a\nEND:VCARD"))
	f.Add([]byte{0xEF, 0xBB})
	f.Fuzz(func(t *testing.T, data []byte) {
		d := Detect("f.csv", data)
		if d.Format != FormatDelimited {
			return
		}
		src, err := NewDelimited(bytes.NewReader(data), d.Encoding, d.Delimiter)
		if err != nil {
			return
		}
		checkUTF8(t, src)
	})
}

// FuzzDelimited: any bytes in any encoding read without a panic, every
// cell is valid UTF-8, and each row either reads cleanly or has a problem.
func FuzzDelimited(f *testing.F) {
	f.Add([]byte("a,b\n\"x\ny\",z\n"), uint8(0))
	f.Add([]byte("a\n\"unclosed\n"), uint8(1))
	f.Add(encode(f, ShiftJIS, jaCSV), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, e uint8) {
		enc := Encodings[int(e)%len(Encodings)]
		src, err := NewDelimited(bytes.NewReader(data), enc, ',')
		if err != nil {
			return
		}
		mp := Mapper{Kind: KindContact, Header: src.Header(), Mapping: Guess(KindContact, src.Header()), Delim: ','}
		for n := 0; ; n++ {
			r, err := src.Next()
			if err != nil {
				return
			}
			if n > len(data)+1 {
				t.Fatal("more rows than bytes")
			}
			mp.Map(r)
			for _, c := range r.Fields {
				if !utf8Valid(c) {
					t.Fatalf("invalid UTF-8 cell %q", c)
				}
			}
		}
	})
}

// FuzzVCard: the vCard reader never panics, ends, and yields valid UTF-8.
func FuzzVCard(f *testing.F) {
	f.Add([]byte("BEGIN:VCARD\r\nN;ENCODING=QUOTED-PRINTABLE:=E5=B1=\r\n=B1\r\nEND:VCARD\r\n"))
	f.Add([]byte("BEGIN:VCARD\nFN:a\\nb\n folded\nTEL;CELL:1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		src, err := NewVCard(bytes.NewReader(data), UTF8)
		if err != nil {
			return
		}
		checkUTF8(t, src)
	})
}

func checkUTF8(t *testing.T, src Source) {
	for _, h := range src.Header() {
		if !utf8Valid(h) {
			t.Fatalf("header %q", h)
		}
	}
	for i := 0; ; i++ {
		r, err := src.Next()
		if err != nil {
			return
		}
		if i > 1<<20 {
			t.Fatal("no end")
		}
		for _, c := range r.Fields {
			if !utf8Valid(c) {
				t.Fatalf("cell %q", c)
			}
		}
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "") == s }
