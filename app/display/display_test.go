package display

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	tests := []struct {
		name, in string
		max      int
		want     string
		cut      bool
	}{
		{"plain", "Yamada Taro", 50, "Yamada Taro", false},
		{"japanese", "山田　太郎", 50, "山田　太郎", false},
		{"emoji kept", "Café 👩‍💻 ok", 50, "Café 👩‍💻 ok", false},
		// The finding: file-name spoofing with a right-to-left override.
		{"rlo removed", "Invoice \u202efdp.exe overdue", 50, "Invoice fdp.exe overdue", false},
		{"embeddings and isolates", "a\u202ab\u202bc\u202cd\u202de\u2066f\u2067g\u2068h\u2069i\u200ej\u200fk\u061cl", 50, "abcdefghijkl", false},
		// The finding: names with newlines and tabs drew on three lines.
		{"newlines and tabs", "Yamada\nTaro\t\tSales\r\n", 50, "Yamada Taro Sales", false},
		{"unicode line breaks", "a\u2028b\u2029c\u0085d", 50, "a b c d", false},
		{"controls", "a\x00b\x07c\x1bd\x7fe\u0090f", 50, "abcdef", false},
		{"bom", "\ufeffname", 50, "name", false},
		{"spaces collapsed and trimmed", "  a    b  ", 50, "a b", false},
		{"invalid utf8 shown as replacement", "a\xffb", 50, "a\ufffdb", false},
		{"cut", "abcdefghij", 5, "abcd…", true},
		{"cut at space", "abc defghij", 5, "abc…", true},
		{"exact fit", "abcde", 5, "abcde", false},
		{"cut keeps marks with their letter", "ab" + "e\u0301" + "cd", 4, "ab" + "e\u0301" + "…", true},
		{"mark tower capped", "a" + strings.Repeat("\u0301", 100) + "b", 10, "a" + strings.Repeat("\u0301", maxMarks) + "b", false},
		{"leading mark dropped", "\u0301a", 10, "a", false},
		{"empty", "", 10, "", false},
		{"only controls", "\x00\x01\u202e", 10, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, cut := LineCut(tt.in, tt.max)
			if got != tt.want || cut != tt.cut {
				t.Errorf("LineCut(%q, %d) = %q, %v; want %q, %v", tt.in, tt.max, got, cut, tt.want, tt.cut)
			}
		})
	}
}

func TestText(t *testing.T) {
	tests := []struct {
		name, in string
		max      int
		want     string
	}{
		{"lines kept", "one\ntwo\r\nthree\rfour", 100, "one\ntwo\nthree\nfour"},
		{"blank lines collapsed", "a\n\n\n\n\nb", 100, "a\n\nb"},
		{"tabs are spaces", "a\t\tb", 100, "a b"},
		{"bidi removed", "x\u202ey", 100, "xy"},
		{"edges trimmed", "\n\n  a  \n\n", 100, "a"},
		{"cut", strings.Repeat("あ", 20), 10, strings.Repeat("あ", 9) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(tt.in, tt.max); got != tt.want {
				t.Errorf("Text(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"plain":            "plain",
		"a\r\nb\rc\u2028d": "a\nb\nc\nd",
		"a\tb\vc":          "a\tb c",
		"x\u202ey\x00z":    "xyz",
		"bad\xfe":          "bad\ufffd",
		"山田\u200d👍\ufe0f":  "山田\u200d👍\ufe0f",
	} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLineBoundedCost: the finding was a 100,000-character subject; Line
// reads only a bounded prefix of it, however long it is.
func TestLineBoundedCost(t *testing.T) {
	huge := strings.Repeat("x", 100_000)
	got, cut := LineCut(huge, Subject)
	if !cut || utf8.RuneCountInString(got) != Subject {
		t.Fatalf("100k subject: %d runes, cut %v", utf8.RuneCountInString(got), cut)
	}
	// 10 MB of characters that are all removed: the scan stops at its
	// budget instead of reading all of it, and says the text was cut.
	junk := strings.Repeat("\u202e", 10<<20/3)
	if got, cut := LineCut(junk+"tail", Subject); got != Ellipsis || !cut {
		t.Fatalf("junk: %q %v", got, cut)
	}
}

func checkOutput(t *testing.T, in, out string, max int, multi bool) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("invalid UTF-8 out of %q: %q", in, out)
	}
	bases := 0
	for _, r := range out {
		k := kindOf(r)
		if k == drop || (k == lineBreak && (!multi || r != '\n')) || k == space {
			t.Fatalf("%q kept %U: %q", in, r, out)
		}
		if k != mark {
			bases++
		}
	}
	if bases > max {
		t.Fatalf("%q: %d characters > %d: %q", in, bases, max, out)
	}
	if strings.HasPrefix(out, " ") || strings.HasSuffix(out, " ") || strings.Contains(out, "  ") {
		t.Fatalf("%q: spaces not collapsed: %q", in, out)
	}
}

func FuzzLine(f *testing.F) {
	for _, s := range []string{"", "Invoice \u202efdp.exe overdue", "a\nb\tc", "山田　太郎", "\xff\xfe", "e\u0301\u0301", "👨‍👩‍👧", strings.Repeat("ab ", 200)} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		max = max%400 + 1
		if max < 1 {
			max = -max + 1
		}
		out, cut := LineCut(s, max)
		checkOutput(t, s, out, max, false)
		if again, cut2 := LineCut(out, max); again != out || cut2 {
			t.Fatalf("not idempotent: %q -> %q -> %q (%v)", s, out, again, cut2)
		}
		if !cut && utf8.RuneCountInString(s) <= max && isPrintableASCIIWords(s) && out != s {
			t.Fatalf("clean text changed: %q -> %q", s, out)
		}
		txt := Text(s, max)
		for _, line := range strings.Split(txt, "\n") {
			checkOutput(t, s, line, max, true)
		}
		if c := Clean(s); !utf8.ValidString(c) || Clean(c) != c {
			t.Fatalf("Clean(%q) = %q not stable", s, c)
		}
	})
}

// isPrintableASCIIWords reports text Line must leave alone: printable
// ASCII, single spaces, no space at either end.
func isPrintableASCIIWords(s string) bool {
	if strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") || strings.Contains(s, "  ") {
		return false
	}
	for _, r := range s {
		if r > unicode.MaxASCII || !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

func BenchmarkLine100kSubject(b *testing.B) {
	huge := strings.Repeat("件名が長すぎる ", 100_000/8)
	b.SetBytes(int64(len(huge)))
	for b.Loop() {
		_ = Line(huge, Subject)
	}
}
