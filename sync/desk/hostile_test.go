package desk_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"testing"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/desk"
	"github.com/tandem-crm/tandem/sync/deskemu"
)

// htmlProxy is a rewriting proxy over loopback in front of the emulator:
// every answer becomes a login page sent with 200, as a captive portal or
// a company proxy does.
func htmlProxy(t *testing.T, target string) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		page := []byte("<!DOCTYPE html><html><body><h1>Please sign in to the network</h1></body></html>")
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(page))
		resp.StatusCode = http.StatusOK
		resp.Header.Set("Content-Type", "text/html; charset=utf-8")
		resp.Header.Set("Content-Length", strconv.Itoa(len(page)))
		resp.ContentLength = int64(len(page))
		return nil
	}
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestFaultsNameTheirCause is the finding: malformed JSON, an HTML page
// with status 200 and an oversized answer all said "Zoho Desk cannot be
// reached right now", though Desk answered.
func TestFaultsNameTheirCause(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, alice)
	e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultMalformed, Path: "/api/v1/tickets"})
	_, err := c.ListTickets(ctx(t), e.dep, desk.ListOptions{})
	wantCode(t, err, app.EUNAVAILABLE)
	if got, want := app.ErrorMessage(err), "Zoho Desk answered something Tandem cannot read (HTTP 200, application/json). Tandem will try again."; got != want {
		t.Errorf("malformed: %q, want %q", got, want)
	}
	e.emu.ClearFaults()
	e.emu.AddFault(deskemu.Fault{Kind: deskemu.FaultHuge, Path: "/api/v1/tickets"})
	_, err = c.ListTickets(ctx(t), e.dep, desk.ListOptions{})
	if got, want := app.ErrorMessage(err), "Zoho Desk sent an answer larger than Tandem accepts (16 MiB). Tandem will try again."; got != want {
		t.Errorf("huge: %q, want %q", got, want)
	}
	e.emu.ClearFaults()

	var tok string
	for _, u := range e.info.Users {
		if u.Email == alice {
			tok = u.AccessToken
		}
	}
	pc, err := desk.New(desk.Options{BaseURL: htmlProxy(t, e.srv.URL), OrgID: e.org, Tokens: desk.StaticToken(tok), Retry: fastRetry})
	if err != nil {
		t.Fatal(err)
	}
	_, err = pc.ListTickets(ctx(t), e.dep, desk.ListOptions{})
	wantCode(t, err, app.EUNAVAILABLE)
	if got, want := app.ErrorMessage(err), "Zoho Desk answered something Tandem cannot read (HTTP 200, text/html). Tandem will try again."; got != want {
		t.Errorf("html: %q, want %q", got, want)
	}
	// A real connection failure still says so.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	dc, _ := desk.New(desk.Options{BaseURL: dead.URL, OrgID: e.org, Tokens: desk.StaticToken(tok), Retry: fastRetry})
	_, err = dc.ListTickets(ctx(t), e.dep, desk.ListOptions{})
	if got := app.ErrorMessage(err); got != "Zoho Desk cannot be reached right now. Tandem will try again." {
		t.Errorf("no connection: %q", got)
	}
}
