package views

import (
	"image/color"
	"strings"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/text/width"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/display"
)

// addrChip is one recipient: the bare address, the display name if one was
// given ("Name <a@b.jp>"), and why it cannot be sent to ("" when valid).
type addrChip struct {
	name, addr, bad string
}

// text is the chip as it is kept in a draft ("Name <a@b.jp>" or the
// address): parseAddr reads it back.
func (c addrChip) text() string {
	if c.name != "" {
		return c.name + " <" + c.addr + ">"
	}
	return c.addr
}

// addrChips is a To / CC / BCC line: what is typed becomes a chip at a
// separator (comma, semicolon, a space after an address, Enter) or when
// the entry loses focus, so a person sees each recipient — and each
// mistake, with its reason — before sending.
type addrChips struct {
	chips    []addrChip
	entry    *chipEntry
	box      *fyne.Container // the chips, then the entry
	row      fyne.CanvasObject
	onChange func() // after the chips change (a draft keeps them)
	relayout func() // lays the form out again (a line may wrap anew)
	hint     string // the placeholder while the line has no chip
	// suggest are the addresses offered while typing (the ticket's
	// people); hints shows those that match what is typed.
	suggest []addrChip
	hints   *fyne.Container
	// lines are the form's address lines (To, CC, BCC, this one among
	// them): an address on any of them is not suggested again.
	lines []*addrChips
}

// linkLines makes the address lines of one form know each other, so none
// suggests an address already on another.
func linkLines(lines ...*addrChips) {
	for _, a := range lines {
		a.lines = lines
	}
}

// onAnyLine says whether addr is a chip on this line or on one linked to it.
func (a *addrChips) onAnyLine(addr string) bool {
	if a.has(addr) {
		return true
	}
	for _, o := range a.lines {
		if o != a && o.has(addr) {
			return true
		}
	}
	return false
}

func newAddrChips(u *ui, placeholder string) *addrChips {
	a := &addrChips{}
	a.entry = &chipEntry{owner: a}
	a.entry.u = u
	a.entry.PlaceHolder = placeholder
	a.hint = placeholder
	a.entry.ExtendBaseWidget(a.entry)
	a.entry.OnChanged = func(string) { a.split(false) }
	a.box = container.New(&flowLayout{}, a.entry)
	a.hints = container.NewHBox()
	a.hints.Hide()
	a.row = container.NewVBox(a.box, a.hints)
	return a
}

// chipEntry is the entry at the end of the line: it turns text into chips
// on Enter, Tab and losing focus, and removes the last chip on Backspace
// when empty.
type chipEntry struct {
	entry
	owner *addrChips
}

func (e *chipEntry) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if strings.TrimSpace(e.Text) != "" {
			if m := e.owner.matches(); len(m) == 1 && addrProblem(foldWidth(strings.TrimSpace(e.Text))) != "" {
				e.owner.take(m[0]) // "mia" + Enter: the one person it can mean
				return
			}
			e.owner.commit()
			return
		}
	case fyne.KeyBackspace:
		if e.Text == "" && len(e.owner.chips) > 0 {
			e.owner.remove(len(e.owner.chips) - 1)
			return
		}
	case fyne.KeyTab:
		e.owner.commit()
	}
	e.entry.TypedKey(k)
}

// FocusLost makes what is typed a chip, unless suggestions for it are
// shown: the person may be clicking one (Send still takes the text).
func (e *chipEntry) FocusLost() {
	if len(e.owner.matches()) == 0 {
		e.owner.commit()
	}
	e.entry.FocusLost()
}

// MinSize keeps the entry wide enough to type an address in.
func (e *chipEntry) MinSize() fyne.Size {
	s := e.entry.MinSize()
	s.Width = max(s.Width, 180)
	return s
}

// commit turns all the typed text into chips.
func (a *addrChips) commit() { a.split(true) }

// split turns the complete addresses typed so far into chips (all of the
// text when final), leaving the rest in the entry.
func (a *addrChips) split(final bool) {
	defer a.showHints()
	parts, rest := splitAddrInput(a.entry.Text)
	if final && strings.TrimSpace(rest) != "" {
		parts, rest = append(parts, rest), ""
	}
	if len(parts) == 0 {
		return
	}
	a.add(parts...)
	if a.entry.Text != rest {
		a.entry.OnChanged = nil // the text set here is not typing
		a.entry.SetText(rest)
		a.entry.CursorColumn = len([]rune(rest))
		a.entry.Refresh()
		a.entry.OnChanged = func(string) { a.split(false) }
	}
}

