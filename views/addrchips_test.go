package views

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// chipTexts lists a line's chips as the draft keeps them, bad ones marked.
func chipTexts(a *addrChips) []string {
	var out []string
	for _, c := range a.chips {
		s := c.text()
		if c.bad != "" {
			s = "!" + s
		}
		out = append(out, s)
	}
	return out
}

func sameList(got []string, want ...string) bool {
	return strings.Join(got, "|") == strings.Join(want, "|")
}

// TestAddrChipsTyping: what a person types or pastes becomes chips at
// separators (Japanese ones too), names survive, duplicates collapse, bad
// addresses are chips with a reason, and Backspace on an empty entry
// removes the last chip.
func TestAddrChipsTyping(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewWindow(nil)
	defer w.Close()
	a := newAddrChips(nil, "")
	other := widget.NewEntry()
	w.SetContent(container2(a.row, other))
	w.Resize(fyne.NewSize(600, 300))

	w.Canvas().Focus(a.entry)
	test.Type(a.entry, "mia@summit.example,")
	if !sameList(chipTexts(a), "mia@summit.example") || a.entry.Text != "" {
		t.Fatalf("comma: chips %v, entry %q", chipTexts(a), a.entry.Text)
	}
	test.Type(a.entry, "Sato Taro <taro@example.jp> ")
	if !sameList(chipTexts(a), "mia@summit.example", "Sato Taro <taro@example.jp>") {
		t.Fatalf("a name with spaces: %v (entry %q)", chipTexts(a), a.entry.Text)
	}
	// A Japanese input method: full-width @ and letters, 、 as separator.
	test.Type(a.entry, "ｈａｎａ＠ｅｘａｍｐｌｅ．ｊｐ、")
	test.Type(a.entry, "MIA@summit.example;")
	if !sameList(chipTexts(a), "mia@summit.example", "Sato Taro <taro@example.jp>", "hana@example.jp") {
		t.Fatalf("full-width and a duplicate: %v", chipTexts(a))
	}
	// Pasted: a list with a name, comma and full-width space separated.
	a.entry.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip("Kenji Ito <kenji@ito.example>, ken@broken　info@shop.example")})
	want := []string{"mia@summit.example", "Sato Taro <taro@example.jp>", "hana@example.jp", "Kenji Ito <kenji@ito.example>", "!ken@broken"}
	if !sameList(chipTexts(a), want...) || a.entry.Text != "info@shop.example" {
		t.Fatalf("paste: chips %v, entry %q", chipTexts(a), a.entry.Text)
	}
	// Leaving the line makes the last one a chip.
	w.Canvas().Focus(other)
	want = append(want, "info@shop.example")
	if !sameList(chipTexts(a), want...) || a.entry.Text != "" {
		t.Fatalf("focus lost: chips %v, entry %q", chipTexts(a), a.entry.Text)
	}
	if got := a.chips[4].bad; got != "the part after @ needs a dot, like example.com" {
		t.Errorf("reason for ken@broken: %q", got)
	}
	list, bad := a.addrs()
	if bad == nil || bad.addr != "ken@broken" || !strings.HasPrefix(list, "mia@summit.example, taro@example.jp, hana@example.jp, kenji@ito.example") {
		t.Errorf("addrs = %q, bad %+v", list, bad)
	}
	// Backspace on the empty entry removes the last chip; the × the one it is on.
	w.Canvas().Focus(a.entry)
	a.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
	if len(a.chips) != 5 || a.chips[4].addr != "ken@broken" {
		t.Fatalf("Backspace: %v", chipTexts(a))
	}
	test.Tap(removeButton(t, a, 4))
	if _, bad := a.addrs(); bad != nil || len(a.chips) != 4 {
		t.Fatalf("× did not remove the bad chip: %v", chipTexts(a))
	}
	// Tapping a chip takes it back to correct it.
	test.Tap(chipLabelOf(t, a, 0))
	if a.entry.Text != "mia@summit.example" || len(a.chips) != 3 || w.Canvas().Focused() != a.entry {
		t.Fatalf("edit: entry %q, chips %v", a.entry.Text, chipTexts(a))
	}
	// Corrected, Tab (the window moves focus on) makes it a chip again.
	a.entry.SetText("")
	test.Type(a.entry, "mia@summit.jp")
	w.Canvas().FocusNext()
	if w.Canvas().Focused() == a.entry || a.chips[len(a.chips)-1].addr != "mia@summit.jp" {
		t.Fatalf("Tab: focused %T, chips %v", w.Canvas().Focused(), chipTexts(a))
	}
	w.Canvas().Focus(a.entry)
	// A pasted name of any length shows short (the chip keeps it whole).
	long := strings.Repeat("営業部", 200) + " <long@example.jp>"
	a.setText(long)
	if l := chipLabelOf(t, a, 0); len([]rune(l.Text)) > chipChars || a.text() != long {
		t.Errorf("a long name shows as %d characters; kept %q", len([]rune(l.Text)), a.text())
	}
	// Enter makes a chip; Enter on nothing does nothing.
	test.Type(a.entry, "noat")
	a.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if c := a.chips[len(a.chips)-1]; c.addr != "noat" || c.bad != "it has no @" {
		t.Errorf("Enter: %+v", c)
	}
}

