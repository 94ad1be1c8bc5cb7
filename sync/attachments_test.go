package sync_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/desk"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// replyTicket syncs and returns a ticket the agent can reply to.
func replyTicket(t *testing.T, e *env) string {
	t.Helper()
	mustSync(t, e)
	ctx := context.Background()
	for tk, err := range e.allTickets(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if tk.Email != "" || tk.ContactID != "" {
			if _, err := e.svc.Ticket(ctx, tk.ID, true); err == nil {
				return tk.ID
			}
		}
	}
	t.Fatal("no ticket to reply to")
	return ""
}

// TestReplyWithAttachmentOffline: a reply with a file is queued offline
// (the file copied into the data folder, so moving the original loses
// nothing), then sent once online: Desk has exactly one reply carrying
// exactly one attachment with the file's bytes, and the staged copy is
// gone. A crash between the upload and the reply sends neither twice.
func TestReplyWithAttachmentOffline(t *testing.T) {
	ctx := context.Background()
	crashAt := ""
	e := newEnv(t, envOptions{emu: deskemu.Options{Seed: 11, Contacts: 6, Accounts: 2, Tickets: 6}, mode: app.SyncTwoWay,
		hook: func(p string) error {
			if p == crashAt {
				crashAt = ""
				return errors.New("crash at " + p)
			}
			return nil
		}})
	tid := replyTicket(t, e)
	src := filepath.Join(t.TempDir(), "見積書 v2.pdf")
	want := bytes.Repeat([]byte("%PDF-1.4 quote\n"), 1000)
	if err := os.WriteFile(src, want, 0o600); err != nil {
		t.Fatal(err)
	}
	for round, crash := range []string{"", "outbox-after-upload"} {
		text := []string{"Quote attached.", "Second quote attached."}[round]
		e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultStatus, Status: 503})
		it, err := e.svc.Reply(ctx, tid, app.ReplyRequest{Content: text, Files: []string{src}})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.syncOnce(ctx); app.ErrorCode(err) != app.EUNAVAILABLE {
			t.Fatalf("offline pass: %v", err)
		}
		moved := src + ".moved"
		if err := os.Rename(src, moved); err != nil { // the queued copy is what is sent
			t.Fatal(err)
		}
		e.emu.ClearFaults()
		if crash != "" {
			crashAt = crash
			if err := e.syncOnce(ctx); err == nil {
				t.Fatal("expected the simulated crash")
			}
			if n := e.emu.PendingUploads(e.org); n != 1 {
				t.Fatalf("uploads before the reply: %d", n)
			}
			e.open() // a new service on the same database file
		}
		mustSync(t, e)
		var mine []deskemu.SentReply
		for _, r := range e.emu.SentReplies(e.org, tid) {
			if strings.Contains(r.Content, text) {
				mine = append(mine, r)
			}
		}
		if len(mine) != 1 || len(mine[0].Files) != 1 {
			t.Fatalf("round %d: %d replies on Desk (%+v)", round, len(mine), mine)
		}
		if f := mine[0].Files[0]; f.Name != "見積書 v2.pdf" || !bytes.Equal(f.Data, want) {
			t.Errorf("round %d: the file on Desk is %q, %d bytes", round, f.Name, len(f.Data))
		}
		if n := e.emu.PendingUploads(e.org); n != 0 {
			t.Errorf("round %d: %d uploads left unattached (uploaded twice?)", round, n)
		}
		items, _ := e.db.Outbox(ctx, e.org)
		for _, x := range items {
			if x.ID == it.ID && x.State != app.OutboxDone {
				t.Errorf("round %d: the item is %s", round, x.State)
			}
		}
		staged, _ := filepath.Glob(filepath.Join(e.db.FilesDir(), "outbox", "*", "*"))
		if len(staged) != 0 {
			t.Errorf("round %d: staged copies left: %v", round, staged)
		}
		if err := os.Rename(moved, src); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAttachmentRefusals: a file over Desk's limit, an empty one and a
