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

// rowButton is the button labelled text in the attachment row of name.
func (e *deskEnv) rowButton(name, text string) *widget.Button {
	e.t.Helper()
	for _, o := range e.objects() {
		c, ok := o.(*fyne.Container)
		if !ok {
			continue
		}
		var hit bool
		var btn *widget.Button
		for _, k := range c.Objects {
			switch k := k.(type) {
			case *widget.Label:
				hit = hit || k.Text == "Attachment: "+name
			case *widget.Button:
				if k.Text == text {
					btn = k
				}
			}
		}
		if hit && btn != nil {
			return btn
		}
	}
	e.t.Fatalf("no %q button for %s", text, name)
	return nil
}

// hasButton reports a visible button labelled text.
func (e *deskEnv) hasButton(text string) bool {
	for _, o := range e.objects() {
		if b, ok := o.(*widget.Button); ok && b.Text == text && b.Visible() {
			return true
		}
	}
	return false
}

// TestAttachmentsOpenAndSend drives the conversation and the composer
// against the strict emulator and a real SQLite file: Open says what a
// file is, downloads it only then, and hands the cached copy to the
// system viewer, also offline later; a program is only offered to save;
// the composer refuses a file over Desk's limit with the reason, takes a
// dropped file as a chip, and a reply sent offline goes out once, later,
// with exactly that file.
func TestAttachmentsOpenAndSend(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 39, Contacts: 4, Accounts: 2, Tickets: 4}, mode: app.SyncNone})
	var opened []string
	e.d.openFile = func(p string) error { opened = append(opened, p); return nil }
	c := mustContact(t, e.crm, app.Contact{FirstName: "Mia", LastName: "Sato", Email: "mia.sato@summit.example"})
	id, err := e.emu.CreateTicket(e.org, map[string]any{"subject": "Logs", "description": "<p>Logs attached.</p>",
		"contact": map[string]any{"email": c.Email, "lastName": "Sato"}})
	if err != nil {
		t.Fatal(err)
	}
	e.emu.Advance(time.Minute)
	if _, err := e.emu.CustomerReplyWithFiles(e.org, id, "<p>Here they are.</p>",
		deskemu.File{Name: "notes.txt", Data: []byte("disk full at 03:00\n")}, deskemu.File{Name: "fix.exe", Size: 4096}); err != nil {
		t.Fatal(err)
	}
	e.syncOnce()
	tab := e.tab(app.KindContact, c.ID)
	p := e.openTicketByID(tab, id)

	// Open: what it is first; nothing downloaded until Open.
	e.tap(e.rowButton("notes.txt", "Open…"))
	if !e.hasText("notes.txt — TXT, 19 bytes") || len(opened) != 0 {
		t.Fatalf("the dialog does not say what the file is (opened %v)", opened)
	}
	e.shot("attach-open.png")
	e.tap(e.button("Open"))
	e.waitFor("the file to open", func() bool { return len(opened) == 1 })
	if b, _ := os.ReadFile(opened[0]); string(b) != "disk full at 03:00\n" {
		t.Errorf("opened %s holding %q", opened[0], b)
	}

	// A program: a warning, Save as… only.
	e.tap(e.rowButton("fix.exe", "Open…"))
	if !e.hasText("can run programs") || e.hasButton("Open") || !e.hasButton("Save as…") {
		t.Error("an executable can be opened")
	}
	e.shot("attach-exe.png")
	p.attachDialog.Hide()
	e.settle()

	// Offline: the downloaded copy opens; the file is saved where asked.
	fault := e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultDrop})
	e.tap(e.rowButton("notes.txt", "Open…"))
	if !e.hasText("It opens from the copy Tandem keeps") {
		t.Error("the dialog does not say the copy is kept")
	}
	e.tap(e.button("Open"))
	e.waitFor("the file to open offline", func() bool { return len(opened) == 2 })
	dst := filepath.Join(t.TempDir(), "saved.txt")
	w, err := storage.Writer(storage.NewFileURI(dst))
	if err != nil {
		t.Fatal(err)
	}
	var notes attachment
	for _, th := range p.detail.Threads {
		for _, a := range attachments(th.Raw) {
			if a.Name == "notes.txt" {
				notes = a
				notes.ref = app.AttachmentRef{TicketID: id, ThreadID: th.ID, ID: a.ID, Name: a.Name, Size: a.Size}
			}
		}
	}
	p.saveTo(notes, w)
	e.waitFor("the file to be saved", func() bool { return p.saved == "notes.txt" })
	if b, _ := os.ReadFile(dst); string(b) != "disk full at 03:00\n" {
		t.Errorf("saved %q", b)
	}

	// The composer: a refusal with its reason, a dropped file as a chip.
	dir := t.TempDir()
	big := filepath.Join(dir, "recording.mov")
	f, _ := os.Create(big)
	_ = f.Truncate(app.MaxAttachmentBytes + 1)
	_ = f.Close()
	quote := filepath.Join(dir, "quote.pdf")
	want := bytes.Repeat([]byte("%PDF quote "), 300)
	if err := os.WriteFile(quote, want, 0o600); err != nil {
		t.Fatal(err)
	}
	e.tap(p.reply)
	fc := p.compose.files
	fc.onDropped(fyne.Position{}, []fyne.URI{storage.NewFileURI(big)})
	e.settle()
	if got := p.compose.message.Text; got != "recording.mov is larger than Zoho Desk accepts (20 MB at most)." || len(fc.list()) != 0 {
		t.Logf("message %q", got)
		t.Errorf("an oversized file was taken: %v", fc.list())
	}
	fc.onDropped(fyne.Position{}, []fyne.URI{storage.NewFileURI(quote)})
	e.settle()
	if !e.hasText("quote.pdf · 3 KB") || len(fc.list()) != 1 {
		t.Fatalf("no chip for the dropped file: %v", fc.list())
	}
	test.Type(p.compose.body, "The quote is attached.")
	e.shot("attach-compose.png")
	e.tap(p.compose.send)
	if len(p.detail.Pending) != 1 {
		t.Fatalf("pending = %d", len(p.detail.Pending))
	}
	e.syncOnce() // still offline
	if n := len(e.emu.SentReplies(e.org, id)); n != 0 {
		t.Fatalf("%d replies sent while offline", n)
	}
	e.emu.RemoveFault(fault)
	e.syncOnce()
	e.syncOnce()
	var mine []deskemu.SentReply
	for _, r := range e.emu.SentReplies(e.org, id) {
		if strings.Contains(r.Content, "The quote is attached.") {
			mine = append(mine, r)
		}
	}
	if len(mine) != 1 || len(mine[0].Files) != 1 || mine[0].Files[0].Name != "quote.pdf" || !bytes.Equal(mine[0].Files[0].Data, want) {
		t.Fatalf("on Desk: %+v", mine)
	}
}
