package views

import (
	"fmt"
	"testing"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// TestJapaneseConversation renders a contact's tickets and a long Japanese
// conversation in Japanese, for a person to look at.
func TestJapaneseConversation(t *testing.T) {
	useLanguage("ja_JP.UTF-8")
	t.Cleanup(func() { useLanguage("en") })
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 31, Contacts: 6, Accounts: 2, Tickets: 15}, mode: app.SyncTwoWay})
	c := e.contactWithTickets(1)
	tab := e.tab(app.KindContact, c.ID)
	if !e.hasText("件") {
		t.Errorf("counts not in Japanese: %q", tab.counts.Text)
	}
	e.shot("desk-contact-tickets-ja.png")
	tk := tab.rows[len(tab.rows)-1].ticket
	lines := []string{
		"<p>いつもお世話になっております。株式会社サンプルの佐藤です。</p><p>先日ご注文いただいた商品の納期について確認させてください。請求書 <b>INV-2291</b> の金額が見積もりと異なっているようです。</p>",
		"<p>お問い合わせありがとうございます。担当の鈴木です。</p><p>請求書を確認いたしましたところ、送料が二重に計上されておりました。大変申し訳ございません。</p><ul><li>正しい金額：12,000 円</li><li>差額：3,300 円</li></ul>",
		"<p>ご確認ありがとうございます。修正版の請求書はいつ頃いただけますでしょうか。</p><blockquote>送料が二重に計上されておりました。</blockquote>",
		"<p>本日中に修正版をお送りいたします。<a href=\"https://example.jp/invoices/2291\">請求書の詳細</a>からもご確認いただけます。</p>",
		"<p>承知しました。経理にも共有しておきます。引き続きよろしくお願いいたします。</p>",
	}
	for i := range 12 {
		if _, err := e.emu.CustomerReply(e.org, tk.ID, fmt.Sprintf("%s<p>（%d 通目）</p>", lines[i%len(lines)], i+1)); err != nil {
			t.Fatal(err)
		}
		if i%3 == 2 {
			if _, err := e.emu.AgentComment(e.org, tk.ID, e.info.Users[1].Email, "経理に確認中です。明日までに回答します。"); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.syncOnce()
	for i, r := range tab.rows {
		if r.ticket != nil && r.ticket.ID == tk.ID {
			tab.list.Select(i)
		}
	}
	e.settle()
	p := tab.pane
	if p == nil || len(p.detail.Threads) < 12 {
		t.Fatalf("pane: %+v", p)
	}
	if !e.hasText("返信") || !e.hasText("いつもお世話になっております") {
		t.Error("the pane is not in Japanese")
	}
	e.win.Content().Refresh()
	p.scroll.ScrollToBottom()
	e.shot("desk-pane-ja.png")
	e.tap(p.replyAll)
	if cc := p.compose.cc.text(); cc != "" {
		t.Errorf("Reply all to a customer's own message has CC %q", cc)
	}
	e.shot("desk-reply-all-ja.png")
}

// TestJapaneseManageProblems renders Needs your attention in Japanese with a
// Japanese contact's conflict, for a person to look at.
func TestJapaneseManageProblems(t *testing.T) {
	useLanguage("ja_JP.UTF-8")
	t.Cleanup(func() { useLanguage("en") })
	e := newDeskEnv(t, deskEnvOptions{mode: app.SyncTwoWay})
	taro := &app.Contact{FirstName: "太郎", LastName: "山田", Email: "taro@example.jp", Title: "部長"}
	if err := e.db.CreateContact(e.ctx, taro); err != nil {
		t.Fatal(err)
	}
	e.syncOnce()
	l, err := e.db.FindLink(e.ctx, e.org, app.KindContact, taro.ID)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := e.db.FindContact(e.ctx, taro.ID)
	c.Title = "営業部長"
	if err := e.db.UpdateContact(e.ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := e.emu.EditContact(e.org, l.DeskID, map[string]any{"title": "取締役"}); err != nil {
		t.Fatal(err)
	}
	e.syncOnce()
	s := newDeskSettings(e.d)
	e.show(s.body)
	e.waitFor("the conflict", func() bool { return s.problems != nil && len(s.problems.conflicts) == 1 })
	for _, want := range []string{"確認が必要な項目", "山田 太郎 — ", "「取締役」に戻す", "このままにする"} {
		if !e.hasText(want) {
			t.Errorf("Manage in Japanese lacks %q", want)
		}
	}
	e.shot("desk-manage-problems-ja.png")
}