// add parses each address and adds it unless an equal one is there.
func (a *addrChips) add(parts ...string) {
	changed := false
	for _, p := range parts {
		c, ok := parseAddr(p)
		if !ok || a.has(c.addr) {
			continue
		}
		a.chips = append(a.chips, c)
		changed = true
	}
	if changed {
		a.render()
	}
}

func (a *addrChips) has(addr string) bool {
	n := app.NormalizeEmail(addr)
	for _, c := range a.chips {
		if app.NormalizeEmail(c.addr) == n {
			return true
		}
	}
	return false
}

// edit takes chip i back into the entry, to correct it.
func (a *addrChips) edit(i int) {
	if i < 0 || i >= len(a.chips) {
		return
	}
	text := a.chips[i].text()
	if t := strings.TrimSpace(a.entry.Text); t != "" {
		a.commit() // what was typed stays, as a chip
	}
	a.remove(i)
	a.entry.OnChanged = nil
	a.entry.SetText(text)
	a.entry.CursorColumn = len([]rune(text))
	a.entry.OnChanged = func(string) { a.split(false) }
	if c := fyne.CurrentApp().Driver().CanvasForObject(a.entry); c != nil {
		c.Focus(a.entry)
	}
}

// chipText is a chip's text as shown: one line, short enough that a
// pasted name of any length does not widen the composer (the chip keeps
// it whole).
func chipText(s string) string { return display.Line(s, chipChars) }

// chipChars is the most characters a chip shows.
const chipChars = 56

// chipLabel is a chip's text: tapping it takes the chip back into the
// entry to correct it.
type chipLabel struct {
	widget.Label
	onTap func()
}

func newChipLabel(text string, tap func()) *chipLabel {
	l := &chipLabel{onTap: tap}
	l.Text = text
	l.ExtendBaseWidget(l)
	return l
}

func (l *chipLabel) Tapped(*fyne.PointEvent) { l.onTap() }

// chipRemove is a chip's ×: an icon that removes the chip when clicked.
// It is not a button on purpose: a button takes the focus, and Tab would
// stop at every chip's × on the way to the next line; from the keyboard,
// Backspace in the empty entry removes the last chip.
type chipRemove struct {
	widget.Icon
	onTap func()
}

func newChipRemove(tap func()) *chipRemove {
	r := &chipRemove{onTap: tap}
	r.Resource = theme.CancelIcon()
	r.ExtendBaseWidget(r)
	return r
}

func (r *chipRemove) Tapped(*fyne.PointEvent) { r.onTap() }

// Cursor shows the pointer as over a button.
func (r *chipRemove) Cursor() desktop.Cursor { return desktop.PointerCursor }

var (
	_ fyne.Tappable      = (*chipRemove)(nil)
	_ desktop.Cursorable = (*chipRemove)(nil)
)

func (a *addrChips) remove(i int) {
	if i < 0 || i >= len(a.chips) {
		return
	}
	a.chips = append(a.chips[:i:i], a.chips[i+1:]...)
	a.render()
}

// matches are the suggestions that fit what is typed (the start of the
// address or of a word of the name), at most three, none already a chip
// on this line or another of the form.
func (a *addrChips) matches() []addrChip {
	q := strings.ToLower(strings.TrimSpace(foldWidth(a.entry.Text)))
	if q == "" {
		return nil
	}
	var out []addrChip
	for _, c := range a.suggest {
		fits := strings.HasPrefix(strings.ToLower(c.addr), q)
		for _, w := range strings.Fields(strings.ToLower(c.name)) {
			fits = fits || strings.HasPrefix(w, q)
		}
		if fits && !a.onAnyLine(c.addr) && len(out) < 3 {
			out = append(out, c)
		}
	}
	return out
}

// take adds a suggestion as a chip in place of what is typed.
func (a *addrChips) take(c addrChip) {
	a.entry.OnChanged = nil
	a.entry.SetText("")
	a.entry.OnChanged = func(string) { a.split(false) }
	a.add(c.text())
	a.showHints()
}

// showHints offers the suggestions that match what is typed, below the
// line (a pop-up would take the keyboard from the entry).
func (a *addrChips) showHints() {
	m := a.matches()
	if len(m) == 0 && !a.hints.Visible() {
		return
	}
	a.hints.RemoveAll()
	for _, c := range m {
		b := widget.NewButtonWithIcon(chipText(c.text()), theme.ContentAddIcon(), func() { a.take(c) })
		b.Importance = widget.LowImportance
		a.hints.Add(b)
	}
	if len(m) == 0 {
		a.hints.Hide()
	} else {
		a.hints.Show()
	}
	a.hints.Refresh()
	if a.relayout != nil {
		a.relayout()
	}
}

// setSuggestions sets the addresses offered while typing.
func (a *addrChips) setSuggestions(list []addrChip) { a.suggest = list }

