// Package richtext turns untrusted HTML (Zoho Desk ticket and thread
// bodies) into a small, neutral document of paragraphs, headings, list
// items, quotes and preformatted blocks made of plain text spans.
//
// Nothing in the result can run or fetch anything: scripts, styles, frames,
// objects and forms are dropped, images become "[image: alt]" text, and a
// link is kept only as its text and, for http, https and mailto, its
// address, for people to read. Input is capped in size and nesting, so
// hostile markup costs linear time and cannot break a screen's layout. The
// package uses golang.org/x/net/html's tokenizer, not its tree builder,
// whose error recovery can be quadratic on deeply nested markup.
package richtext

import (
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/tandem-crm/tandem/app/display"
)

// Limits that keep hostile input cheap.
const (
	// MaxInput is how many bytes of a body are parsed; the rest is dropped
	// and Doc.Truncated set.
	MaxInput = 1 << 20
	// MaxText is how many bytes of text a document keeps.
	MaxText = 256 << 10
	// MaxBlocks is how many blocks a document keeps.
	MaxBlocks = 4000
	// MaxDepth is how deep elements nest before further start tags are
	// ignored (their text is kept).
	MaxDepth = 64
	// MaxListDepth caps the indentation of lists and quotes.
	MaxListDepth = 8
)

// BlockKind is what a block is.
type BlockKind int

// Block kinds.
const (
	Paragraph BlockKind = iota
	Heading             // Level 1–6
	ListItem            // Level is the list depth (1 for a top-level list)
	Pre                 // preformatted: whitespace kept
)

// Span is a run of text with one style. A link's address is in URL and is
// never fetched; a view shows it as text.
type Span struct {
	Text   string
	Bold   bool
	Italic bool
	Code   bool
	URL    string // only http, https or mailto; "" otherwise
}

// Block is a paragraph-like unit of a document.
type Block struct {
	Kind    BlockKind
	Level   int  // heading level or list depth
	Ordered bool // a numbered list item
	Number  int  // its number, for ordered list items
	Quote   int  // how many blockquotes it is inside (capped)
	Spans   []Span
}

// Text returns the block's text without styles.
func (b *Block) Text() string {
	var sb strings.Builder
	for _, s := range b.Spans {
		sb.WriteString(s.Text)
	}
	return sb.String()
}

// Doc is a parsed body.
type Doc struct {
	Blocks []Block
	// Truncated is set when the input or the output was cut at a limit.
	Truncated bool
}

// Text returns the document as plain text, one block a line.
func (d *Doc) Text() string {
	var sb strings.Builder
	for i := range d.Blocks {
		if i > 0 {
			sb.WriteByte('\n')
		}
		sb.WriteString(d.Blocks[i].Text())
	}
	return sb.String()
}

// Plain turns plain text into a document: one paragraph per line, blank
// lines dropped, control characters removed.
func Plain(s string) Doc { return PlainLimit(s, MaxText) }

// PlainLimit is Plain keeping at most maxText bytes of text (at most
// MaxText).
func PlainLimit(s string, maxText int) Doc {
	maxText = min(max(maxText, 1), MaxText)
	var d Doc
	if len(s) > MaxInput {
		s, d.Truncated = cut(s, MaxInput), true
	}
	size := 0
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(clean(line))
		if line == "" {
			continue
		}
		if size+len(line) > maxText || len(d.Blocks) >= MaxBlocks {
			if rest := maxText - size; rest > 0 && len(d.Blocks) < MaxBlocks {
				d.Blocks = append(d.Blocks, Block{Kind: Paragraph, Spans: []Span{{Text: cut(line, rest)}}})
			}
			d.Truncated = true
			break
		}
		size += len(line)
		d.Blocks = append(d.Blocks, Block{Kind: Paragraph, Spans: []Span{{Text: line}}})
	}
	return d
}

// Parse parses an HTML body. It never fails: whatever cannot be understood
// is dropped or kept as text.
func Parse(s string) Doc { return ParseLimit(s, MaxText) }

