package views

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2/storage"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// TestSaveAsFailureLeavesNoFile: Save as… while Desk cannot be reached (and
// no copy is kept) says why and leaves no empty file where the attachment
// was to be saved: the save dialog had already made it.
func TestSaveAsFailureLeavesNoFile(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 41, Contacts: 2, Accounts: 1, Tickets: 2}, mode: app.SyncNone})
	c := mustContact(t, e.crm, app.Contact{FirstName: "Ren", LastName: "Ito", Email: "ren.ito@summit.example"})
	id, err := e.emu.CreateTicket(e.org, map[string]any{"subject": "Invoice", "description": "<p>See the invoice.</p>",
		"contact": map[string]any{"email": c.Email, "lastName": "Ito"}})
	if err != nil {
		t.Fatal(err)
	}
	e.emu.Advance(time.Minute)
	if _, err := e.emu.CustomerReplyWithFiles(e.org, id, "<p>Attached.</p>", deskemu.File{Name: "invoice.pdf", Data: []byte("%PDF-1.4 invoice")}); err != nil {
		t.Fatal(err)
	}
	e.syncOnce()
	p := e.openTicketByID(e.tab(app.KindContact, c.ID), id)
	var invoice attachment
	for _, th := range p.detail.Threads {
		for _, a := range attachments(th.Raw) {
			if a.Name == "invoice.pdf" {
				invoice = a
				invoice.ref = app.AttachmentRef{TicketID: id, ThreadID: th.ID, ID: a.ID, Name: a.Name, Size: a.Size}
			}
		}
	}
	if invoice.ID == "" {
		t.Fatal("the reply's attachment is not in the conversation")
	}

	fault := e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultDrop})
	dst := filepath.Join(t.TempDir(), "invoice.pdf")
	w, err := storage.Writer(storage.NewFileURI(dst))
	if err != nil {
		t.Fatal(err)
	}
	p.saveTo(invoice, w)
	e.waitFor("the save to fail", func() bool { return p.saveErr != nil })
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Errorf("a file was left where the attachment was to be saved (stat: %v)", err)
	}
	if p.saved != "" {
		t.Errorf("the failed save counts as saved: %q", p.saved)
	}

	// Online again, the same Save as… writes the file.
	e.emu.RemoveFault(fault)
	w, err = storage.Writer(storage.NewFileURI(dst))
	if err != nil {
		t.Fatal(err)
	}
	p.saveErr = nil
	p.saveTo(invoice, w)
	e.waitFor("the file to be saved", func() bool { return p.saved == "invoice.pdf" || p.saveErr != nil })
	if b, _ := os.ReadFile(dst); string(b) != "%PDF-1.4 invoice" {
		t.Errorf("saved %q (error %v)", b, p.saveErr)
	}
}
