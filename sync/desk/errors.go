package desk

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-crm/tandem/app"
)

// Desk error codes the client and the emulator use. The names are "likely"
// in desk-api.md: seen in Desk's documentation in substance.
const (
	CodeInvalidOAuth       = "INVALID_OAUTH"
	CodeUnauthorized       = "UNAUTHORIZED"
	CodeForbidden          = "FORBIDDEN"
	CodeURLNotFound        = "URL_NOT_FOUND"
	CodeResourceNotFound   = "RESOURCE_NOT_FOUND"
	CodeInvalidData        = "INVALID_DATA"
	CodeUnprocessable      = "UNPROCESSABLE_ENTITY"
	CodeTooManyRequests    = "TOO_MANY_REQUESTS"
	CodeInternalError      = "INTERNAL_SERVER_ERROR"
	CodeServiceUnavailable = "SERVICE_UNAVAILABLE"
)

// FieldError is one field validation failure in a Desk error.
type FieldError struct {
	FieldName    string `json:"fieldName"`
	ErrorType    string `json:"errorType"`
	ErrorMessage string `json:"errorMessage"`
}

// ErrorBody is Desk's error JSON.
type ErrorBody struct {
	ErrorCode string       `json:"errorCode"`
	Message   string       `json:"message"`
	Errors    []FieldError `json:"errors,omitempty"`
}

// APIError is a Desk response with an error status.
type APIError struct {
	Method     string        // HTTP method of the request
	Path       string        // path below /api/v1, without the query
	Status     int           // HTTP status
	Code       string        // Desk errorCode, e.g. INVALID_OAUTH
	Message    string        // Desk message
	Fields     []FieldError  // field validation failures, if any
	RetryAfter time.Duration // from Retry-After, when present
	// MaybeApplied is true when the request was not idempotent and the
	// server answered 5xx: it may have acted on it (see TransportError).
	MaybeApplied bool
}

// Error implements error.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "desk %s %s: HTTP %d", e.Method, e.Path, e.Status)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s %s", f.FieldName, f.ErrorType, f.ErrorMessage)
	}
	return b.String()
}

// TransportError is a failure below HTTP: no connection, a dropped
// connection, a timeout, an unreadable or malformed body.
type TransportError struct {
	Method string
	Path   string
	Err    error
	// MaybeApplied is true when the request may have reached Desk and been
	// acted on (the body was sent but no complete answer came back) and the
	// client did not retry it because it is not idempotent. An outbox must
	// then check before sending again — e.g. look for the ticket, reply or
	// comment it meant to create — instead of resending blindly.
	MaybeApplied bool
}

// Error implements error.
func (e *TransportError) Error() string {
	return fmt.Sprintf("desk %s %s: %v", e.Method, e.Path, e.Err)
}

// Unwrap returns the cause.
func (e *TransportError) Unwrap() error { return e.Err }

// AnswerError is a success status whose body is not the JSON Tandem asked
// for: an HTML page (a proxy's or a captive portal's login page, an error
// page sent with 200), a truncated or malformed body. Desk answered, so it
// is not "cannot be reached". It travels inside a *TransportError.
type AnswerError struct {
	Status      int    // the HTTP status, 2xx
	ContentType string // the answer's media type, e.g. text/html
	Err         error  // the decoder's error
}

// Error implements error.
func (e *AnswerError) Error() string {
	return fmt.Sprintf("malformed JSON in response (HTTP %d, %s): %v", e.Status, e.ContentType, e.Err)
}

// Unwrap returns the decoder's error.
func (e *AnswerError) Unwrap() error { return e.Err }

