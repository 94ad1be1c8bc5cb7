// Package desk is a client for the Zoho Desk REST API v1.
//
// It knows Desk's hosts per data centre, the OAuth 2.0 desktop sign-in
// (authorization code with a loopback redirect, through golang.org/x/oauth2),
// the orgId header, paging, and Desk's error JSON. Failures are returned as
// *APIError or *TransportError wrapped in an *app.Error, so callers can branch
// on app.ErrorCode and still reach the HTTP details with errors.As.
//
// Every operation it calls is a row of Contract (contract.go), written from
// Zoho's OpenAPI definition of Desk (zoho/zohodesk-oas, v1.0/): the client
// builds its requests from the rows, and the emulator in sync/deskemu
// refuses, as Desk does, any request that breaks them. What the definition
// leaves open is a row of the README's "Assumptions about Zoho Desk".
package desk