// chipLabelOf is the text of chip i.
func chipLabelOf(t *testing.T, a *addrChips, i int) *chipLabel {
	t.Helper()
	for _, o := range walk(nil, a.box.Objects[i]) {
		if l, ok := o.(*chipLabel); ok {
			return l
		}
	}
	t.Fatalf("chip %d has no label", i)
	return nil
}

// removeButton is the × of chip i.
func removeButton(t *testing.T, a *addrChips, i int) *chipRemove {
	t.Helper()
	for _, o := range walk(nil, a.box.Objects[i]) {
		if b, ok := o.(*chipRemove); ok {
			return b
		}
	}
	t.Fatalf("chip %d has no remove button", i)
	return nil
}

// clip is a clipboard holding a text.
type clip string

func (c clip) Content() string   { return string(c) }
func (c clip) SetContent(string) {}

func container2(a, b fyne.CanvasObject) fyne.CanvasObject {
	return widget.NewForm(widget.NewFormItem("To", a), widget.NewFormItem("Other", b))
}

// uploads counts the files Tandem uploaded to the emulator.
func (e *deskEnv) uploads() int {
	n := 0
	for _, r := range e.emu.Requests() {
		if r.Method == "POST" && strings.HasSuffix(r.Path, "/uploads") && r.Status < 300 {
			n++
		}
	}
	return n
}