// ParseLimit is Parse keeping at most maxText bytes of text (at most
// MaxText): screens keep far less than the package's own cap, since laying
// out text costs more than parsing it.
func ParseLimit(s string, maxText int) Doc {
	p := parser{maxText: min(max(maxText, 1), MaxText)}
	if len(s) > MaxInput {
		s, p.doc.Truncated = cut(s, MaxInput), true
	}
	z := html.NewTokenizer(strings.NewReader(s))
	z.SetMaxBuf(0)
	for !p.full {
		tt := z.Next()
		if tt == html.ErrorToken {
			if z.Err() != io.EOF {
				p.doc.Truncated = true
			}
			break
		}
		switch tt {
		case html.TextToken:
			if p.skip == 0 {
				p.text(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			var attrs map[string]string
			if hasAttr && (a == atom.A || a == atom.Img || a == atom.Ol || a == atom.Li) {
				attrs = readAttrs(z)
			}
			p.start(a, string(name), attrs, tt == html.SelfClosingTagToken)
		case html.EndTagToken:
			name, _ := z.TagName()
			p.end(atom.Lookup(name), string(name))
		}
	}
	p.flush()
	return p.doc
}

func readAttrs(z *html.Tokenizer) map[string]string {
	m := map[string]string{}
	for {
		k, v, more := z.TagAttr()
		if len(m) < 16 {
			m[string(k)] = string(v)
		}
		if !more {
			return m
		}
	}
}

type list struct {
	ordered bool
	next    int
}

type parser struct {
	doc     Doc
	maxText int
	cur     *Block
	size    int
	full    bool
	stack   []atom.Atom // open elements we track (capped at MaxDepth)
	names   []string    // their names, for unknown elements
	// ignored counts start tags dropped past MaxDepth, so their end tags
	// are dropped too.
	ignored int

	skip     int    // >0 inside an element whose content is dropped
	skipName string // that element
	skipNest int    // nested elements of the same name inside it

	bold, italic, code, pre, quote int
	lists                          []list
	href                           []string // open links' addresses ("" for unsafe ones)
	pendingSpace                   bool
}

// dropped are elements whose content is never shown.
var dropped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Iframe: true, atom.Object: true, atom.Embed: true,
	atom.Noscript: true, atom.Template: true, atom.Svg: true, atom.Math: true, atom.Head: true,
	atom.Title: true, atom.Frameset: true, atom.Frame: true, atom.Applet: true, atom.Audio: true,
	atom.Video: true, atom.Canvas: true, atom.Select: true, atom.Textarea: true, atom.Button: true,
	atom.Noframes: true, atom.Noembed: true, atom.Xmp: true, atom.Map: true, atom.Datalist: true,
}

// blockish are elements that start and end a paragraph.
var blockish = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Section: true, atom.Article: true, atom.Header: true,
	atom.Footer: true, atom.Table: true, atom.Tr: true, atom.Form: true, atom.Center: true,
	atom.Address: true, atom.Dl: true, atom.Dt: true, atom.Dd: true, atom.Figure: true,
	atom.Figcaption: true, atom.Main: true, atom.Nav: true, atom.Aside: true, atom.Hr: true,
	atom.Details: true, atom.Summary: true, atom.Fieldset: true, atom.Body: true, atom.Html: true,
	atom.Caption: true, atom.Tbody: true, atom.Thead: true, atom.Tfoot: true,
}

// void elements have no end tag.
var void = map[atom.Atom]bool{
	atom.Br: true, atom.Img: true, atom.Hr: true, atom.Input: true, atom.Meta: true, atom.Link: true,
	atom.Area: true, atom.Base: true, atom.Col: true, atom.Embed: true, atom.Param: true,
	atom.Source: true, atom.Track: true, atom.Wbr: true,
}

func headingLevel(a atom.Atom) int {
	switch a {
	case atom.H1:
		return 1
	case atom.H2:
		return 2
	case atom.H3:
		return 3
	case atom.H4:
		return 4
	case atom.H5:
		return 5
	case atom.H6:
		return 6
	}
	return 0
}

