package deskemu

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// TestAdoptRefreshTokenAcrossRestarts: a refresh token issued by one
// emulator works on a new one (same seed) once adopted, and not before.
func TestAdoptRefreshTokenAcrossRestarts(t *testing.T) {
	first := New(Options{Seed: 9})
	email := first.Info().Users[0].Email
	_, refresh, err := first.IssueToken(email)
	if err != nil {
		t.Fatal(err)
	}
	second := New(Options{Seed: 9})
	srv := httptest.NewServer(second)
	defer srv.Close()
	grant := func() map[string]string {
		resp, err := http.PostForm(srv.URL+"/oauth/v2/token", url.Values{
			"grant_type": {"refresh_token"}, "refresh_token": {refresh},
			"client_id": {second.Info().ClientID}, "client_secret": {second.Info().ClientSecret},
		})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for k, v := range m {
			if s, ok := v.(string); ok {
				out[k] = s
			}
		}
		return out
	}
	if got := grant(); got["error"] == "" {
		t.Fatalf("a foreign refresh token was accepted before adoption: %v", got)
	}
	if err := second.AdoptRefreshToken(refresh, email); err != nil {
		t.Fatal(err)
	}
	if got := grant(); got["access_token"] == "" {
		t.Fatalf("adopted refresh token refused: %v", got)
	}
	if err := second.AdoptRefreshToken(refresh, "nobody@example.com"); err == nil {
		t.Fatal("adopting for an unknown user should fail")
	}
}