// TestDraftKeepsFiles: a reply's attached file stays with its draft when
// the composer closes (and the pane opens anew), even once the original is
// deleted; sending uploads it exactly once and clears the draft's copy;
// removing a file removes it from the draft.
func TestDraftKeepsFiles(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 41, Contacts: 4, Accounts: 2, Tickets: 4}, mode: app.SyncNone})
	c, id := e.miaTicket("Quote", "<p>Quote please.</p>")
	tab := e.tab(app.KindContact, c.ID)
	p := e.openTicketByID(tab, id)

	dir := t.TempDir()
	quote := filepath.Join(dir, "quote.pdf")
	want := bytes.Repeat([]byte("%PDF quote "), 300)
	if err := os.WriteFile(quote, want, 0o600); err != nil {
		t.Fatal(err)
	}
	notes := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notes, []byte("extra"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.tap(p.reply)
	p.compose.files.onDropped(fyne.Position{}, []fyne.URI{storage.NewFileURI(quote), storage.NewFileURI(notes)})
	test.Type(p.compose.bcc.entry, "boss@summit.example,")
	e.waitFor("the draft to keep the files", func() bool {
		d, err := e.svc.Draft(e.ctx, id, app.OutboxReply)
		return err == nil && len(d.Files) == 2 && d.BCC == "boss@summit.example"
	})
	p.compose.dlg.Hide()
	e.settle()
	tab.pane.close()
	tab.pane = nil
	// The original moved away: the draft's copy is what comes back.
	if err := os.Remove(quote); err != nil {
		t.Fatal(err)
	}
	p = e.openTicketByID(tab, id)
	e.tap(p.reply)
	if !e.hasText("quote.pdf · 3 KB") || !e.hasText("notes.txt") || !e.hasText("Your unsent draft is back.") {
		t.Fatalf("the file chips did not come back: %v", p.compose.files.list())
	}
	if p.compose.bcc.text() != "boss@summit.example" {
		t.Errorf("BCC came back as %q", p.compose.bcc.text())
	}

	// Removing a file removes its copy from the draft.
	var kept string
	for i, f := range p.compose.files.list() {
		if filepath.Base(f) == "notes.txt" {
			kept = f
			p.compose.files.remove(i)
		}
	}
	e.waitFor("the draft to drop the file", func() bool {
		d, _ := e.svc.Draft(e.ctx, id, app.OutboxReply)
		return len(d.Files) == 1
	})
	if _, err := os.Stat(kept); !os.IsNotExist(err) {
		t.Errorf("the removed file's copy is still kept: %v", err)
	}

	// Send: one upload, the file on Desk, the draft and its copies gone.
	d, _ := e.svc.Draft(e.ctx, id, app.OutboxReply)
	test.Type(p.compose.body, "The quote is attached.")
	before := e.uploads()
	e.tap(p.compose.send)
	e.syncOnce()
	e.emu.Advance(time.Second)
	e.syncOnce()
	if n := e.uploads() - before; n != 1 {
		t.Errorf("%d uploads for one file", n)
	}
	var mine []deskemu.SentReply
	for _, r := range e.emu.SentReplies(e.org, id) {
		if strings.Contains(r.Content, "The quote is attached.") {
			mine = append(mine, r)
		}
	}
	if len(mine) != 1 || len(mine[0].Files) != 1 || mine[0].Files[0].Name != "quote.pdf" || !bytes.Equal(mine[0].Files[0].Data, want) {
		t.Fatalf("on Desk: %+v", mine)
	}
	if after, _ := e.svc.Draft(e.ctx, id, app.OutboxReply); !after.Empty() {
		t.Errorf("the sent reply's draft is still kept: %+v", after)
	}
	if _, err := os.Stat(filepath.Dir(filepath.Dir(d.Files[0]))); !os.IsNotExist(err) {
		t.Errorf("the draft's folder of copies is still there: %v", err)
	}
}

// TestComposerRefusesBadChip: Send says which address is wrong and why,
// and nothing is queued; removing the chip lets it go.
func TestComposerRefusesBadChip(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 42, Contacts: 4, Accounts: 2, Tickets: 4}, mode: app.SyncNone})
	c, id := e.miaTicket("Quote", "<p>Quote please.</p>")
	p := e.openTicketByID(e.tab(app.KindContact, c.ID), id)
	e.tap(p.reply)
	f := p.compose
	if len(f.to.chips) != 1 || f.to.chips[0].bad != "" {
		t.Fatalf("Reply does not start with the contact's chip: %v", chipTexts(f.to))
	}
	test.Type(f.cc.entry, "sales@example")
	test.Type(f.body, "Thanks.")
	e.tap(f.send)
	if got := f.message.Text; !strings.Contains(got, "sales@example is not a valid email address (the part after @ needs a dot, like example.com)") {
		t.Fatalf("message %q", got)
	}
	if items, _ := e.svc.Outbox(e.ctx); len(items) != 0 {
		t.Fatalf("queued with a bad address: %+v", items)
	}
	test.Tap(removeButton(t, f.cc, 0))
	e.tap(f.send)
	if items, _ := e.svc.Outbox(e.ctx); len(items) != 1 {
		t.Fatalf("not queued after removing the bad chip: %d", len(items))
	}
}

