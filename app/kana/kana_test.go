package kana

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestHiragana(t *testing.T) {
	for in, want := range map[string]string{
		"やまだ":        "やまだ",
		"ヤマダ":        "やまだ",
		"ﾔﾏﾀﾞ":       "やまだ", // half-width, with a separate voicing mark
		"ｻﾄｳ ﾊﾅｺ":    "さとう はなこ",
		"ヴァイオリン":     "ゔぁいおりん",
		"Ｔａｎｄｅｍ　ＣＲＭ": "Tandem CRM",
		"山田":         "山田",
	} {
		if got := Hiragana(in); got != want {
			t.Errorf("Hiragana(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsReading(t *testing.T) {
	for in, want := range map[string]bool{
		"やまだ たろう": true, "ヤマダ": true, "ﾔﾏﾀﾞ": true, "Smith": true, "ジョン・スミス": true, "": true,
		"山田": false, "やま田": false, "<script>": false,
	} {
		if got := IsReading(in); got != want {
			t.Errorf("IsReading(%q) = %v", in, got)
		}
	}
}

type name struct{ reading, written string }

// TestSortByReading is the order of a Japanese address book: by reading in
// gojūon order (a voiced sound with its plain one, long before short only
// when the rest is equal), kana names read as written, then Latin names,
// then names with no reading — those in the Japanese collation's order,
// never by code point.
func TestSortByReading(t *testing.T) {
	names := []name{
		{"", "山田"},    // no reading: last
		{"", "Smith"}, // Latin
		{"わたなべ", "渡辺"},
		{"かとう", "加藤"},
		{"がくせい", "学生"},
		{"かけい", "筧"},
		{"あべ", "阿部"},
		{"", "アンドウ"},  // written in kana
		{"ｻﾄｳ", "佐藤"}, // half-width reading
		{"", "adams"},
		{"", "伊藤"}, // no reading
		{"", "Émile"},
	}
	want := []string{"阿部", "アンドウ", "学生", "筧", "加藤", "佐藤", "渡辺", "adams", "Émile", "Smith", "伊藤", "山田"}
	sort.SliceStable(names, func(i, j int) bool {
		return SortKey(names[i].reading, names[i].written) < SortKey(names[j].reading, names[j].written)
	})
	var got []string
	for _, n := range names {
		got = append(got, n.written)
	}
	if !slices.Equal(got, want) {
		t.Errorf("order\n got %q\nwant %q", got, want)
	}
}

func TestInitial(t *testing.T) {
	for _, c := range []struct {
		reading, name, want string
	}{
		{"やまだ", "山田", "や"}, {"ヤマダ", "山田", "や"}, {"ゃ", "x", "や"}, {"がくせい", "学生", "か"},
		{"ぱく", "朴", "は"}, {"っと", "", "た"}, {"ゔぃ", "", "あ"}, {"わたなべ", "渡辺", "わ"}, {"をの", "", "わ"},
		{"", "アンドウ", "あ"}, {"", "Émile", "E"}, {"", "smith", "S"}, {"", "山田", Other}, {"", "3M", Other},
		{"smith", "スミス商店", "S"},
	} {
		if got := Initial(c.reading, c.name); got != c.want {
			t.Errorf("Initial(%q, %q) = %q, want %q", c.reading, c.name, got, c.want)
		}
	}
}

// TestInitialsAreContiguous: sorted by SortKey, the names of one index
// row come together, in the order of the index.
func TestInitialsAreContiguous(t *testing.T) {
	var ns []name
	for _, r := range "あいうえおかがきくぐけこさざしすせそたつってとなにぬねのはばぱひふへほまみむめもやゆよらりるれろわをん" {
		ns = append(ns, name{string(r) + "あ", "x"}, name{string(r) + "ん", "y"})
	}
	ns = append(ns, name{"", "Zed"}, name{"", "alpha"}, name{"", "山"}, name{"", "1st"}, name{"ABC", "株式会社エービーシー"})
	sort.Slice(ns, func(i, j int) bool {
		return SortKey(ns[i].reading, ns[i].written) < SortKey(ns[j].reading, ns[j].written)
	})
	order := append(append([]string{}, Rows...), "A", "Z", Other)
	pos := func(l string) int {
		if i := slices.Index(order, l); i >= 0 {
			return i
		}
		return slices.Index(order, "A") // other letters sit between A and Z
	}
	last := -1
	for _, n := range ns {
		p := pos(Initial(n.reading, n.written))
		if p < last {
			t.Fatalf("%q (%s) after a later row", n, Initial(n.reading, n.written))
		}
		last = p
	}
}

func TestCompanySortName(t *testing.T) {
	for in, want := range map[string]string{
		"株式会社山田商事": "山田商事", "山田商事株式会社": "山田商事", "㈱山田": "山田", "（株）山田": "山田", "株式会社": "株式会社", "Acme Inc.": "Acme Inc.",
	} {
		if got := CompanySortName(in); got != want {
			t.Errorf("CompanySortName(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzSortKey(f *testing.F) {
	f.Add("やまだ", "山田")
	f.Add("", "ﾔﾏﾀﾞ")
	f.Fuzz(func(t *testing.T, reading, written string) {
		k := SortKey(reading, written)
		if k == "" || k != SortKey(reading, written) {
			t.Fatalf("key %q is empty or not stable", k)
		}
		if g := k[0]; g != '0' && g != '1' && g != '2' {
			t.Fatalf("key %q has no group", k)
		}
		_ = Initial(reading, written)
	})
}

// BenchmarkSortKey measures the key of one Japanese name with its reading
// against a floor in the same run: folding the name as the store did
// before readings (lower case, spaces collapsed), the least any key costs.
func BenchmarkSortKey(b *testing.B) {
	b.Run("floor", func(b *testing.B) {
		for b.Loop() {
			_ = strings.ToLower(strings.Join(strings.Fields("山田 太郎"), " "))
		}
	})
	b.Run("kana", func(b *testing.B) {
		for b.Loop() {
			_ = SortKey("やまだ たろう", "山田 太郎")
		}
	})
}

// Normalize's shortcut for plain ASCII returns what NFKC and collapsing
// the spaces return.
func FuzzNormalizeASCII(f *testing.F) {
	for _, s := range []string{"", " ", "a", "Smith Emma", "Smith  Emma", " a", "a ", "a\tb", "a\nb", "a\x0bb", "a\rb", "ﾔﾏﾀﾞ", "ＡＢＣ", "a\u00a0b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Normalize(s), strings.Join(strings.Fields(norm.NFKC.String(s)), " "); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", s, got, want)
		}
	})
}
