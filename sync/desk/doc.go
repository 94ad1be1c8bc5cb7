// Package desk is a client for the Zoho Desk REST API v1.
//
// It knows Desk's hosts per data centre, the OAuth 2.0 desktop sign-in
// (authorization code with a loopback redirect, through golang.org/x/oauth2),
// the orgId header, paging, and Desk's error JSON. Failures are returned as
// *APIError or *TransportError wrapped in an *app.Error, so callers can branch
// on app.ErrorCode and still reach the HTTP details with errors.As.
//
// Everything this package guesses about Desk (where Zoho's documentation is
// silent) lives in one named place each — see the README, "Assumptions about Zoho Desk" — and the
// emulator in sync/deskemu imports the same definitions.
package desk
