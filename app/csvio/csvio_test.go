package csvio

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/app"
)

func TestReadContactsReportsEveryBadRow(t *testing.T) {
	in := "First Name,last_name,email,phone,company\n" +
		"Taro,山田,taro@example.jp,090-1234-5678,山田商事\n" + // 1 ok
		"Bad,Email,not-an-email,,\n" + // 2 invalid email
		"NoLast,,x@example.com,,\n" + // 3 missing last name
		"too,many,fields,here,x,y\n" + // 4 wrong field count
		"\"unclosed,quote,a@example.com,,\n" + // 5.. malformed: swallows the rest
		""
	rep, err := ReadContacts(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 1 || rep.Rows[0].Value.LastName != "山田" || rep.Rows[0].Value.CompanyName != "山田商事" {
		t.Fatalf("rows = %+v", rep.Rows)
	}
	want := map[int]string{2: "email", 3: "last_name", 4: "", 5: ""}
	got := map[int]string{}
	for _, e := range rep.Errors {
		got[e.Row] = e.Field
	}
	for row, field := range want {
		f, ok := got[row]
		if !ok || f != field {
			t.Errorf("row %d: want an error on field %q, got %q (present=%v); all: %+v", row, field, f, ok, rep.Errors)
		}
	}
}

func TestDuplicateEmailsWarnAndKeep(t *testing.T) {
	in := "last_name,email\nA,a@example.com\nB,A@Example.com\n"
	rep, err := ReadContacts(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 2 || len(rep.Warnings) != 1 || rep.Warnings[0].Row != 2 {
		t.Fatalf("rows=%d warnings=%+v", len(rep.Rows), rep.Warnings)
	}
}

func TestFileLevelErrors(t *testing.T) {
	for _, in := range []string{"", "first_name,email\nA,b@example.com\n"} {
		_, err := ReadContacts(strings.NewReader(in))
		if app.ErrorCode(err) != app.EINVALID {
			t.Errorf("%q: want EINVALID, got %v", in, err)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	cs := []app.Contact{
		{ID: 1, FirstName: "太郎", LastName: "山田", Email: "taro@example.jp", CompanyName: "株式会社 桜", Notes: "line1\nline2, \"quoted\" 🎉"},
		{ID: 2, FirstName: "Emma", LastName: "Smith", Notes: strings.Repeat("x", 100<<10)},
	}
	var buf bytes.Buffer
	if err := WriteContacts(&buf, cs); err != nil {
		t.Fatal(err)
	}
	rep, err := ReadContacts(&buf)
	if err != nil || len(rep.Errors) > 0 {
		t.Fatalf("err=%v errors=%+v", err, rep.Errors)
	}
	for i, r := range rep.Rows {
		g, w := r.Value, cs[i]
		if g.LastName != w.LastName || g.FirstName != w.FirstName || g.Notes != w.Notes || g.CompanyName != w.CompanyName {
			t.Errorf("row %d: got %+v want %+v", i, g, w)
		}
	}
}

func TestCompanies(t *testing.T) {
	in := "name,city\nAcme,London\n,Paris\nacme ,Berlin\n"
	rep, err := ReadCompanies(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 1 || len(rep.Errors) != 2 {
		t.Fatalf("rows=%+v errors=%+v", rep.Rows, rep.Errors)
	}
}

func FuzzReadContacts(f *testing.F) {
	f.Add("last_name,email\nA,a@example.com\n")
	f.Add("last_name\n\"x\n")
	f.Fuzz(func(t *testing.T, in string) {
		rep, err := ReadContacts(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, r := range rep.Rows {
			if r.Value.Validate() != nil {
				t.Fatalf("invalid row returned: %+v", r)
			}
		}
	})
}