// TestComposerChipsShots renders the reply composer with a valid and a
// bad chip, a BCC line and a file chip, in English and Japanese, to
// testdata/failed/composer-chips-{en,ja}.png for a person to look at.
func TestComposerChipsShots(t *testing.T) {
	for _, l := range []struct{ code, name, body string }{
		{"en", "en", "Thank you, the corrected invoice is attached."},
		{"ja_JP.UTF-8", "ja", "ご連絡ありがとうございます。修正した請求書を添付いたします。"},
	} {
		t.Run(l.name, func(t *testing.T) {
			useLanguage(l.code)
			t.Cleanup(func() { useLanguage("en") })
			e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 43, Contacts: 4, Accounts: 2, Tickets: 4}, mode: app.SyncNone})
			c := mustContact(t, e.crm, app.Contact{FirstName: "Ken", LastName: "Mori", Email: "ken.mori@summit.example"})
			id, err := e.emu.CreateTicket(e.org, map[string]any{"subject": "Invoice", "description": "<p>Wrong amount.</p>",
				"contact": map[string]any{"email": c.Email, "firstName": "Ken", "lastName": "Mori"}})
			if err != nil {
				t.Fatal(err)
			}
			e.syncOnce()
			p := e.openTicketByID(e.tab(app.KindContact, c.ID), id)
			e.tap(p.reply)
			f := p.compose
			// Typed as a person would: focus moving on commits the last one.
			e.win.Canvas().Focus(f.cc.entry)
			test.Type(f.cc.entry, "経理 <keiri@summit.example>, sales@summit")
			e.win.Canvas().Focus(f.bcc.entry)
			test.Type(f.bcc.entry, "me@tandem.example")
			e.win.Canvas().Focus(f.body)
			inv := filepath.Join(t.TempDir(), "invoice-2291.pdf")
			if err := os.WriteFile(inv, bytes.Repeat([]byte("%PDF "), 40000), 0o600); err != nil {
				t.Fatal(err)
			}
			f.files.add(inv)
			test.Type(f.body, l.body)
			e.tap(f.send)
			if len(f.cc.chips) != 2 || f.cc.chips[1].bad == "" || f.message.Text == "" {
				t.Fatalf("cc chips %v, message %q", chipTexts(f.cc), f.message.Text)
			}
			e.shot("composer-chips-" + l.name + ".png")
			e.win.Canvas().Focus(f.bcc.entry)
			test.Type(f.bcc.entry, "ken")
			if f.bcc.hints.Visible() {
				t.Error("Ken, already in To, is suggested in BCC")
			}
			f.bcc.entry.SetText("")
			f.to.remove(0) // out of To, he is suggested again
			e.win.Canvas().Focus(f.bcc.entry)
			test.Type(f.bcc.entry, "ken")
			if !f.bcc.hints.Visible() {
				t.Error("no suggestion for ken")
			}
			e.shot("composer-suggest-" + l.name + ".png")
		})
	}
}

// TestCommentWithFiles: an internal comment carries a file like a reply
// (uploaded, then createTicketComment's attachmentIds), queued while Desk
// cannot be reached and uploaded once when it can; the conversation lists
// the file on the comment.
func TestCommentWithFiles(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 44, Contacts: 4, Accounts: 2, Tickets: 4}, mode: app.SyncNone})
	c, id := e.miaTicket("Quote", "<p>Quote please.</p>")
	tab := e.tab(app.KindContact, c.ID)
	p := e.openTicketByID(tab, id)
	memo := filepath.Join(t.TempDir(), "call-notes.txt")
	want := []byte("Called Mia: wants the quote by Friday.\n")
	if err := os.WriteFile(memo, want, 0o600); err != nil {
		t.Fatal(err)
	}
	fault := e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultDrop})
	e.tap(p.comment)
	if p.compose.files == nil {
		t.Fatal("the comment composer takes no files")
	}
	p.compose.files.onDropped(fyne.Position{}, []fyne.URI{storage.NewFileURI(memo)})
	test.Type(p.compose.body, "Notes from the call attached.")
	e.tap(p.compose.send)
	e.syncOnce() // offline: queued
	if n := len(e.emu.SentComments(e.org, id)); n != 0 {
		t.Fatalf("%d comments on Desk while offline", n)
	}
	e.emu.RemoveFault(fault)
	before := e.uploads()
	e.syncOnce()
	e.syncOnce()
	if n := e.uploads() - before; n != 1 {
		t.Errorf("%d uploads for one file", n)
	}
	var mine []deskemu.SentReply
	for _, cm := range e.emu.SentComments(e.org, id) {
		if strings.Contains(cm.Content, "Notes from the call attached.") {
			mine = append(mine, cm)
		}
	}
	if len(mine) != 1 || len(mine[0].Files) != 1 || mine[0].Files[0].Name != "call-notes.txt" || !bytes.Equal(mine[0].Files[0].Data, want) {
		t.Fatalf("on Desk: %+v", mine)
	}
	p.reload(false)
	e.settle()
	if !e.hasText("call-notes.txt") {
		t.Error("the conversation does not list the comment's file")
	}
	e.shot("comment-with-file.png")

	// The comment's file opens like a reply's: downloaded when asked,
	// from the comment's own path, then kept.
	var opened []string
	e.d.openFile = func(p string) error { opened = append(opened, p); return nil }
	e.tap(e.rowButton("call-notes.txt", "Open…"))
	e.tap(e.button("Open"))
	e.waitFor("the comment's file to open", func() bool { return len(opened) == 1 })
	if b, _ := os.ReadFile(opened[0]); !bytes.Equal(b, want) {
		t.Errorf("opened %s holding %q", opened[0], b)
	}
}

