package app

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

func TestValidEmail(t *testing.T) {
	good := []string{"taro@example.jp", "a.b+c@sub.example.com", "x@xn--wgv71a.xn--wgv71a", "o'neil@example.ie"}
	bad := []string{"", "plain", "a@b", "a@localhost", "Taro <taro@example.jp>", " a@example.com", "a@@example.com",
		"a@-bad.com", "a@example.c", "a@example.123", "a@exa mple.com", "a@ex_ample.com", strings.Repeat("a", 250) + "@example.com"}
	for _, s := range good {
		if !ValidEmail(s) {
			t.Errorf("ValidEmail(%q) = false, want true", s)
		}
	}
	for _, s := range bad {
		if ValidEmail(s) {
			t.Errorf("ValidEmail(%q) = true, want false", s)
		}
	}
}

func TestValidPhone(t *testing.T) {
	for _, s := range []string{"090-1234-5678", "+81 3 1234 5678", "(555) 123.4567", "+1 555 123 4567 x12"} {
		if !ValidPhone(s) {
			t.Errorf("ValidPhone(%q) = false", s)
		}
	}
	for _, s := range []string{"call me", "12", "555-CALL-NOW", "<script>"} {
		if ValidPhone(s) {
			t.Errorf("ValidPhone(%q) = true", s)
		}
	}
}

func TestContactValidate(t *testing.T) {
	c := Contact{FirstName: "Taro", Email: "nope", Phone: "abc", Notes: strings.Repeat("x", MaxNotesLen+1), LastNameReading: "山田"}
	err := c.Validate()
	if ErrorCode(err) != EINVALID {
		t.Fatalf("want EINVALID, got %v", err)
	}
	var v *ValidationError
	if !errors.As(err, &v) {
		t.Fatal("no ValidationError in chain")
	}
	for f, m := range map[string]string{"LastName": MsgRequired, "Email": MsgEmailInvalid, "Phone": MsgPhoneInvalid, "Notes": MsgTooLong, "LastNameReading": MsgReadingKana} {
		if v.For(f) != m {
			t.Errorf("%s: got %q want %q", f, v.For(f), m)
		}
	}
	ok := Contact{LastName: "山田", FirstName: "太郎 🎉", Notes: strings.Repeat("あ", 30000), LastNameReading: "ﾔﾏﾀﾞ", FirstNameReading: "たろう"}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid contact rejected: %v", err)
	}
}

func TestCompanyReading(t *testing.T) {
	c := Company{Name: "株式会社山田商事", NameReading: "やまだ商事"}
	var v *ValidationError
	if err := c.Validate(); !errors.As(err, &v) || v.For("NameReading") != MsgReadingKana {
		t.Errorf("a reading with kanji: %v", err)
	}
	c.NameReading = "やまだしょうじ"
	if err := c.Validate(); err != nil {
		t.Errorf("a kana reading: %v", err)
	}
	c.NameReading = strings.Repeat("あ", MaxNameLen+1)
	if err := c.Validate(); !errors.As(err, &v) || v.For("NameReading") != MsgTooLong {
		t.Errorf("a long reading: %v", err)
	}
}

func TestRecordValidate(t *testing.T) {
	r := Record{Name: " ", Currency: "yen", ClosingDate: "2026-02-30", Contacts: []RecordContact{{ContactID: 1}, {ContactID: 2}}}
	var v *ValidationError
	if !errors.As(r.Validate(), &v) {
		t.Fatal("want a ValidationError")
	}
	for _, f := range []string{"Name", "Stage", "Currency", "ClosingDate", "Contacts"} {
		if v.For(f) == "" {
			t.Errorf("no error for %s: %v", f, v)
		}
	}
	ok := Record{Name: "Deal", StageID: 1, Currency: "JPY", ClosingDate: "2028-02-29", Contacts: []RecordContact{{ContactID: 1, Primary: true}, {ContactID: 2}}}
	if err := ok.Validate(); err != nil {
		t.Error(err)
	}
}

func TestAmounts(t *testing.T) {
	cases := []struct {
		in, cur string
		want    int64
		out     string
	}{
		{"1,200,000", "JPY", 1200000, "¥1,200,000"},
		{"¥5000", "JPY", 5000, "¥5,000"},
		{"12,345.5", "USD", 1234550, "$12,345.50"},
		{"0.05", "EUR", 5, "€0.05"},
		{"7", "KWD", 7000, "7.000 KWD"},
		{"", "USD", 0, "$0.00"},
	}
	for _, c := range cases {
		got, err := ParseAmount(c.in, c.cur)
		if err != nil || got != c.want {
			t.Errorf("ParseAmount(%q,%s) = %d, %v; want %d", c.in, c.cur, got, err, c.want)
		}
		if s := FormatAmount(got, c.cur); s != c.out {
			t.Errorf("FormatAmount(%d,%s) = %q; want %q", got, c.cur, s, c.out)
		}
	}
	for _, s := range []string{"1.5", "-3", "abc", "1.2.3", "99999999999999999999"} {
		if _, err := ParseAmount(s, "JPY"); err == nil {
			t.Errorf("ParseAmount(%q) accepted", s)
		}
	}
}

func TestPersonName(t *testing.T) {
	if got := PersonName("太郎", "山田"); got != "山田 太郎" {
		t.Error(got)
	}
	if got := PersonName("Emma", "Smith"); got != "Emma Smith" {
		t.Error(got)
	}
}

func FuzzValidEmail(f *testing.F) {
	f.Add("a@example.com")
	f.Add("\"a b\"@example.com")
	f.Fuzz(func(t *testing.T, s string) {
		if ValidEmail(s) && (!strings.Contains(s, "@") || strings.ContainsAny(s, " <>")) {
			t.Fatalf("accepted %q", s)
		}
	})
}

func FuzzParseAmount(f *testing.F) {
	f.Add("1,234.56", "USD")
	f.Fuzz(func(t *testing.T, s, cur string) {
		v, err := ParseAmount(s, cur)
		if err == nil && v < 0 {
			t.Fatalf("negative %d from %q", v, s)
		}
	})
}

// The hand-written label checks of ValidEmail accept what the regexps they
// replaced accept.
var (
	labelRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	tldRE   = regexp.MustCompile(`^[a-z]{2,63}$|^xn--[a-z0-9-]{1,59}$`)
)

func FuzzEmailLabels(f *testing.F) {
	for _, s := range []string{"", "a", "-", "a-", "-a", "a-b", "example", "xn--", "xn--a", "xn---", "xn--wgv71a", "co", "c",
		"ab1", "a_b", "é", strings.Repeat("a", 63), strings.Repeat("a", 64), "xn--" + strings.Repeat("a", 59), "xn--" + strings.Repeat("a", 60)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := validLabel(s), labelRE.MatchString(s); got != want {
			t.Errorf("validLabel(%q) = %v, the regexp says %v", s, got, want)
		}
		if got, want := validTLD(s), tldRE.MatchString(s); got != want {
			t.Errorf("validTLD(%q) = %v, the regexp says %v", s, got, want)
		}
	})
}
