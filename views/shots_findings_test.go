package views

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/signals"
)

// These tests come from looking at the real window in Japanese (issue 16's
// screenshots): what a Japanese small-business owner would find odd.

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
