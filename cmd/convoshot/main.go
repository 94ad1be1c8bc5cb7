// Command convoshot opens the real Tandem window on a ticket conversation
// (the original request, a customer's reply with attachments, an internal
// comment, the details header) against the Desk emulator on loopback, and
// saves a screenshot of the screen: how issue 15's conversation looks, in
// the language of LANG. Run it under X: .ci/xrun.sh go run ./cmd/convoshot -out shot.png
//
// With -compose it also opens the reply composer on the ticket, as a draft
// left unsent brings it back (two To addresses, one CC, a file attached;
// the From choice of the ticket's department), and saves <out>-compose.png.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/secrets/secretstest"
	"github.com/tandem-crm/tandem/app/store"
	tsync "github.com/tandem-crm/tandem/sync"
	"github.com/tandem-crm/tandem/sync/deskemu"
	"github.com/tandem-crm/tandem/views"
)

func main() {
	out := flag.String("out", "convo.png", "the screenshot (PNG)")
	search := flag.String("search", "", "also open Go to… with this text, shot as <out>-search.png")
	compose := flag.Bool("compose", false, "also open the reply composer (two To, one CC, a file), shot as <out>-compose.png")
	flag.Parse()
	if err := run(*out, *search, *compose); err != nil {
		fmt.Fprintln(os.Stderr, "convoshot:", err)
		os.Exit(1)
	}
}

