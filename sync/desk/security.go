package desk

import (
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"
)

// maxBodyBytes caps every response body the client reads.
const maxBodyBytes = 16 << 20

// errBodyTooLarge reports a response body over maxBodyBytes.
var errBodyTooLarge = errors.New("response body larger than 16 MiB")

// isLoopbackHost reports whether host is localhost, 127.0.0.0/8 or ::1.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// loopbackOnlyTransport refuses plain-http requests to non-loopback hosts,
// including ones reached through a redirect, so a token never crosses the
// network in clear text.
type loopbackOnlyTransport struct{ base http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (t loopbackOnlyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	switch req.URL.Scheme {
	case "https":
	case "http":
		if !isLoopbackHost(req.URL.Hostname()) {
			return nil, errors.New("desk: refusing plain http to a non-loopback host")
		}
	default:
		return nil, errors.New("desk: refusing scheme " + req.URL.Scheme)
	}
	return t.base.RoundTrip(req)
}

// newHTTPClient returns an http.Client with TLS verification on (the
// standard library default; never InsecureSkipVerify), TLS 1.2 or later,
// sane timeouts and the loopback-only rule for plain http.
func newHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	tr.ResponseHeaderTimeout = 60 * time.Second
	tr.MaxIdleConnsPerHost = 8
	return &http.Client{
		Transport: loopbackOnlyTransport{base: tr},
		Timeout:   2 * time.Minute,
	}
}

// secureClient wraps a caller-supplied client so the loopback rule holds
// for it too.
func secureClient(c *http.Client) *http.Client {
	if c == nil {
		return newHTTPClient()
	}
	cc := *c
	base := cc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	if _, ok := base.(loopbackOnlyTransport); !ok {
		cc.Transport = loopbackOnlyTransport{base: base}
	}
	return &cc
}
