package desk

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/tandem-crm/tandem/app"
)

// Zoho's limits on API use (help.zoho.com, "Working with API Credits"):
// credits per portal per day, by edition and agents, each call costing by
// its complexity; and concurrent calls per portal, by edition. Both are
// shared by every app and person using the portal's API.

// CodeThresholdExceeded is Desk's errorCode for a used-up limit (Common.json
// errorJson); TOO_MANY_REQUESTS (429) is the other throttling answer.
const CodeThresholdExceeded = "THRESHOLD_EXCEEDED"

// planConcurrency is Zoho's cap on concurrent API calls per portal, by
// edition.
var planConcurrency = map[string]int{
	"free": 5, "trial": 5,
	"express": 10, "standard": 10,
	"professional": 15,
	"enterprise":   25, "zohoone": 25, "crmplus": 25,
}

// MaxPlanConcurrency is the highest plan cap (Enterprise).
const MaxPlanConcurrency = 25

// PlanConcurrency returns Zoho's cap on concurrent calls for a portal's
// edition (as /organizations names it); the Free cap for an unknown one.
func PlanConcurrency(edition string) int {
	e := strings.ToLower(strings.NewReplacer(" ", "", "_", "", "-", "").Replace(edition))
	if n, ok := planConcurrency[e]; ok {
		return n
	}
	return planConcurrency["free"]
}

// DefaultConcurrency is the requests a client sends at once when not told
// otherwise: safe on every edition (the Free cap is 5) and leaving room
// for the portal's other users.
const DefaultConcurrency = 2

// SafeConcurrency is the concurrency Tandem uses for a portal by default:
// half its plan's cap (the cap is shared with the portal's web users,
// other desktops and integrations), at least DefaultConcurrency. A setting
// may raise it up to the cap.
func SafeConcurrency(edition string) int {
	return max(PlanConcurrency(edition)/2, DefaultConcurrency)
}

// acquire takes a slot for one request in flight.
func (c *Client) acquire(ctx context.Context) error {
	select {
	case c.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Client) release() { <-c.sem }

// noteDate records how far Desk's clock is from ours, from a Date header.
func (c *Client) noteDate(h string) {
	if h == "" {
		return
	}
	t, err := http.ParseTime(h)
	if err != nil {
		return
	}
	c.stats.skew.Store(int64(t.Sub(c.now()).Truncate(time.Second)))
}

// throttleError is the app error (wrapping err) for Desk asking Tandem to
// slow down: a message a person can act on.
func throttleError(e *APIError, err error) *app.Error {
	msg := "Zoho Desk is limiting how fast Tandem may call it (too many requests at once). Tandem slows down and tries again."
	if e.Code == CodeThresholdExceeded {
		msg = "This Zoho Desk portal has used up its API credits for now (THRESHOLD_EXCEEDED). Tandem pauses syncing and tries again later. Every app and integration using the portal shares these credits: a portal administrator can see their use in Zoho Desk's developer settings."
	}
	return &app.Error{Code: app.EUNAVAILABLE, Message: msg, Err: err}
}