func run(out, search string, compose bool) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ja := strings.HasPrefix(os.Getenv("LANG"), "ja")
	dir, err := os.MkdirTemp("", "convoshot")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	emu := deskemu.New(deskemu.Options{Seed: 41, Contacts: 6, Accounts: 2, Tickets: 6})
	srv, err := emu.Start("")
	if err != nil {
		return err
	}
	defer srv.Close()
	db, err := store.Open(ctx, filepath.Join(dir, "tandem.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	crm := app.CRM{Contacts: db, Companies: db, Pipelines: db}
	info := emu.Info()
	svc, err := tsync.New(tsync.Options{Store: db, CRM: crm, Secrets: secretstest.New(),
		OAuth: tsync.OAuthClient{ClientID: info.ClientID, ClientSecret: info.ClientSecret}, BaseURL: srv.URL})
	if err != nil {
		return err
	}
	org := emu.DefaultOrgID()
	if _, err := svc.Configure(ctx, tsync.ConfigureParams{OrgID: org, Mode: app.SyncNone, RefreshToken: info.Users[0].RefreshToken}); err != nil {
		return err
	}
	if err := svc.SyncOnce(ctx); err != nil {
		return err
	}
	co := app.Company{Name: "Summit Consulting"}
	if err := crm.Companies.CreateCompany(ctx, &co); err != nil {
		return err
	}
	c := app.Contact{FirstName: "Ken", LastName: "Mori", Email: "ken.mori@summit.example", CompanyID: co.ID}
	if err := crm.Contacts.CreateContact(ctx, &c); err != nil {
		return err
	}
	subject, desc, reply, note := "Invoice shows the wrong amount",
		"<p>Hello, our invoice for October lists the delivery fee <b>twice</b>. Could you check?</p>",
		"<p>Here is a screenshot of the invoice and the PDF itself.</p>",
		"Called Ken: accounting re-issues the invoice on Friday."
	if ja {
		subject, desc, reply, note = "請求書の金額が違います",
			"<p>お世話になっております。10 月分の請求書で配送料が<b>二重</b>に計上されています。ご確認いただけますか。</p>",
			"<p>請求書の画面のスクリーンショットと PDF を添付します。</p>",
			"森様に電話済み。経理が金曜日に請求書を再発行します。"
	}
	id, err := emu.CreateTicket(org, map[string]any{"subject": subject, "description": desc, "priority": "High", "channel": "Email",
		"contact": map[string]any{"email": c.Email, "firstName": c.FirstName, "lastName": c.LastName}})
	if err != nil {
		return err
	}
	if err := emu.SetDueDate(org, id, time.Now().Add(-26*time.Hour)); err != nil {
		return err
	}
	emu.Advance(time.Minute)
	if _, err := emu.CustomerReplyWithFiles(org, id, reply,
		deskemu.File{Name: "invoice-screenshot.png", Size: 245760}, deskemu.File{Name: "invoice-2291.pdf", Size: 1572864}); err != nil {
		return err
	}
	emu.Advance(time.Minute)
	if _, err := emu.AgentComment(org, id, info.Users[0].Email, note); err != nil {
		return err
	}
	emu.Advance(3 * time.Second)
	if err := svc.SyncOnce(ctx); err != nil {
		return err
	}

	if compose {
		if err := composeDraft(ctx, svc, dir, id, ja); err != nil {
			return err
		}
	}

	if err := views.LoadTranslations(); err != nil {
		return err
	}
	a := fyneapp.NewWithID("com.tandem-crm.convoshot")
	a.Settings().SetTheme(views.Theme())
	w := views.NewWindow(ctx, a, views.Params{CRM: crm, Integration: svc})
	w.Window().Resize(fyne.NewSize(1260, 780))
	w.Show()
	var shotErr error
	go func() {
		defer fyne.Do(a.Quit)
		time.Sleep(2 * time.Second)
		fyne.Do(func() { w.Open(app.NotificationTarget{RecordKind: app.KindCompany, RecordID: co.ID, TicketID: id}) })
		time.Sleep(4 * time.Second)
		if shotErr = exec.Command("import", "-window", "root", out).Run(); shotErr != nil {
			return
		}
		// The top of the conversation: the original request.
		_ = exec.Command("xdotool", "mousemove", "900", "560", "click", "--repeat", "15", "4").Run()
		time.Sleep(time.Second)
		if shotErr = exec.Command("import", "-window", "root", strings.TrimSuffix(out, ".png")+"-top.png").Run(); shotErr != nil {
			return
		}
		if compose {
			// Reply, at the top of the ticket pane: the draft comes back.
			_ = exec.Command("xdotool", "mousemove", replyX, replyY, "click", "1").Run()
			time.Sleep(3 * time.Second)
			if shotErr = exec.Command("import", "-window", "root", strings.TrimSuffix(out, ".png")+"-compose.png").Run(); shotErr != nil {
				return
			}
			_ = exec.Command("xdotool", "key", "Escape").Run()
			time.Sleep(time.Second)
		}
		if search == "" {
			return
		}
		fyne.Do(func() { w.Open(app.NotificationTarget{RecordKind: app.KindCompany, RecordID: co.ID}) })
		time.Sleep(time.Second)
		_ = exec.Command("xdotool", "key", "ctrl+k").Run()
		time.Sleep(time.Second)
		_ = exec.Command("xdotool", "type", "--delay", "60", search).Run()
		time.Sleep(2 * time.Second)
		shotErr = exec.Command("import", "-window", "root", strings.TrimSuffix(out, ".png")+"-search.png").Run()
	}()
	a.Run()
	return shotErr
}

// replyX, replyY are where the ticket pane's Reply button is in the
// 1260×780 window on Xvfb's 1280×800 screen.
const replyX, replyY = "578", "377"

// composeDraft leaves an unsent reply on the ticket, as a person who
// closed the composer would: the composer opens on it.
func composeDraft(ctx context.Context, svc *tsync.Service, dir, ticketID string, ja bool) error {
	file := filepath.Join(dir, "invoice-2291-corrected.pdf")
	if err := os.WriteFile(file, []byte(strings.Repeat("%PDF-1.4 corrected invoice\n", 4000)), 0o600); err != nil {
		return err
	}
	body := "Thank you, Ken. The corrected invoice is attached; the delivery fee is now listed once."
	to, cc := "Ken Mori <ken.mori@summit.example>, Accounting <accounts@summit.example>", "Aya Tanaka <aya.tanaka@summit.example>"
	if ja {
		body = "森様\n\nご連絡ありがとうございます。配送料を一度だけ計上した請求書を添付いたします。"
		to, cc = "森 健 <ken.mori@summit.example>, 経理部 <accounts@summit.example>", "田中 彩 <aya.tanaka@summit.example>"
	}
	return svc.SaveDraft(ctx, ticketID, app.OutboxReply, app.ReplyDraft{To: to, CC: cc, Content: body, Files: []string{file}})
}
