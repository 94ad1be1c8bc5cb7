package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tandem-crm/tandem/app"
	"github.com/tandem-crm/tandem/sync/desk"
	"golang.org/x/oauth2"
)

// HelpDesk says which help desk the next sign-in goes to.
func (s *Service) HelpDesk(ctx context.Context) (app.HelpDesk, error) {
	s.loadZohoClient(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	h := app.HelpDesk{Target: s.target, DemoAvailable: s.opts.DemoURL != "", ClientID: s.opts.OAuth.ClientID,
		RedirectURI: desk.RedirectURI, DefaultDataCentre: s.opts.DefaultDataCentre}
	if s.zoho != nil && s.zoho.ClientID != "" {
		h.ClientID, h.FromSettings = s.zoho.ClientID, true
	}
	if h.Target == "custom" {
		h.CustomURL = s.opts.BaseURL
	}
	for _, dc := range desk.DataCentres {
		h.DataCentres = append(h.DataCentres, app.DataCentreChoice{ID: dc.ID, Name: dc.Name})
	}
	return h, nil
}

// SetHelpDesk makes target (the demo or a Zoho data centre) where the next
// sign-in goes.
func (s *Service) SetHelpDesk(ctx context.Context, target string) error {
	switch {
	case target == desk.DemoID && s.opts.DemoURL == "":
		return fmt.Errorf("sync: help desk: %w", app.Errorf(app.EINVALID, "The demo help desk is not running in this Tandem."))
	case target == desk.DemoID:
	case target == "custom" && s.opts.BaseURL != "":
	default:
		if _, ok := desk.LookupDataCentre(target); !ok {
			return fmt.Errorf("sync: help desk: %w", app.Errorf(app.EINVALID, "Unknown Zoho data centre %q.", target))
		}
	}
	s.mu.Lock()
	s.target = target
	s.mu.Unlock()
	return nil
}

// SetZohoClient keeps an organisation's own Zoho OAuth client in the
// keyring; an empty id removes it (the build's client is used again).
func (s *Service) SetZohoClient(ctx context.Context, clientID, clientSecret string) error {
	clientID, clientSecret = strings.TrimSpace(clientID), strings.TrimSpace(clientSecret)
	if clientID == "" {
		for _, k := range []string{app.SecretZohoClientID, app.SecretZohoClientSecret} {
			if err := s.opts.Secrets.DeleteSecret(ctx, k); err != nil && app.ErrorCode(err) != app.ENOTFOUND {
				return fmt.Errorf("sync: zoho client: %w", err)
			}
		}
		s.mu.Lock()
		s.zoho = &OAuthClient{}
		s.mu.Unlock()
		return nil
	}
	if !desk.ValidClientID(clientID) {
		return fmt.Errorf("sync: zoho client: %w", app.Errorf(app.EINVALID,
			"This does not look like a Zoho client id (it starts with 1000. and has no spaces)."))
	}
	if err := s.opts.Secrets.SetSecret(ctx, app.SecretZohoClientID, clientID); err != nil {
		return fmt.Errorf("sync: zoho client: %w", err)
	}
	if clientSecret != "" {
		if err := s.opts.Secrets.SetSecret(ctx, app.SecretZohoClientSecret, clientSecret); err != nil {
			return fmt.Errorf("sync: zoho client: %w", err)
		}
	} else if err := s.opts.Secrets.DeleteSecret(ctx, app.SecretZohoClientSecret); err != nil && app.ErrorCode(err) != app.ENOTFOUND {
		return fmt.Errorf("sync: zoho client: %w", err)
	}
	s.mu.Lock()
	s.zoho = &OAuthClient{ClientID: clientID, ClientSecret: clientSecret}
	s.mu.Unlock()
	return nil
}

// loadZohoClient reads the client entered in Settings once.
func (s *Service) loadZohoClient(ctx context.Context) {
	s.mu.Lock()
	done := s.zoho != nil
	s.mu.Unlock()
	if done {
		return
	}
	c := &OAuthClient{}
	if id, err := s.opts.Secrets.GetSecret(ctx, app.SecretZohoClientID); err == nil {
		c.ClientID = id
		if sec, err := s.opts.Secrets.GetSecret(ctx, app.SecretZohoClientSecret); err == nil {
			c.ClientSecret = sec
		}
	} else if app.ErrorCode(err) != app.ENOTFOUND {
		s.log.Warn("reading the Zoho client from the keyring failed", "err", err)
		return // try again next time
	}
	s.mu.Lock()
	if s.zoho == nil {
		s.zoho = c
	}
	s.mu.Unlock()
}

// needClient refuses a sign-in to Zoho without a client id.
func (s *Service) needClient(dc desk.DataCentre) error {
	if dc.IsLocal() || s.oauthConfig(dc).ClientID != "" {
		return nil
	}
	return app.Errorf(app.EINVALID, "%s", MsgNoClient)
}

// MsgNoClient is the refusal of a Zoho sign-in without a client id.
const MsgNoClient = "This Tandem has no Zoho OAuth client id. Enter your organisation's in Settings › Zoho Desk (or set TANDEM_ZOHO_CLIENT_ID)."

// keptToken is the access token kept in the keyring.
type keptToken struct {
	AccessToken string    `json:"access_token"`
	Expiry      time.Time `json:"expiry"`
}

// keptAccessToken returns the portal's access token kept in the keyring,
// ENOTFOUND when there is none or it has expired.
func (s *Service) keptAccessToken(ctx context.Context, org string) (*keptToken, error) {
	raw, err := s.opts.Secrets.GetSecret(ctx, app.PortalSecretKey(org, app.SecretAccessToken))
	if err != nil {
		return nil, err
	}
	var k keptToken
	if err := json.Unmarshal([]byte(raw), &k); err != nil || k.AccessToken == "" || !k.Expiry.After(s.opts.Now()) {
		return nil, errors.New("sync: no kept access token")
	}
	return &k, nil
}

// keepAccessToken writes tok's access token to the keyring; a failure is
// logged (the next command asks Zoho for a new one).
func (s *Service) keepAccessToken(ctx context.Context, org string, tok *oauth2.Token) {
	if tok.AccessToken == "" || tok.Expiry.IsZero() {
		return
	}
	b, _ := json.Marshal(keptToken{AccessToken: tok.AccessToken, Expiry: tok.Expiry})
	if err := s.opts.Secrets.SetSecret(ctx, app.PortalSecretKey(org, app.SecretAccessToken), string(b)); err != nil {
		s.log.Warn("keeping the Desk access token failed", "org", org, "err", err)
	}
}