func (p *parser) start(a atom.Atom, name string, attrs map[string]string, selfClosing bool) {
	if p.skip > 0 {
		if name == p.skipName && !selfClosing {
			p.skipNest++
		}
		return
	}
	if dropped[a] {
		if !selfClosing && !void[a] {
			p.skip, p.skipName, p.skipNest = 1, name, 0
		}
		return
	}
	switch a {
	case atom.Br:
		p.lineBreak()
		return
	case atom.Img:
		alt := strings.TrimSpace(clean(attrs["alt"]))
		if utf8.RuneCountInString(alt) > 80 {
			alt = string([]rune(alt)[:80]) + "…"
		}
		if alt == "" {
			p.text([]byte(" [image] "))
		} else {
			p.text([]byte(" [image: " + alt + "] "))
		}
		return
	case atom.Hr:
		p.flush()
		return
	case atom.Td, atom.Th:
		p.pendingSpace = true
	}
	if void[a] || selfClosing {
		return
	}
	if len(p.stack) >= MaxDepth {
		p.ignored++
		return
	}
	p.stack = append(p.stack, a)
	p.names = append(p.names, name)
	switch {
	case blockish[a]:
		p.flush()
	case headingLevel(a) > 0:
		p.flush()
		p.open(Block{Kind: Heading, Level: headingLevel(a)})
	case a == atom.Ul || a == atom.Ol:
		p.flush()
		l := list{ordered: a == atom.Ol, next: 1}
		if n, ok := atoi(attrs["start"]); ok {
			l.next = n
		}
		p.lists = append(p.lists, l)
	case a == atom.Li:
		p.flush()
		b := Block{Kind: ListItem, Level: min(max(len(p.lists), 1), MaxListDepth)}
		if n := len(p.lists); n > 0 {
			l := &p.lists[n-1]
			if n, ok := atoi(attrs["value"]); ok {
				l.next = n
			}
			if l.ordered {
				b.Ordered, b.Number = true, l.next
				l.next++
			}
		}
		p.open(b)
	case a == atom.Blockquote:
		p.flush()
		p.quote++
	case a == atom.Pre:
		p.flush()
		p.pre++
		p.open(Block{Kind: Pre})
	case a == atom.B || a == atom.Strong:
		p.bold++
	case a == atom.I || a == atom.Em || a == atom.Cite || a == atom.Var:
		p.italic++
	case a == atom.Code || a == atom.Tt || a == atom.Kbd || a == atom.Samp:
		p.code++
	case a == atom.A:
		p.href = append(p.href, safeURL(attrs["href"]))
	}
}

func (p *parser) end(a atom.Atom, name string) {
	if p.skip > 0 {
		if name == p.skipName {
			if p.skipNest == 0 {
				p.skip = 0
			} else {
				p.skipNest--
			}
		}
		return
	}
	if void[a] {
		if a == atom.Br { // </br> is a line break, as browsers treat it
			p.lineBreak()
		}
		return
	}
	if a == atom.P && !p.isOpen(a, name) {
		p.flush() // </p> without <p> is an empty paragraph
		return
	}
	if !p.isOpen(a, name) {
		if p.ignored > 0 {
			p.ignored--
		}
		return
	}
	for len(p.stack) > 0 {
		top, topName := p.stack[len(p.stack)-1], p.names[len(p.names)-1]
		p.stack, p.names = p.stack[:len(p.stack)-1], p.names[:len(p.names)-1]
		p.close(top)
		if top == a && (a != 0 || topName == name) {
			break
		}
	}
}

func (p *parser) isOpen(a atom.Atom, name string) bool {
	for i := len(p.stack) - 1; i >= 0; i-- {
		if p.stack[i] == a && (a != 0 || p.names[i] == name) {
			return true
		}
	}
	return false
}

func (p *parser) close(a atom.Atom) {
	switch {
	case blockish[a] || headingLevel(a) > 0 || a == atom.Li:
		p.flush()
	case a == atom.Ul || a == atom.Ol:
		p.flush()
		if n := len(p.lists); n > 0 {
			p.lists = p.lists[:n-1]
		}
	case a == atom.Blockquote:
		p.flush()
		p.quote--
	case a == atom.Pre:
		p.flush()
		p.pre--
	case a == atom.B || a == atom.Strong:
		p.bold--
	case a == atom.I || a == atom.Em || a == atom.Cite || a == atom.Var:
		p.italic--
	case a == atom.Code || a == atom.Tt || a == atom.Kbd || a == atom.Samp:
		p.code--
	case a == atom.A:
		if n := len(p.href); n > 0 {
			u := p.href[n-1]
			p.href = p.href[:n-1]
			if u != "" && p.cur != nil && !strings.Contains(p.cur.Text(), u) {
				p.add(Span{Text: " <" + u + ">", URL: u})
			}
		}
	}
}

// open starts block b, flushing the current one.
func (p *parser) open(b Block) {
	p.flush()
	b.Quote = min(p.quote, MaxListDepth)
	if p.pre > 0 && b.Kind == Paragraph {
		b.Kind = Pre
	}
	p.cur = &b
	p.pendingSpace = false
}

// flush ends the current block, keeping it when it has text.
func (p *parser) flush() {
	b := p.cur
	p.cur = nil
	p.pendingSpace = false
	if b == nil {
		return
	}
	// Trim the trailing space collapsed whitespace left.
	for len(b.Spans) > 0 {
		s := &b.Spans[len(b.Spans)-1]
		if b.Kind != Pre {
			s.Text = strings.TrimRight(s.Text, " ")
		} else {
			s.Text = strings.TrimRight(s.Text, " \n")
		}
		if s.Text != "" {
			break
		}
		b.Spans = b.Spans[:len(b.Spans)-1]
	}
	if len(b.Spans) == 0 {
		return
	}
	if len(p.doc.Blocks) >= MaxBlocks {
		p.doc.Truncated, p.full = true, true
		return
	}
	p.doc.Blocks = append(p.doc.Blocks, *b)
}

