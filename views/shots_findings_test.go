package views

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/deskemu"
	"github.com/tandem-crm/tandem/sync/signals"
)

// These tests come from looking at the real window in Japanese (issue 16's
// screenshots): what a Japanese small-business owner would find odd.

// TestThreadAuthorFamilyNameFirst: Desk names a customer's message by its
// author "誠 佐藤" (first name first, as Desk joins them); the ticket's
// header says 佐藤 誠. The message says who wrote it the way the header
// does when the author is the ticket's contact.
func TestThreadAuthorFamilyNameFirst(t *testing.T) {
	test.NewTempApp(t)
	tk := &app.Ticket{ContactName: "佐藤 誠", ContactEmail: "sato.0@example.jp"}
	th := &app.Thread{AuthorName: "誠 佐藤", AuthorEmail: "Sato.0@example.jp", AuthorType: "END_USER", Direction: "in"}
	texts := strings.Join(visibleTexts(walk(nil, threadCard(th, tk))), "\n")
	if !strings.Contains(texts, "Message from 佐藤 誠") {
		t.Errorf("the message does not name 佐藤 誠 family name first:\n%s", texts)
	}
	// An agent's reply keeps the agent's own name.
	agent := &app.Thread{AuthorName: "Alice Moreau", AuthorEmail: "alice@acme-support.example", AuthorType: "AGENT", Direction: "out"}
	if texts := strings.Join(visibleTexts(walk(nil, threadCard(agent, tk))), "\n"); !strings.Contains(texts, "Reply from Alice Moreau") {
		t.Errorf("the agent's reply: %s", texts)
	}
}

// noServiceNotifier answers as app/notify does on a desktop without a
// notification service.
type noServiceNotifier struct{ msg string }

func (n *noServiceNotifier) Notify(context.Context, app.Notification) error {
	return app.Errorf(app.EUNAVAILABLE, "Desktop notifications are not available.")
}

func (n *noServiceNotifier) Available(context.Context) error {
	return app.Errorf(app.EUNAVAILABLE, "%s", n.msg)
}

// TestNotificationsNoticeSaysItOnce: Settings › Signals said "cannot be
// shown" twice and "still arrive in the feed" twice in one notice (the
// reason repeated the sentence around it), in both languages.
func TestNotificationsNoticeSaysItOnce(t *testing.T) {
	for _, c := range []struct {
		lang, reason                string
		subject, cannot, feed, what string
	}{
		{"en", "This desktop has no notification service.", "Desktop notifications", "cannot be shown", "feed", "no notification service"},
		{"en", "Desktop notifications are not available.", "Desktop notifications", "cannot be shown", "feed", ""},
		{"ja_JP.UTF-8", "This desktop has no notification service.", "デスクトップ通知", "表示できません", "一覧", "通知サービスがありません"},
		{"ja_JP.UTF-8", "Desktop notifications are not available.", "デスクトップ通知", "表示できません", "一覧", ""},
	} {
		t.Run(c.lang+"/"+c.reason, func(t *testing.T) {
			useLanguage(c.lang)
			t.Cleanup(func() { useLanguage("en") })
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			test.NewTempApp(t)
			det, err := signals.New(signals.Options{Store: newTestDB(t), Notifier: &noServiceNotifier{msg: c.reason}})
			if err != nil {
				t.Fatal(err)
			}
			q := &uiQueue{}
			w := test.NewWindow(nil)
			defer w.Close()
			s := newSignalsSettings(ctx, w, det, q.post)
			w.SetContent(s.content)
			settleRunner(t, q, s.run)
			txt := unbreakable(s.notice.Text)
			if !s.notice.Visible() {
				t.Fatal("no notice")
			}
			if n := strings.Count(txt, c.subject); n != 1 {
				t.Errorf("%q is said %d times: %q", c.subject, n, txt)
			}
			if n := strings.Count(txt, c.cannot); n != 1 {
				t.Errorf("%q is said %d times: %q", c.cannot, n, txt)
			}
			if n := strings.Count(txt, c.feed); n != 1 {
				t.Errorf("%q is said %d times: %q", c.feed, n, txt)
			}
			if c.what != "" && !strings.Contains(txt, c.what) {
				t.Errorf("the reason is missing: %q", txt)
			}
			if strings.Contains(txt, "。 ") {
				t.Errorf("a space after 。: %q", txt)
			}
		})
	}
}