// answerError describes an undecodable answer, with its media type without
// parameters ("unknown type" when none was sent).
func answerError(resp *http.Response, err error) *AnswerError {
	ct := strings.TrimSpace(strings.ToLower(strings.SplitN(resp.Header.Get("Content-Type"), ";", 2)[0]))
	if ct == "" || len(ct) > 60 || strings.IndexFunc(ct, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0 {
		ct = "unknown type" // absent, or not a media type: never print what the server sent
	}
	return &AnswerError{Status: resp.StatusCode, ContentType: ct, Err: err}
}

// Messages for answers Tandem cannot use; {{.Detail}} is technical
// (HTTP 200, text/html), so it is the same in every language.
const (
	MsgUnreadableAnswer = "Zoho Desk answered something Tandem cannot read ({{.Detail}}). Tandem will try again."
	MsgAnswerTooLarge   = "Zoho Desk sent an answer larger than Tandem accepts ({{.Detail}}). Tandem will try again."
)

// MaybeApplied reports whether err says a non-idempotent request may have
// reached Desk and been acted on although no success came back.
func MaybeApplied(err error) bool {
	var te *TransportError
	if errors.As(err, &te) {
		return te.MaybeApplied
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.MaybeApplied
	}
	return false
}

// RetryAfter returns how long Desk asked the caller to wait, if it did.
func RetryAfter(err error) (time.Duration, bool) {
	var ae *APIError
	if errors.As(err, &ae) && ae.RetryAfter > 0 {
		return ae.RetryAfter, true
	}
	return 0, false
}

// parseAPIError builds an *APIError from a non-2xx response body.
func parseAPIError(method, path string, resp *http.Response, body []byte, now time.Time) *APIError {
	e := &APIError{Method: method, Path: path, Status: resp.StatusCode}
	var eb ErrorBody
	if len(body) > 0 && json.Unmarshal(body, &eb) == nil {
		e.Code, e.Message, e.Fields = eb.ErrorCode, eb.Message, eb.Errors
	}
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), now)
	return e
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// toAppError translates a client failure into an *app.Error that wraps it.
func toAppError(err error) error {
	if err == nil {
		return nil
	}
	var ae *app.Error
	if errors.As(err, &ae) {
		return err
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		if apiErr.Status == http.StatusTooManyRequests || apiErr.Code == CodeThresholdExceeded {
			return throttleError(apiErr, err)
		}
		return &app.Error{Code: codeForStatus(apiErr.Status), Message: messageFor(apiErr), Err: err}
	}
	var ans *AnswerError
	if errors.As(err, &ans) {
		detail := fmt.Sprintf("HTTP %d, %s", ans.Status, ans.ContentType)
		return &app.Error{Code: app.EUNAVAILABLE, Message: strings.Replace(MsgUnreadableAnswer, "{{.Detail}}", detail, 1), Err: err}
	}
	if errors.Is(err, errBodyTooLarge) || errors.Is(err, errTokenTooLarge) {
		detail := fmt.Sprintf("%d MiB", maxBodyBytes>>20)
		if errors.Is(err, errTokenTooLarge) {
			detail = fmt.Sprintf("%d MiB", maxTokenAnswer>>20)
		}
		return &app.Error{Code: app.EUNAVAILABLE, Message: strings.Replace(MsgAnswerTooLarge, "{{.Detail}}", detail, 1), Err: err}
	}
	var big *FileTooLargeError
	if errors.As(err, &big) {
		return &app.Error{Code: app.EINVALID, Message: big.Message(), Err: err}
	}
	var te *TransportError
	if errors.As(err, &te) {
		return &app.Error{Code: app.EUNAVAILABLE, Message: "Zoho Desk cannot be reached right now. Tandem will try again.", Err: err}
	}
	var pe *portError
	if errors.As(err, &pe) {
		return &app.Error{Code: app.EUNAVAILABLE, Message: fmt.Sprintf("Another program is using port %d, where Zoho sends the sign-in back to Tandem. Close it and try again.", RedirectPort), Err: err}
	}
	var le *LimitedError
	if errors.As(err, &le) {
		return &app.Error{Code: app.EUNAVAILABLE, Message: "Zoho is limiting sign-ins; trying again at " + le.RetryAt.Local().Format("15:04") + ".", Err: err}
	}
	var ce *clientError
	if errors.As(err, &ce) {
		return &app.Error{Code: app.EUNAUTHORIZED, Message: MsgWrongClient, Err: err}
	}
	var se *signInError
	if errors.As(err, &se) {
		return &app.Error{Code: app.EUNAUTHORIZED, Message: "Sign in to Zoho Desk again.", Err: err}
	}
	return &app.Error{Code: app.EINTERNAL, Message: "Something went wrong talking to Zoho Desk.", Err: err}
}

