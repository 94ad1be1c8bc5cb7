package richtext

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // Doc.Text()
	}{
		{"plain", "Hello world", "Hello world"},
		{"paragraphs", "<p>One</p><p>Two</p>", "One\nTwo"},
		{"whitespace", "  Hello \n\t  <b>big</b>   world  ", "Hello big world"},
		{"entities", "Tom &amp; Jerry &lt;3 &eacute; &#x4E2D;", "Tom & Jerry <3 é 中"},
		{"br", "line one<br>line two<br/>line three", "line one\nline two\nline three"},
		{"script dropped", "a<script>alert(1)</script>b", "ab"},
		{"style dropped", "<style>p{color:red}</style><p>x</p>", "x"},
		{"iframe dropped", `<iframe src="http://evil"></iframe>ok`, "ok"},
		{"object dropped", `<object data="x"><param name=a>inside</object>ok`, "ok"},
		{"nested svg dropped", `<svg><svg>a</svg>b</svg>c`, "c"},
		{"img alt", `<img src="http://tracker/x.png" alt="Logo" onerror="alert(1)">`, "[image: Logo]"},
		{"img no alt", `x<img src="http://tracker/x.png">y`, "x [image] y"},
		{"link", `<a href="https://example.com/a">site</a>`, "site <https://example.com/a>"},
		{"link text is url", `<a href="https://example.com">https://example.com</a>`, "https://example.com"},
		{"javascript link", `<a href="javascript:alert(1)">click</a>`, "click"},
		{"data link", `<a href="data:text/html,<b>x</b>">click</a>`, "click"},
		{"headings", "<h1>Title</h1>text", "Title\ntext"},
		{"list", "<ul><li>a</li><li>b</li></ul>", "a\nb"},
		{"unclosed", "<p>one<p>two<div><b>three", "one\ntwo\nthree"},
		{"stray end tags", "</b></div></p>x</i>", "x"},
		{"bidi override removed", "abc\u202edef", "abcdef"},
		{"control chars removed", "a\x00b\x07c", "abc"},
		{"pre keeps spaces", "<pre>a  b\n  c</pre>", "a  b\n  c"},
		{"quote", "<blockquote>said</blockquote>reply", "said\nreply"},
		{"table", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"},
		{"comment", "a<!-- <script>x</script> -->b", "ab"},
		{"japanese", "<p>お問い合わせありがとうございます。</p><p>担当：佐藤</p>", "お問い合わせありがとうございます。\n担当：佐藤"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Parse(tt.in)
			if got := d.Text(); got != tt.want {
				t.Errorf("Parse(%q).Text() = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestStyles(t *testing.T) {
	d := Parse(`<p>a <b>bold <i>both</i></b> <em>it</em> <code>x()</code> <a href="mailto:a@b.jp">mail</a></p>`)
	if len(d.Blocks) != 1 {
		t.Fatalf("%d blocks", len(d.Blocks))
	}
	var got []string
	for _, s := range d.Blocks[0].Spans {
		f := ""
		if s.Bold {
			f += "B"
		}
		if s.Italic {
			f += "I"
		}
		if s.Code {
			f += "C"
		}
		if s.URL != "" {
			f += "U"
		}
		got = append(got, f+":"+s.Text)
	}
	want := []string{":a", "B: bold", "BI: both", "I: it", "C: x()", "U: mail <mailto:a@b.jp>"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("spans = %q\nwant    %q", got, want)
	}
}

func TestBlocks(t *testing.T) {
	d := Parse(`<h2>H</h2><ol start="3"><li>x</li><li>y<ul><li>z</li></ul></li></ol><blockquote><p>q</p></blockquote><pre>p</pre>`)
	type blk struct {
		kind           BlockKind
		level, num, qu int
		text           string
	}
	var got []blk
	for _, b := range d.Blocks {
		got = append(got, blk{b.Kind, b.Level, b.Number, b.Quote, b.Text()})
	}
	want := []blk{{Heading, 2, 0, 0, "H"}, {ListItem, 1, 3, 0, "x"}, {ListItem, 1, 4, 0, "y"}, {ListItem, 2, 0, 0, "z"},
		{Paragraph, 0, 0, 1, "q"}, {Pre, 0, 0, 0, "p"}}
	if len(got) != len(want) {
		t.Fatalf("blocks = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("block %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if !d.Blocks[1].Ordered || d.Blocks[3].Ordered {
		t.Error("ordered flags wrong")
	}
}

func TestLimit(t *testing.T) {
	d := ParseLimit("<p>"+strings.Repeat("abc ", 1000)+"</p><p>more</p>", 100)
	if n := len(d.Text()); n > 100 || !d.Truncated {
		t.Errorf("ParseLimit kept %d bytes, truncated %v", n, d.Truncated)
	}
	d = PlainLimit(strings.Repeat("x", 500)+"\nmore", 100)
	if n := len(d.Text()); n != 100 || !d.Truncated {
		t.Errorf("PlainLimit kept %d bytes, truncated %v", n, d.Truncated)
	}
}

func TestPlain(t *testing.T) {
	d := Plain("Hello\n\n  second line \r\n<b>not bold</b>")
	if got := d.Text(); got != "Hello\nsecond line\n<b>not bold</b>" {
		t.Errorf("Plain = %q", got)
	}
}

func TestHostile(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		truncated bool
		check     func(*testing.T, Doc)
	}{
		{"deep divs", strings.Repeat("<div>", 10000) + "deep" + strings.Repeat("</div>", 10000), false,
			func(t *testing.T, d Doc) {
				if d.Text() != "deep" {
					t.Errorf("text = %q", d.Text())
				}
			}},
		{"deep bold unclosed", strings.Repeat("<b><i>", 10000) + "x", false, nil},
		{"deep lists", strings.Repeat("<ul><li>", 10000) + "x", false, func(t *testing.T, d Doc) {
			for _, b := range d.Blocks {
				if b.Level > MaxListDepth {
					t.Fatalf("list level %d", b.Level)
				}
			}
		}},
		{"deep quotes", strings.Repeat("<blockquote>", 10000) + "x", false, func(t *testing.T, d Doc) {
			for _, b := range d.Blocks {
				if b.Quote > MaxListDepth {
					t.Fatalf("quote depth %d", b.Quote)
				}
			}
		}},
		{"5 MB body", "<p>" + strings.Repeat("あいうえお ", 5<<20/16) + "</p>", true, func(t *testing.T, d Doc) {
			n := 0
			for _, b := range d.Blocks {
				n += len(b.Text())
			}
			if n > MaxText {
				t.Errorf("kept %d bytes of text", n)
			}
		}},
		{"many paragraphs", strings.Repeat("<p>x</p>", 100000), true, func(t *testing.T, d Doc) {
			if len(d.Blocks) > MaxBlocks {
				t.Errorf("%d blocks", len(d.Blocks))
			}
		}},
		{"unclosed script", "before<script>alert(1)", false, func(t *testing.T, d Doc) {
			if strings.Contains(d.Text(), "alert") {
				t.Error("script text shown")
			}
		}},
		{"onerror", `<img src=x onerror="fetch('http://evil')" alt="a">`, false, func(t *testing.T, d Doc) {
			if strings.Contains(d.Text(), "evil") {
				t.Error("attribute leaked")
			}
		}},
		{"javascript in mixed case", `<a href=" JaVaScRiPt:alert(1)">x</a>`, false, func(t *testing.T, d Doc) {
			for _, s := range d.Blocks[0].Spans {
				if s.URL != "" {
					t.Errorf("unsafe url kept: %q", s.URL)
				}
			}
		}},
		{"invalid utf8", "a\xff\xfeb", false, func(t *testing.T, d Doc) {
			if !utf8.ValidString(d.Text()) {
				t.Error("invalid UTF-8 kept")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			d := Parse(tt.in)
			if el := time.Since(start); el > 5*time.Second {
				t.Errorf("took %v", el) // a guard against pathological behaviour, not a benchmark
			}
			if d.Truncated != tt.truncated {
				t.Errorf("Truncated = %v, want %v", d.Truncated, tt.truncated)
			}
			if tt.check != nil {
				tt.check(t, d)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"<p>Hello <b>world</b></p>",
		"<script>alert(1)</script>",
		`<img src=x onerror=alert(1)>`,
		`<a href="javascript:alert(1)">x</a>`,
		"<div><div><div>",
		"<svg><script>x</script></svg>y",
		"<pre>\n a\n</pre>",
		"<ol start=99999999><li>x",
		"&#x202e;rtl",
		"<table><tr><td>a<td>b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := Parse(s)
		size := 0
		for _, b := range d.Blocks {
			if len(b.Spans) == 0 {
				t.Fatal("empty block kept")
			}
			if b.Level > MaxListDepth || b.Quote > MaxListDepth {
				t.Fatalf("depth %d/%d", b.Level, b.Quote)
			}
			for _, sp := range b.Spans {
				size += len(sp.Text)
				if !utf8.ValidString(sp.Text) {
					t.Fatalf("invalid UTF-8 %q", sp.Text)
				}
				if sp.URL != "" && !strings.HasPrefix(strings.ToLower(sp.URL), "http") && !strings.HasPrefix(strings.ToLower(sp.URL), "mailto:") {
					t.Fatalf("unsafe URL %q", sp.URL)
				}
			}
		}
		if size > MaxText || len(d.Blocks) > MaxBlocks {
			t.Fatalf("limits exceeded: %d bytes, %d blocks", size, len(d.Blocks))
		}
		if strings.Contains(strings.ToLower(s), "<script") && !strings.Contains(strings.ToLower(s), "<!--") &&
			strings.Contains(d.Text(), "\x00") {
			t.Fatal("NUL kept")
		}
	})
}

func BenchmarkParse(b *testing.B) {
	body := strings.Repeat(`<div><p>Dear customer, thank you for <b>contacting</b> us. <a href="https://example.com/help">Help</a></p>
<blockquote>On Monday you wrote: <i>it does not work</i></blockquote><ul><li>one</li><li>two</li></ul></div>`, 20)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		Parse(body)
	}
}

func BenchmarkParseHostile(b *testing.B) {
	body := strings.Repeat("<div><b><i>", 100000) + "x"
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		Parse(body)
	}
}

// TestNoStrayMarks: what a person reads has no replacement characters (the
// window draws them, and any glyph the font lacks, as a "?" in a diamond)
// nor invisible format characters that some fonts lack: broken bytes of a
// mis-encoded mail, NUL references, zero-width spaces and joiners Outlook
// and Desk's editor put between words, soft hyphens.
func TestNoStrayMarks(t *testing.T) {
	for in, want := range map[string]string{
		"<p>caf\xe9 au lait</p>":                  "caf au lait",
		"<p>a&#0;b</p>":                           "ab",
		"<p>&#65533;Hello</p>":                    "Hello",
		"<p>Zero&#8203;width&#xFEFF; space</p>":   "Zerowidth space",
		"<p>soft&shy;hyphen and&#8288;joiner</p>": "softhyphen andjoiner",
		"<p>Hello&nbsp;world</p>":                 "Hello world",
		"<p>日本語\u200bです</p>":                      "日本語です",
	} {
		d := Parse(in)
		if got := d.Text(); got != want {
			t.Errorf("Parse(%q) = %q, want %q", in, got, want)
		}
	}
	d := Plain("broken \xff\xfe bytes\u200b")
	if got := d.Text(); got != "broken  bytes" && got != "broken bytes" {
		t.Errorf("Plain = %q", got)
	}
}