// ticketPeople are the addresses on a ticket a reply may go to: its
// contact and everyone on its messages, except the help desk's own.
func ticketPeople(td *app.TicketDetail, support string) []addrChip {
	var out []addrChip
	seen := map[string]bool{app.NormalizeEmail(support): true, "": true}
	add := func(name, list string) {
		parts, rest := splitAddrInput(list)
		for _, p := range append(parts, rest) {
			c, ok := parseAddr(p)
			if n := app.NormalizeEmail(c.addr); ok && c.bad == "" && !seen[n] {
				seen[n] = true
				if c.name == "" {
					c.name = name
				}
				out = append(out, c)
			}
		}
	}
	add(td.Ticket.ContactName, firstNonEmpty(td.Ticket.ContactEmail, td.Ticket.Email))
	for _, th := range td.Threads {
		add("", th.From)
		add("", th.To)
		add("", th.CC)
	}
	return out
}

// setText replaces the chips by the addresses of s (a prefill or a draft).
func (a *addrChips) setText(s string) {
	a.chips = nil
	a.entry.OnChanged = nil
	a.entry.SetText("")
	a.entry.OnChanged = func(string) { a.split(false) }
	parts, rest := splitAddrInput(s)
	a.add(append(parts, rest)...)
	a.render()
}

// text is the line as a draft keeps it: the chips (with their names) and
// what is still typed.
func (a *addrChips) text() string {
	var out []string
	for _, c := range a.chips {
		out = append(out, c.text())
	}
	if t := strings.TrimSpace(a.entry.Text); t != "" {
		out = append(out, t)
	}
	return strings.Join(out, ", ")
}

// addrs is the bare addresses to send to, after turning what is still
// typed into chips; bad is the first chip that cannot be sent to.
func (a *addrChips) addrs() (list string, bad *addrChip) {
	a.commit()
	var out []string
	for i, c := range a.chips {
		if c.bad != "" && bad == nil {
			bad = &a.chips[i]
		}
		out = append(out, c.addr)
	}
	return strings.Join(out, ", "), bad
}

func (a *addrChips) render() {
	objs := make([]fyne.CanvasObject, 0, len(a.chips)+1)
	for i, c := range a.chips {
		objs = append(objs, a.chipView(i, c))
	}
	a.box.Objects = append(objs, a.entry)
	// Beside chips, an empty box would read as another field: say what
	// it is for.
	if len(a.chips) == 0 {
		a.entry.SetPlaceHolder(a.hint)
	} else {
		a.entry.SetPlaceHolder(lang.L("Add another address"))
	}
	a.box.Refresh()
	if a.relayout != nil { // a line that wraps anew changes the form's rows
		a.relayout()
	}
	if a.onChange != nil {
		a.onChange()
	}
}

// chipView draws a chip: the name or address (the address in full on a
// bad chip, with the reason), and a remove button.
func (a *addrChips) chipView(i int, c addrChip) fyne.CanvasObject {
	label := c.addr
	if c.name != "" {
		label = c.name + " <" + c.addr + ">"
	}
	l := newChipLabel(chipText(label), func() { a.edit(i) })
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBorder))
	var icon fyne.CanvasObject
	if c.bad != "" {
		l.SetText(lang.L("{{.Addr}}: {{.Reason}}", map[string]any{"Addr": chipText(c.addr), "Reason": c.bad}))
		l.Importance = widget.DangerImportance
		bg.FillColor = withAlpha(theme.Color(theme.ColorNameError), 0x30)
		icon = widget.NewIcon(theme.ErrorIcon())
	}
	bg.CornerRadius = theme.Size(theme.SizeNameInputRadius) * 2
	rm := newChipRemove(func() { a.remove(i) })
	row := container.NewHBox(l, rm)
	if icon != nil {
		row = container.NewHBox(icon, l, rm)
	}
	return container.NewStack(bg, row)
}

// growDialog makes dlg tall enough for content (a line of chips that
// wrapped onto more rows), never smaller than base nor taller than the
// window: a Fyne dialog does not grow with its content by itself.
func growDialog(dlg dialog.Dialog, content fyne.CanvasObject, base fyne.Size, win fyne.Window) {
	if dlg == nil {
		return
	}
	chrome := 3*theme.TextSize() + 6*theme.Padding() // the title and the dialog's padding
	h := max(base.Height, content.MinSize().Height+chrome)
	if wh := win.Canvas().Size().Height - 2*theme.Padding(); wh > base.Height {
		h = min(h, wh)
	}
	dlg.Resize(fyne.NewSize(base.Width, h))
}

func withAlpha(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}