// codeForStatus maps an HTTP status to an app error code.
func codeForStatus(status int) string {
	switch {
	case status == http.StatusUnauthorized:
		return app.EUNAUTHORIZED
	case status == http.StatusForbidden:
		return app.EFORBIDDEN
	case status == http.StatusNotFound:
		return app.ENOTFOUND
	case status == http.StatusConflict:
		return app.ECONFLICT
	case status == http.StatusBadRequest, status == http.StatusUnprocessableEntity:
		return app.EINVALID
	case status == http.StatusTooManyRequests, status >= 500:
		return app.EUNAVAILABLE
	default:
		return app.EINTERNAL
	}
}

func messageFor(e *APIError) string {
	switch codeForStatus(e.Status) {
	case app.EUNAUTHORIZED:
		return "Sign in to Zoho Desk again."
	case app.EFORBIDDEN:
		return "Your Zoho Desk profile does not allow this."
	case app.ENOTFOUND:
		return "It no longer exists in Zoho Desk."
	case app.ECONFLICT:
		return "Zoho Desk reports a conflict with existing data."
	case app.EINVALID:
		if len(e.Fields) > 0 {
			f := e.Fields[0]
			msg := f.ErrorMessage
			if msg == "" {
				msg = f.ErrorType
			}
			return fmt.Sprintf("Zoho Desk did not accept %s: %s", f.FieldName, msg)
		}
		if e.Message != "" {
			return "Zoho Desk did not accept the request: " + e.Message
		}
		return "Zoho Desk did not accept the request."
	case app.EUNAVAILABLE:
		if e.Status == http.StatusTooManyRequests {
			return "Zoho Desk is rate-limiting requests. Tandem will try again later."
		}
		return "Zoho Desk is unavailable right now. Tandem will try again."
	}
	return "Zoho Desk answered unexpectedly."
}

// MsgWrongClient is the message for a client id Zoho does not know (or
// whose secret it refused).
const MsgWrongClient = "Zoho does not accept Tandem's OAuth client id. Check the client id in Settings › Zoho Desk, or the one this build of Tandem was made with."

// LimitedError reports that Zoho refused a token because too many were
// asked for (Zoho allows about ten access tokens per refresh token in ten
// minutes). It is not a reason to sign in again.
type LimitedError struct {
	RetryAt time.Time // when Tandem asks again
}

// Error implements error.
func (e *LimitedError) Error() string {
	return "desk: Zoho is limiting token requests until " + e.RetryAt.Format(time.RFC3339)
}

// portError reports that the sign-in's loopback port is taken.
type portError struct{ err error }

// Error implements error.
func (e *portError) Error() string { return "desk: redirect port: " + e.err.Error() }

// Unwrap returns the cause.
func (e *portError) Unwrap() error { return e.err }

// clientError reports that the token endpoint refused the client id or
// secret (invalid_client).
type clientError struct{ err error }

// Error implements error.
func (e *clientError) Error() string { return "desk: client refused: " + e.err.Error() }

// Unwrap returns the cause.
func (e *clientError) Unwrap() error { return e.err }

// signInError reports that the token could not be refreshed because the
// refresh token was refused (revoked, expired, wrong client).
type signInError struct{ err error }

// Error implements error.
func (e *signInError) Error() string { return "desk: sign-in needed: " + e.err.Error() }

// Unwrap returns the cause.
func (e *signInError) Unwrap() error { return e.err }