// TestAddrSuggestions: typing the start of a name or address on the
// ticket offers it; a click or Enter takes it.
func TestAddrSuggestions(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 45, Contacts: 4, Accounts: 2, Tickets: 4}, mode: app.SyncNone})
	c, id := e.miaTicket("Quote", "<p>Quote please.</p>")
	p := e.openTicketByID(e.tab(app.KindContact, c.ID), id)
	e.tap(p.forward)
	f := p.compose
	e.win.Canvas().Focus(f.to.entry)
	test.Type(f.to.entry, "sat")
	var hint *widget.Button
	for _, o := range f.to.hints.Objects {
		if b, ok := o.(*widget.Button); ok && strings.Contains(b.Text, "mia.sato@summit.example") {
			hint = b
		}
	}
	if hint == nil || !f.to.hints.Visible() {
		t.Fatalf("no suggestion for %q", f.to.entry.Text)
	}
	e.win.Canvas().Unfocus() // a click on the suggestion takes the focus first
	test.Tap(hint)
	if !sameList(chipTexts(f.to), "Mia Sato <mia.sato@summit.example>") || f.to.entry.Text != "" || f.to.hints.Visible() {
		t.Fatalf("after the click: chips %v, entry %q", chipTexts(f.to), f.to.entry.Text)
	}
	// An address on another line is not suggested again (in any case).
	for _, line := range []*addrChips{f.cc, f.bcc} {
		e.win.Canvas().Focus(line.entry)
		test.Type(line.entry, "MIA")
		if m := line.matches(); len(m) != 0 || line.hints.Visible() {
			t.Errorf("with Mia in To, a line suggests %v", m)
		}
		line.entry.SetText("")
	}
	// Once she leaves To, CC offers her again.
	f.to.remove(0)
	e.win.Canvas().Focus(f.cc.entry)
	test.Type(f.cc.entry, "mia")
	f.cc.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if !sameList(chipTexts(f.cc), "Mia Sato <mia.sato@summit.example>") {
		t.Fatalf("Enter on one suggestion: %v", chipTexts(f.cc))
	}
	e.win.Canvas().Focus(f.to.entry)
	test.Type(f.to.entry, "mia")
	if m := f.to.matches(); len(m) != 0 {
		t.Errorf("with Mia in CC, To suggests %v", m)
	}
}

// TestAddrChipsTabSkipsRemove: Tab goes from one address line to the next
// line's entry, not to the × of each chip on the way; the × still removes
// its chip when clicked, and Backspace removes the last one.
func TestAddrChipsTabSkipsRemove(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewWindow(nil)
	defer w.Close()
	a, b := newAddrChips(nil, ""), newAddrChips(nil, "")
	w.SetContent(container2(a.row, b.row))
	w.Resize(fyne.NewSize(600, 300))
	a.setText("mia@summit.example, ken@summit.example")
	b.setText("hana@example.jp, taro@example.jp")
	w.Canvas().Focus(a.entry)
	w.Canvas().FocusNext()
	if got := w.Canvas().Focused(); got != b.entry {
		t.Fatalf("Tab from To went to %T, not to the CC entry", got)
	}
	w.Canvas().FocusPrevious()
	if got := w.Canvas().Focused(); got != a.entry {
		t.Fatalf("Shift+Tab from CC went to %T, not to the To entry", got)
	}
	test.Tap(removeButton(t, b, 0))
	if !sameList(chipTexts(b), "taro@example.jp") {
		t.Fatalf("× left %v", chipTexts(b))
	}
	w.Canvas().Focus(b.entry)
	b.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
	if len(b.chips) != 0 {
		t.Fatalf("Backspace left %v", chipTexts(b))
	}
}
