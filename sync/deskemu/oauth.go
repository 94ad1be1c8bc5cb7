package deskemu

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/tandem-crm/tandem/sync/desk"
)

// AccessTokenLifetime is how long an access token lasts (Zoho: one hour).
const AccessTokenLifetime = time.Hour

func (s *Server) oauthRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /oauth/v2/auth", s.oauthAuth)
	m.HandleFunc("POST /oauth/v2/token", s.oauthToken)
}

// newTokenLocked issues a token string; call with s.mu held.
func (s *Server) newTokenLocked(kind string) string {
	s.tokSeq++
	return fmt.Sprintf("1000.%s%04d.%016x", kind, s.tokSeq, s.rnd.Uint64())
}

func isLoopbackRedirect(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" {
		return false
	}
	h := u.Hostname()
	ip := net.ParseIP(h)
	return h == "localhost" || (ip != nil && ip.IsLoopback())
}

// oauthAuth is the consent page, auto-approved: it redirects at once with a
// code ("one-click sign-in"). login_hint picks the user; the first demo
// user otherwise.
func (s *Server) oauthAuth(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != s.opts.ClientID {
		http.Error(w, "Invalid client: unknown client_id", http.StatusBadRequest)
		return
	}
	redirect := q.Get("redirect_uri")
	if !isLoopbackRedirect(redirect) {
		http.Error(w, "Invalid redirect_uri: the emulator accepts loopback redirects only", http.StatusBadRequest)
		return
	}
	ru, _ := url.Parse(redirect)
	back := ru.Query()
	back.Set("state", q.Get("state"))
	if q.Get("response_type") != "code" || q.Get("scope") == "" || strings.Contains(q.Get("scope"), " ") {
		// Zoho wants comma-separated scopes; a space means the client
		// joined them the OAuth2 way.
		back.Set("error", "invalid_scope")
		ru.RawQuery = back.Encode()
		http.Redirect(w, r, ru.String(), http.StatusFound)
		return
	}
	s.mu.Lock()
	u := s.users[0]
	if hint := q.Get("login_hint"); hint != "" {
		u = nil
		for _, x := range s.users {
			if strings.EqualFold(x.Email, hint) {
				u = x
			}
		}
	}
	if u == nil {
		s.mu.Unlock()
		back.Set("error", "access_denied")
		ru.RawQuery = back.Encode()
		http.Redirect(w, r, ru.String(), http.StatusFound)
		return
	}
	code := s.newTokenLocked("code")
	s.codes[code] = codeInfo{
		user: u, clientID: s.opts.ClientID, redirectURI: redirect, scope: q.Get("scope"),
		challenge: q.Get("code_challenge"), challengeMeth: q.Get("code_challenge_method"),
		expires: s.clock.now().Add(2 * time.Minute),
	}
	s.mu.Unlock()
	back.Set("code", code)
	back.Set("location", "us")
	back.Set("accounts-server", baseURL(r))
	if dc, ok := desk.LookupDataCentre(s.opts.Location); ok {
		back.Set("location", dc.ID)
		back.Set("accounts-server", dc.AccountsURL)
	}
	ru.RawQuery = back.Encode()
	http.Redirect(w, r, ru.String(), http.StatusFound)
}

