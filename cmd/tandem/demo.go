package main

import (
	"fmt"
	"log/slog"

	"github.com/tandem-crm/tandem/app/sample"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// demoSubjects are the support requests the demo help desk files for the
// sample contacts, in both of the product's languages.
var demoSubjects = []struct{ subject, body, reply string }{
	{"Invoice shows the wrong amount", "<p>Hello, our invoice for October lists the delivery fee <b>twice</b>. Could you check?</p>", "Thanks — attached is the corrected invoice we received from our accountant."},
	{"プリンターが印刷できません", "<p>昨日からプリンターがエラー E-02 を表示して印刷できません。</p>", "再起動しましたが、まだ同じエラーが出ます。"},
	{"Request for a quote: 20 more licences", "<p>We are growing and need <i>20 more</i> seats before April.</p>", "Could you also include the training package?"},
	{"納品日の変更のお願い", "<p>納品日を来週の水曜日に変更していただけますか。</p>", "ご対応ありがとうございます。よろしくお願いいたします。"},
	{"Cannot log in to the portal", "<p>Since the update I get <code>403</code> when I sign in.</p>", "It works again after clearing the cache, thanks!"},
}

// seedDemoDesk gives the demo help desk tickets from some of the sample
// contacts (same names and emails as `tandem sample` creates), so the
// Tickets tab has something to show in every sync mode, "no sync" too,
// where tickets are matched to contacts by email. The emulator is
// deterministic, so the same tickets get the same ids after a restart.
//
// One sample contact is on the demo desk already, with another job title:
// the first two-way sync records that as a conflict, so Needs your
// attention (Settings › Zoho Desk) has something to show too.
func seedDemoDesk(emu *deskemu.Server) {
	g := sample.New(1)
	cos := g.Companies(sample.Demo.Companies)
	org := emu.DefaultOrgID()
	conflict := false
	for i, c := range g.Contacts(sample.Demo.Contacts, cos) {
		if i%3 != 0 || c.Email == "" {
			continue
		}
		if !conflict && c.Title != "" {
			conflict = true
			if _, err := emu.CreateContact(org, map[string]any{"email": c.Email, "firstName": c.FirstName, "lastName": c.LastName,
				"title": "Senior " + c.Title}); err != nil {
				slog.Warn("demo help desk: contact", "err", err)
			}
		}
		d := demoSubjects[(i/3)%len(demoSubjects)]
		id, err := emu.CreateTicket(org, map[string]any{
			"subject":     d.subject,
			"description": d.body,
			"priority":    []string{"High", "Medium", "Low"}[i%3],
			"contact":     map[string]any{"email": c.Email, "firstName": c.FirstName, "lastName": c.LastName},
		})
		if err != nil {
			slog.Warn("demo help desk: ticket", "err", err)
			return
		}
		if i%2 == 0 {
			if _, err := emu.CustomerReply(org, id, fmt.Sprintf("<p>%s</p>", d.reply)); err != nil {
				slog.Warn("demo help desk: reply", "err", err)
			}
		}
	}
}