// folder are refused when queued, with the reason; nothing is queued.
func TestAttachmentRefusals(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{emu: deskemu.Options{Seed: 12, Contacts: 4, Accounts: 1, Tickets: 4}, mode: app.SyncTwoWay})
	tid := replyTicket(t, e)
	dir := t.TempDir()
	big := filepath.Join(dir, "video.mov")
	f, _ := os.Create(big)
	_ = f.Truncate(desk.MaxUploadBytes + 1)
	_ = f.Close()
	empty := filepath.Join(dir, "empty.txt")
	_ = os.WriteFile(empty, nil, 0o600)
	for path, want := range map[string]string{
		big:   "video.mov is larger than Zoho Desk accepts (20 MB at most).",
		empty: "empty.txt is empty.",
		dir:   filepath.Base(dir) + " is not a file.",
	} {
		_, err := e.svc.Reply(ctx, tid, app.ReplyRequest{Content: "x", Files: []string{path}})
		if app.ErrorCode(err) != app.EINVALID || app.ErrorMessage(err) != want {
			t.Errorf("%s: %v (%q)", filepath.Base(path), err, app.ErrorMessage(err))
		}
	}
	if items, _ := e.db.Outbox(ctx, e.org, app.OutboxPending); len(items) != 0 {
		t.Errorf("%d items queued", len(items))
	}
}

// TestFetchAttachment: a customer's file downloads on demand into the
// cache, and opens from there offline, also after a restart; offline and
// not downloaded, the reason says so.
func TestFetchAttachment(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{emu: deskemu.Options{Seed: 13, Contacts: 4, Accounts: 1, Tickets: 4}, mode: app.SyncTwoWay})
	tid := replyTicket(t, e)
	thID, err := e.emu.CustomerReplyWithFiles(e.org, tid, "logs", deskemu.File{Name: "../../app.log", Data: []byte("line 1\nline 2\n")},
		deskemu.File{Name: "second.txt", Size: 5})
	if err != nil {
		t.Fatal(err)
	}
	mustSync(t, e)
	td, err := e.svc.Ticket(ctx, tid, true)
	if err != nil {
		t.Fatal(err)
	}
	var refs []app.AttachmentRef
	for _, th := range td.Threads {
		if th.ID != thID {
			continue
		}
		var full struct {
			Attachments []struct {
				ID, Name string
				Size     json.Number
			}
		}
		if err := json.Unmarshal(th.Raw, &full); err != nil {
			t.Fatal(err)
		}
		for _, a := range full.Attachments {
			n, _ := a.Size.Int64()
			refs = append(refs, app.AttachmentRef{TicketID: tid, ThreadID: thID, ID: a.ID, Name: a.Name, Size: n})
		}
	}
	if len(refs) != 2 {
		t.Fatalf("attachments %+v", refs)
	}
	if _, ok := e.svc.CachedAttachment(refs[0]); ok {
		t.Fatal("downloaded before anyone asked")
	}
	p, err := e.svc.FetchAttachment(ctx, refs[0])
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "line 1\nline 2\n" || filepath.Base(p) != "app.log" || !strings.HasPrefix(p, e.db.FilesDir()) {
		t.Errorf("cached at %s: %q", p, b)
	}
	e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultStatus, Status: 503})
	e.open()
	if q, err := e.svc.FetchAttachment(ctx, refs[0]); err != nil || q != p {
		t.Errorf("offline from the cache: %s %v", q, err)
	}
	_, err = e.svc.FetchAttachment(ctx, refs[1])
	if app.ErrorCode(err) != app.EUNAVAILABLE || !strings.Contains(app.ErrorMessage(err), "not downloaded before") {
		t.Errorf("offline, not cached: %v", err)
	}
	e.emu.ClearFaults()
	gone := refs[1]
	gone.ID = "1"
	if _, err := e.svc.FetchAttachment(ctx, gone); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("unknown attachment: %v", err)
	}
	huge := refs[1]
	huge.Size = desk.MaxUploadBytes + 1
	if _, err := e.svc.FetchAttachment(ctx, huge); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("too large: %v", err)
	}
}

func TestAttachmentLimitsAgree(t *testing.T) {
	if app.MaxAttachmentBytes != desk.MaxUploadBytes {
		t.Errorf("app says %d, the Desk client %d", app.MaxAttachmentBytes, desk.MaxUploadBytes)
	}
}