// splitAddrInput splits typed or pasted text into complete addresses and
// the rest still being typed. Commas, semicolons and their Japanese forms
// (、，；) and line breaks always separate; a space (also 　) separates
// once the address before it is complete (it has an @ and no open < or
// quote), so "Sato Taro <taro@example.jp>" stays one address.
func splitAddrInput(s string) (parts []string, rest string) {
	var cur strings.Builder
	angle, quote := false, false
	flush := func() {
		if t := strings.TrimSpace(cur.String()); t != "" {
			parts = append(parts, t)
		}
		cur.Reset()
	}
	for _, r := range s {
		switch {
		case r == '"':
			quote = !quote
		case r == '<' || r == '＜':
			angle = true
		case r == '>' || r == '＞':
			angle = false
		}
		if !quote && !angle {
			switch {
			case r == ',' || r == ';' || r == '、' || r == '，' || r == '；' || r == '\n' || r == '\r':
				flush()
				continue
			case unicode.IsSpace(r) && strings.ContainsAny(cur.String(), "@＠") && !strings.ContainsAny(cur.String(), "<＜") ||
				unicode.IsSpace(r) && strings.ContainsAny(cur.String(), ">＞"):
				flush()
				continue
			}
		}
		cur.WriteRune(r)
	}
	return parts, strings.TrimLeftFunc(cur.String(), unicode.IsSpace)
}

// parseAddr reads one address ("a@b.jp", "Name <a@b.jp>", with full-width
// letters folded to ASCII) and says why it is not valid; ok is false for
// nothing at all.
func parseAddr(s string) (c addrChip, ok bool) {
	s = strings.TrimSpace(s)
	if lt := strings.LastIndexAny(s, "<＜"); lt >= 0 {
		if gt := strings.LastIndexAny(s, ">＞"); gt > lt {
			c.name = strings.Trim(strings.TrimSpace(s[:lt]), "\"")
			_, w := utf8.DecodeRuneInString(s[lt:])
			s = s[lt+w : gt]
		}
	}
	c.addr = strings.TrimSpace(foldWidth(s))
	if c.addr == "" {
		return c, false
	}
	c.bad = addrProblem(c.addr)
	return c, true
}

// foldWidth turns full-width ASCII (＠, ａ, ．, １) and the ideographic
// space into ASCII (width.Fold), and 。 into a dot: a Japanese input
// method left on gives those.
func foldWidth(s string) string {
	return strings.ReplaceAll(width.Fold.String(s), "。", ".")
}

// addrProblem says why addr is not an address email can go to ("" when
// it is), as app.ValidEmail judges, with the likeliest reason.
func addrProblem(addr string) string {
	if app.ValidEmail(addr) {
		return ""
	}
	at := strings.Count(addr, "@")
	switch {
	case at == 0:
		return lang.L("it has no @")
	case at > 1:
		return lang.L("it has more than one @")
	case strings.HasPrefix(addr, "@"):
		return lang.L("the name before @ is missing")
	case strings.ContainsAny(addr, " \t"):
		return lang.L("it has a space")
	case !strings.Contains(addr[strings.IndexByte(addr, '@'):], "."):
		return lang.L("the part after @ needs a dot, like example.com")
	}
	return lang.L("this is not a valid email address")
}

// flowLayout places objects in rows, wrapping when a row is full. Its
// height follows the width it was last given (Fyne asks MinSize before
// Layout), so a line with many chips grows after the first layout.
type flowLayout struct{ width float32 }

func (f *flowLayout) rows(objs []fyne.CanvasObject, width float32, place bool) fyne.Size {
	pad := theme.Padding()
	x, y, rowH, widest := float32(0), float32(0), float32(0), float32(0)
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		s := o.MinSize()
		if x > 0 && width > 0 && x+s.Width > width {
			x, y, rowH = 0, y+rowH+pad, 0
		}
		if place {
			w := s.Width
			if _, ok := o.(*chipEntry); ok && width > 0 {
				w = max(w, width-x) // the entry takes the rest of its row
			}
			o.Move(fyne.NewPos(x, y))
			o.Resize(fyne.NewSize(w, s.Height))
		}
		x += s.Width + pad
		rowH = max(rowH, s.Height)
		widest = max(widest, x-pad)
	}
	return fyne.NewSize(widest, y+rowH)
}

func (f *flowLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	f.width = size.Width
	f.rows(objs, size.Width, true)
}

// flowGuess is the width a line is taken to have before its first layout
// (a composer's field column).
const flowGuess = 440

func (f *flowLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	w := f.width
	if w <= 0 {
		w = flowGuess
	}
	s := f.rows(objs, w, false)
	s.Width = 0
	for _, o := range objs { // as narrow as the widest object: rows wrap
		s.Width = max(s.Width, o.MinSize().Width)
	}
	return s
}
