package desk

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// The wire format of a ZSC key is UNKNOWN (desk-api.md): Zoho documents
// where an administrator copies the key, not how a third-party client sends
// it. Our guess, kept here and nowhere else (the emulator imports these
// names):
//
//   - the signed-in user's OAuth token is still sent as usual (it
//     authenticates the app and the person using it);
//   - the portal administrator's email and the portal's ZSC key travel as
//     two request headers, ZSCEmailHeader and ZSCKeyHeader — headers rather
//     than query parameters, so the key never lands in URLs or proxy logs;
//   - GET /organizations with them answers just that portal, which is how a
//     key is verified;
//   - a wrong email/key pair answers 401 with errorCode ZSCRejectedCode.
//
// If Zoho turns out to differ, change zscCredentials, these constants and
// the emulator's check together.
const (
	ZSCKeyHeader    = "zscKey"
	ZSCEmailHeader  = "zscAdminEmail"
	ZSCRejectedCode = "INVALID_ZSC_KEY"
)

// ZSCCredentials gives access to another user's portal: its administrator's
// email and its ZSC key. The key is a secret: keep it in the OS keyring.
type ZSCCredentials struct {
	AdminEmail string
	Key        string
}

// String hides the key so it never reaches a log by accident.
func (z ZSCCredentials) String() string { return "ZSC(" + z.AdminEmail + ", key hidden)" }

// zscCredentials puts the ZSC credentials on req: the one place that knows
// how they travel (see the comment on ZSCKeyHeader).
func zscCredentials(req *http.Request, adminEmail, zscKey string) {
	req.Header.Set(ZSCEmailHeader, adminEmail)
	req.Header.Set(ZSCKeyHeader, zscKey)
}

// VerifyZSC checks an administrator email and ZSC key by fetching the
// portal they unlock. A wrong pair returns an EFORBIDDEN *app.Error with
// ErrZSCKeyRejected in its chain.
func (c *Client) VerifyZSC(ctx context.Context, creds ZSCCredentials) (Organization, error) {
	if creds.AdminEmail == "" || creds.Key == "" {
		return Organization{}, toAppError(fmt.Errorf("desk: verify ZSC key: %w", ErrZSCKeyRejected))
	}
	orgs, err := c.WithZSC(&creds).Organizations(ctx)
	if err != nil {
		return Organization{}, fmt.Errorf("desk: verify ZSC key: %w", err)
	}
	if len(orgs) == 0 {
		return Organization{}, toAppError(fmt.Errorf("desk: verify ZSC key: %w", errors.Join(ErrZSCKeyRejected, errors.New("no portal for these credentials"))))
	}
	return orgs[0], nil
}
