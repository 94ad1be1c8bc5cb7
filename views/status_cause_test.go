package views

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/app/secrets"
	tsync "github.com/tandem-crm/tandem/sync"
	"github.com/tandem-crm/tandem/sync/desk"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// TestDynamicMessagesMatchTheClient: the templates the views translate are
// the Desk client's messages, and both languages have them.
func TestDynamicMessagesMatchTheClient(t *testing.T) {
	if dynamicMessages[0] != desk.MsgUnreadableAnswer || dynamicMessages[1] != desk.MsgAnswerTooLarge {
		t.Fatalf("views' templates %q differ from the client's", dynamicMessages)
	}
	if msgUnreachable != "Zoho Desk cannot be reached right now. Tandem will try again." {
		t.Fatal("msgUnreachable")
	}
	en, ja := readJSON(t, "en.json"), readJSON(t, "ja.json")
	for _, k := range append(dynamicMessages, msgUnreachable, app.MsgDamaged) {
		if _, ok := en[k]; !ok {
			t.Errorf("en lacks %q", k)
		}
		if _, ok := ja[k]; !ok {
			t.Errorf("ja lacks %q", k)
		}
	}
	got := translateMessage(strings.Replace(desk.MsgUnreadableAnswer, "{{.Detail}}", "HTTP 200, text/html", 1))
	if want := lang.L(desk.MsgUnreadableAnswer, map[string]any{"Detail": "HTTP 200, text/html"}); got != want || !strings.Contains(got, "HTTP 200, text/html") {
		t.Errorf("translateMessage = %q, want %q", got, want)
	}
}

// TestStatusLineNamesTheCause is the finding "a missing keyring shows
// only 'offline — showing saved tickets'": the status line and a banner
// say what is wrong (a real keyring call that fails: no Secret Service on
// the bus) and what to do; an HTML page sent with 200 is named too.
func TestStatusLineNamesTheCause(t *testing.T) {
	e := newDeskEnv(t, deskEnvOptions{emu: deskemu.Options{Seed: 21, Contacts: 4, Accounts: 2, Tickets: 5}, mode: app.SyncTwoWay})
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/tandem-test-bus")
	svc, err := tsync.New(tsync.Options{
		Store: e.db, CRM: e.crm, Secrets: &secrets.Keyring{Service: "tandem-test-nokeyring", Timeout: 2 * time.Second},
		OAuth:   tsync.OAuthClient{ClientID: e.info.ClientID, ClientSecret: e.info.ClientSecret},
		BaseURL: e.run.URL,
		Retry:   desk.RetryPolicy{MaxAttempts: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	d := newDeskUI(e.ctx, e.win, svc, e.crm, e.openURL, e.q.post)
	st := newDeskStatus(d)
	e.show(container.NewBorder(container.NewVBox(st.banner, st.problem), st.lineBox, nil, nil, nil))
	err = svc.SyncOnce(e.ctx)
	if !strings.Contains(app.ErrorMessage(err), "keyring") {
		t.Fatalf("sync without a keyring: %v", err)
	}
	st.reload()
	e.waitFor("the keyring status", func() bool { return st.st != nil && st.st.State == app.StateOffline && st.st.LastError != "" })
	keyring := "The system keyring is not available. On Linux, install and unlock a Secret Service keyring (for example gnome-keyring) and try again."
	if strings.Contains(st.line.Text, "offline — showing saved tickets") || !strings.Contains(st.line.Text, keyring) {
		t.Errorf("status line = %q", st.line.Text)
	}
	if !st.problem.Visible() || st.problemText.Text != keyring || !st.retry.Visible() {
		t.Errorf("banner shown %v: %q", st.problem.Visible(), st.problemText.Text)
	}

	// An HTML login page sent with 200, through a rewriting proxy.
	u, _ := url.Parse(e.run.URL)
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		if !strings.HasPrefix(resp.Request.URL.Path, "/api/") {
			return nil
		}
		page := []byte("<html><body>Sign in to the hotel Wi-Fi</body></html>")
		resp.Body.Close()
		resp.Body, resp.StatusCode, resp.ContentLength = io.NopCloser(bytes.NewReader(page)), 200, int64(len(page))
		resp.Header.Set("Content-Type", "text/html")
		resp.Header.Del("Content-Length")
		return nil
	}
	proxy := httptest.NewServer(rp)
	defer proxy.Close()
	svc2, err := tsync.New(tsync.Options{Store: e.db, CRM: e.crm, Secrets: e.sec,
		OAuth:   tsync.OAuthClient{ClientID: e.info.ClientID, ClientSecret: e.info.ClientSecret},
		BaseURL: proxy.URL, Retry: desk.RetryPolicy{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	d2 := newDeskUI(e.ctx, e.win, svc2, e.crm, e.openURL, e.q.post)
	st2 := newDeskStatus(d2)
	e.show(container.NewBorder(container.NewVBox(st2.banner, st2.problem), st2.lineBox, nil, nil, nil))
	_ = svc2.SyncOnce(e.ctx)
	st2.reload()
	e.waitFor("the html status", func() bool {
		return st2.st != nil && st2.st.State == app.StateOffline && strings.Contains(st2.st.LastError, "text/html")
	})
	if want := "Zoho Desk answered something Tandem cannot read (HTTP 200, text/html). Tandem will try again."; !strings.Contains(st2.line.Text, want) || st2.problemText.Text != want {
		t.Errorf("html answer: line %q, banner %q", st2.line.Text, st2.problemText.Text)
	}
}