// TestAgentLine: Manage wrote the agent as "Carol Diaz carol@…", name and
// address run together.
func TestAgentLine(t *testing.T) {
	for _, c := range [][3]string{
		{"Carol Diaz", "carol@acme-support.example", "Carol Diaz <carol@acme-support.example>"},
		{"", "carol@acme-support.example", "carol@acme-support.example"},
		{"鈴木 花子", "", "鈴木 花子"},
	} {
		if got := agentLine(c[0], c[1]); got != c[2] {
			t.Errorf("agentLine(%q, %q) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
}

// TestDeactivateQuestionInJapanese: the question before Deactivate broke
// its Japanese text at the spaces around "Acme Support" and "Tandem"
// (Fyne's dialogs wrap at spaces only), put "。" alone at the start of the
// last line, and answered with いいえ / はい instead of naming the action.
func TestDeactivateQuestionInJapanese(t *testing.T) {
	useLanguage("ja_JP.UTF-8")
	t.Cleanup(func() { useLanguage("en") })
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 7, Contacts: 3, Accounts: 1, Tickets: 3}, mode: app.SyncNone})
	s := newDeskSettings(e.d)
	e.show(s.body)
	e.waitFor("Manage", func() bool { return s.deactivate != nil })
	e.tap(s.deactivate)
	var msg string
	var buttons []string
	for _, o := range walk(nil, e.win.Canvas().Overlays().Top()) {
		switch o := o.(type) {
		case *widget.Label:
			if strings.Contains(unbreakable(o.Text), "同期を停止") {
				msg = o.Text
			}
		case *widget.Button:
			buttons = append(buttons, o.Text)
		}
	}
	if msg == "" {
		t.Fatal("no question on screen")
	}
	if !strings.ContainsRune(msg, hairSpace) {
		t.Errorf("the question's Japanese has no break opportunities: %q", msg)
	}
	if strings.Join(buttons, "|") != "キャンセル|無効にする" {
		t.Errorf("buttons %q, want キャンセル and 無効にする", buttons)
	}
}

// TestEscClosesTheDeactivateQuestion: in the real window Esc left the
// question before Deactivate open (it was shown beside the window's list
// of open dialogs, which Esc closes).
func TestEscClosesTheDeactivateQuestion(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 7, Contacts: 3, Accounts: 1, Tickets: 3}, mode: app.SyncNone})
	m := newMainWindow(e.ctx, fyne.CurrentApp(), Params{CRM: e.crm, Integration: e.svc}, e.q.post)
	queues[m] = e.q
	m.win.Resize(fyne.NewSize(1100, 720))
	t.Cleanup(func() { settle(m); e.settle(); m.win.Close() })
	settle(m)
	m.showDeskSettings()
	settle(m)
	s := m.deskSettings
	if s == nil {
		t.Fatal("no Zoho Desk settings")
	}
	e.waitFor("Manage", func() bool { settle(m); return s.deactivate != nil })
	test.Tap(s.deactivate)
	settle(m)
	if m.win.Canvas().Overlays().Top() == nil {
		t.Fatal("Deactivate asked nothing")
	}
	press(m.win, fyne.KeyEscape, 0)
	if top := m.win.Canvas().Overlays().Top(); top != nil {
		t.Errorf("Esc left the question open (%d dialogs known)", len(m.open))
	}
	if _, err := e.svc.ActivePortal(e.ctx); err != nil {
		t.Errorf("Esc deactivated: %v", err)
	}
}

// TestTestNotificationSaysWhy: after Send a test notification failed on a
// desktop without a notification service, Settings › Signals said only
// "Desktop notifications cannot be shown" (the failed notification's
// generic reason took the place of the specific one), and the result
// line said it twice: "could not be shown: … cannot be shown".
func TestTestNotificationSaysWhy(t *testing.T) {
	useLanguage("ja_JP.UTF-8")
	t.Cleanup(func() { useLanguage("en") })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	test.NewTempApp(t)
	det, err := signals.New(signals.Options{Store: newTestDB(t), Notifier: &noServiceNotifier{msg: "This desktop has no notification service."}})
	if err != nil {
		t.Fatal(err)
	}
	q := &uiQueue{}
	w := test.NewWindow(nil)
	defer w.Close()
	s := newSignalsSettings(ctx, w, det, q.post)
	w.SetContent(s.content)
	settleRunner(t, q, s.run)
	test.Tap(s.test)
	settleRunner(t, q, s.run)
	notice, result := unbreakable(s.notice.Text), unbreakable(s.testResult.Text)
	if !strings.Contains(notice, "通知サービスがありません") {
		t.Errorf("the notice lost the reason after the test: %q", notice)
	}
	if strings.Count(result, "表示でき") != 1 {
		t.Errorf("the result says it twice: %q", result)
	}
	if !strings.Contains(result, "通知サービスがありません") {
		t.Errorf("the result does not say why: %q", result)
	}
}

// TestJapaneseWording: words a Japanese user would find odd, found in
// the window: "シグナル" (the screen is 通知), "あなたの" (a literal
// "your"), and menu paths written bare (設定 › 一般) instead of as the
// window writes them everywhere else (［設定］›［一般］).
func TestJapaneseWording(t *testing.T) {
	path := regexp.MustCompile(`\S*\s*›\s*\S*`)
	for k, v := range readAll(t, "ja") {
		var texts []string
		switch v := v.(type) {
		case string:
			texts = append(texts, v)
		case map[string]any:
			for _, s := range v {
				texts = append(texts, s.(string))
			}
		}
		for _, s := range texts {
			// フィード: the feed is 通知の一覧 everywhere else.
			for _, bad := range []string{"シグナル", "あなた", "フィードには"} {
				if strings.Contains(s, bad) {
					t.Errorf("%q: %q says %s", k, s, bad)
				}
			}
			for _, p := range path.FindAllString(s, -1) {
				if !regexp.MustCompile(`］\s*›\s*［`).MatchString(p) {
					t.Errorf("%q: the menu path %q is not written ［…］›［…］", k, p)
				}
			}
		}
	}
}