func (p *parser) lineBreak() {
	if p.pre > 0 && p.cur != nil {
		p.add(Span{Text: "\n"})
		return
	}
	// A line break ends a paragraph; the continuation keeps the list and
	// heading context out, as a plain paragraph at the same quote depth.
	kind := Paragraph
	if p.cur != nil && p.cur.Kind == Heading {
		kind = Heading
	}
	lvl := 0
	if p.cur != nil && kind == Heading {
		lvl = p.cur.Level
	}
	p.flush()
	p.open(Block{Kind: kind, Level: lvl})
}

// text adds character data, collapsing whitespace outside <pre>.
func (p *parser) text(raw []byte) {
	s := clean(string(raw))
	if s == "" {
		return
	}
	if p.pre > 0 {
		if p.cur == nil {
			p.open(Block{Kind: Pre})
		}
		p.add(p.span(s))
		return
	}
	var sb strings.Builder
	sb.Grow(len(s))
	space := p.pendingSpace
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space {
			if sb.Len() > 0 || (p.cur != nil && len(p.cur.Spans) > 0) {
				sb.WriteByte(' ')
			}
			space = false
		}
		sb.WriteRune(r)
	}
	if sb.Len() == 0 {
		p.pendingSpace = space
		return
	}
	if p.cur == nil {
		p.open(Block{Kind: Paragraph})
	}
	p.add(p.span(sb.String()))
	p.pendingSpace = space
}

func (p *parser) span(s string) Span {
	sp := Span{Text: s, Bold: p.bold > 0, Italic: p.italic > 0, Code: p.code > 0}
	if n := len(p.href); n > 0 {
		sp.URL = p.href[n-1]
	}
	return sp
}

// add appends a span to the current block, merging it with the previous
// one when the style is the same.
func (p *parser) add(s Span) {
	if p.full {
		return
	}
	if p.size+len(s.Text) > p.maxText {
		s.Text = cut(s.Text, p.maxText-p.size)
		p.doc.Truncated, p.full = true, true
	}
	p.size += len(s.Text)
	if p.cur == nil {
		p.open(Block{Kind: Paragraph})
	}
	if n := len(p.cur.Spans); n > 0 {
		last := &p.cur.Spans[n-1]
		if last.Bold == s.Bold && last.Italic == s.Italic && last.Code == s.Code && last.URL == s.URL {
			last.Text += s.Text
			return
		}
	}
	p.cur.Spans = append(p.cur.Spans, s)
}

// safeURL returns a link address people may read: http, https and mailto
// only, without control characters, at most 300 bytes.
func safeURL(u string) string {
	u = strings.TrimSpace(clean(u))
	l := strings.ToLower(u)
	if !strings.HasPrefix(l, "http://") && !strings.HasPrefix(l, "https://") && !strings.HasPrefix(l, "mailto:") {
		return ""
	}
	if strings.ContainsAny(u, " <>\"") || len(u) > 300 {
		return ""
	}
	return u
}

// clean removes control characters (except tab and newline, made spaces
// or kept for <pre>), bidirectional controls that could reorder what people
// read, and invalid UTF-8: the same rule as every other text on screen.
// A message body also loses what the window would draw as a stray "?" (a
// replacement character in a diamond): the bytes of a mis-encoded mail and
// NUL references, which the tokenizer and display.Clean turn into U+FFFD,
// and the invisible format characters mail editors put between words
// (zero-width space, word joiner, soft hyphen, byte order mark), which
// fonts often lack. Zero-width joiners stay: emoji sequences need them.
func clean(s string) string {
	if strings.ContainsFunc(s, stray) {
		s = strings.Map(func(r rune) rune {
			if stray(r) {
				return -1
			}
			return r
		}, s)
	}
	return display.Clean(s)
}

// stray reports whether r is dropped from a message body (see clean).
func stray(r rune) bool {
	switch r {
	case utf8.RuneError, 0, 0x00ad, 0x200b, 0x2060, 0xfeff, 0x180e:
		return true
	}
	return false
}

// cut shortens s to at most n bytes at a rune boundary.
func cut(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func atoi(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 6 {
		return 0, false
	}
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, true
}