// oauthToken exchanges a code or a refresh token. Like Zoho, failures
// answer HTTP 200 with {"error": "..."} (see the README, "Assumptions about Zoho Desk").
func (s *Server) oauthToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if bu, bp, ok := r.BasicAuth(); ok {
		id, secret = bu, bp
	}
	if id != s.opts.ClientID || (secret != s.opts.ClientSecret && !(s.opts.PublicClient && secret == "")) {
		writeJSON(w, http.StatusOK, map[string]string{"error": "invalid_client"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenReqs[r.PostForm.Get("grant_type")]++
	now := s.clock.now()
	resp := tokenJSON{APIDomain: baseURL(r), TokenType: "Bearer", ExpiresIn: int(AccessTokenLifetime / time.Second)}
	var u *user
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		code := r.PostForm.Get("code")
		ci, ok := s.codes[code]
		delete(s.codes, code) // single use
		if !ok || now.After(ci.expires) || ci.redirectURI != r.PostForm.Get("redirect_uri") {
			writeJSON(w, http.StatusOK, map[string]string{"error": "invalid_code"})
			return
		}
		if ci.challenge == "" && s.opts.PublicClient {
			writeJSON(w, http.StatusOK, map[string]string{"error": "invalid_code_verifier"})
			return
		}
		if ci.challenge != "" {
			sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
			if ci.challengeMeth != "S256" || base64.RawURLEncoding.EncodeToString(sum[:]) != ci.challenge {
				writeJSON(w, http.StatusOK, map[string]string{"error": "invalid_code_verifier"})
				return
			}
		}
		u = ci.user
		resp.RefreshToken = s.newTokenLocked("refresh")
		s.refresh[resp.RefreshToken] = u
	case "refresh_token":
		var ok bool
		rt := r.PostForm.Get("refresh_token")
		u, ok = s.refresh[rt]
		if !ok {
			writeJSON(w, http.StatusOK, map[string]string{"error": "invalid_code"})
			return
		}
		if !s.mintLocked(rt, now) {
			// Zoho's answer to too many token requests (see the README).
			writeJSON(w, http.StatusOK, map[string]string{"error": "Access Denied",
				"error_description": "You have made too many requests continuously. Please try again after some time.", "status": "failure"})
			return
		}
	default:
		writeJSON(w, http.StatusOK, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	resp.AccessToken = s.newTokenLocked("access")
	s.access[resp.AccessToken] = tokenInfo{user: u, expires: now.Add(AccessTokenLifetime)}
	writeJSON(w, http.StatusOK, resp)
}

// mintLocked records an access token for refresh token rt at now and
// reports whether TokenLimit allows it; call with s.mu held.
func (s *Server) mintLocked(rt string, now time.Time) bool {
	limit := s.opts.TokenLimit
	if limit < 0 {
		return true
	}
	if limit == 0 {
		limit = 10
	}
	var recent []time.Time
	for _, t := range s.minted[rt] {
		if now.Sub(t) < 10*time.Minute {
			recent = append(recent, t)
		}
	}
	if len(recent) >= limit {
		s.minted[rt] = recent
		return false
	}
	s.minted[rt] = append(recent, now)
	return true
}

// TokenRequests returns how many token endpoint requests the emulator
// answered with grant_type (authorization_code, refresh_token; "" for all).
func (s *Server) TokenRequests(grantType string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if grantType != "" {
		return s.tokenReqs[grantType]
	}
	n := 0
	for _, v := range s.tokenReqs {
		n += v
	}
	return n
}

// Router is an http.RoundTripper that serves the https hosts of Zoho's
// data centres (accounts.zoho.uk, desk.zoho.jp, …) from the emulator at
// base, so the client walks a real data centre's addresses; it records
// which hosts were asked. Anything else goes to Next (nil: refused).
type Router struct {
	Base string // the emulator's URL (Running.URL)
	Next http.RoundTripper

	mu    sync.Mutex
	hosts map[string]int
}

// RoundTrip implements http.RoundTripper.
func (rt *Router) RoundTrip(req *http.Request) (*http.Response, error) {
	h := req.URL.Hostname()
	if req.URL.Scheme != "https" || !isZohoHost(h) {
		if rt.Next == nil {
			return nil, fmt.Errorf("deskemu: router: %s is not a Zoho host", req.URL.Host)
		}
		return rt.Next.RoundTrip(req)
	}
	rt.mu.Lock()
	if rt.hosts == nil {
		rt.hosts = map[string]int{}
	}
	rt.hosts[h]++
	rt.mu.Unlock()
	base, err := url.Parse(rt.Base)
	if err != nil {
		return nil, err
	}
	r2 := req.Clone(req.Context())
	r2.URL.Scheme, r2.URL.Host = base.Scheme, base.Host
	r2.Host = base.Host
	return http.DefaultTransport.RoundTrip(r2)
}

// Hosts returns how many requests each Zoho host got.
func (rt *Router) Hosts() map[string]int {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	out := make(map[string]int, len(rt.hosts))
	for k, v := range rt.hosts {
		out[k] = v
	}
	return out
}

func isZohoHost(h string) bool {
	for _, dc := range desk.DataCentres {
		for _, u := range []string{dc.AccountsURL, dc.DeskURL} {
			if pu, err := url.Parse(u); err == nil && pu.Hostname() == h {
				return true
			}
		}
	}
	return false
}

// IssueToken returns a fresh access token (valid for AccessTokenLifetime)
// and refresh token for the user with email.
func (s *Server) IssueToken(email string) (access, refresh string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userByEmailLocked(email)
	if u == nil {
		return "", "", fmt.Errorf("deskemu: no user %q", email)
	}
	access, refresh = s.newTokenLocked("access"), s.newTokenLocked("refresh")
	s.access[access] = tokenInfo{user: u, expires: s.clock.now().Add(AccessTokenLifetime)}
	s.refresh[refresh] = u
	return access, refresh, nil
}

// TokenUser is the email of the user an "Authorization: Zoho-oauthtoken
// …" header's access token belongs to, or "" for none (expired or
// unknown).
func (s *Server) TokenUser(authorization string) string {
	tok := strings.TrimPrefix(authorization, "Zoho-oauthtoken ")
	s.mu.Lock()
	defer s.mu.Unlock()
	if ti, ok := s.access[tok]; ok && ti.user != nil && s.clock.now().Before(ti.expires) {
		return ti.user.Email
	}
	return ""
}

// AdoptRefreshToken makes token a valid refresh token for the user with
// email. The demo help desk runs in-process and forgets its tokens when the
// app quits; main hands back the refresh token the keyring kept, so a demo
// portal stays signed in across restarts, as a real one does.
func (s *Server) AdoptRefreshToken(token, email string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userByEmailLocked(email)
	if u == nil {
		return fmt.Errorf("deskemu: no user %q", email)
	}
	s.refresh[token] = u
	return nil
}

// RevokeAccessToken makes Desk answer 401 to token (as if it expired).
func (s *Server) RevokeAccessToken(token string) {
	s.mu.Lock()
	delete(s.access, token)
	s.mu.Unlock()
}

// RevokeRefreshToken makes refreshing with token fail.
func (s *Server) RevokeRefreshToken(token string) {
	s.mu.Lock()
	delete(s.refresh, token)
	s.mu.Unlock()
}

func (s *Server) userByEmailLocked(email string) *user {
	for _, u := range s.users {
		if strings.EqualFold(u.Email, email) {
			return u
		}
	}
	return nil
}
