package desk

import (
	"fmt"
	"net/url"
	"strings"
)

// DataCentre is a Zoho region: where its accounts (OAuth) server and its
// Desk API live. Both are base URLs without a trailing slash.
type DataCentre struct {
	ID          string // short name, e.g. "us", "eu"; also Zoho's "location" value
	Name        string // a label for people
	AccountsURL string // e.g. https://accounts.zoho.com
	DeskURL     string // e.g. https://desk.zoho.com
}

// DataCentres lists Zoho's regions, in the order the Connect page offers
// them. The accounts servers are Zoho Accounts' Multi DC table (the UK's
// accounts.zoho.uk included); the Desk hosts follow the same pattern (an
// assumption in the README for uk, ca and sa).
var DataCentres = []DataCentre{
	{ID: "us", Name: "United States", AccountsURL: "https://accounts.zoho.com", DeskURL: "https://desk.zoho.com"},
	{ID: "eu", Name: "Europe", AccountsURL: "https://accounts.zoho.eu", DeskURL: "https://desk.zoho.eu"},
	{ID: "uk", Name: "United Kingdom", AccountsURL: "https://accounts.zoho.uk", DeskURL: "https://desk.zoho.uk"},
	{ID: "in", Name: "India", AccountsURL: "https://accounts.zoho.in", DeskURL: "https://desk.zoho.in"},
	{ID: "au", Name: "Australia", AccountsURL: "https://accounts.zoho.com.au", DeskURL: "https://desk.zoho.com.au"},
	{ID: "jp", Name: "Japan", AccountsURL: "https://accounts.zoho.jp", DeskURL: "https://desk.zoho.jp"},
	{ID: "cn", Name: "China", AccountsURL: "https://accounts.zoho.com.cn", DeskURL: "https://desk.zoho.com.cn"},
	{ID: "ca", Name: "Canada", AccountsURL: "https://accounts.zohocloud.ca", DeskURL: "https://desk.zohocloud.ca"},
	{ID: "sa", Name: "Saudi Arabia", AccountsURL: "https://accounts.zoho.sa", DeskURL: "https://desk.zoho.sa"},
}

// LookupDataCentre returns the data centre whose ID (Zoho's "location", e.g.
// "us", "eu") or accounts URL matches s.
func LookupDataCentre(s string) (DataCentre, bool) {
	s = strings.TrimRight(strings.ToLower(strings.TrimSpace(s)), "/")
	for _, dc := range DataCentres {
		if dc.ID == s || dc.AccountsURL == s {
			return dc, true
		}
	}
	return DataCentre{}, false
}

// DataCentreForLocale is the data centre a person with the locale (a POSIX
// LANG such as "ja_JP.UTF-8" or a BCP 47 tag such as "en-GB") most likely
// signed up in: the country decides, then the language; "us" otherwise.
// It is only the Connect page's first choice: Zoho's redirect names the
// real one (location), and Tandem follows it.
func DataCentreForLocale(locale string) string {
	l := strings.ToLower(locale)
	if i := strings.IndexAny(l, ".@"); i >= 0 {
		l = l[:i]
	}
	l = strings.ReplaceAll(l, "-", "_")
	language, country, _ := strings.Cut(l, "_")
	if len(country) > 2 {
		// en_Latn_GB and the like: the region is the last part.
		if i := strings.LastIndex(country, "_"); i >= 0 {
			country = country[i+1:]
		}
	}
	switch country {
	case "gb", "uk":
		return "uk"
	case "jp":
		return "jp"
	case "in":
		return "in"
	case "au", "nz":
		return "au"
	case "cn":
		return "cn"
	case "ca":
		return "ca"
	case "sa":
		return "sa"
	case "us":
		return "us"
	case "at", "be", "bg", "hr", "cy", "cz", "dk", "ee", "fi", "fr", "de", "gr", "hu", "ie", "it", "lv", "lt", "lu",
		"mt", "nl", "pl", "pt", "ro", "sk", "si", "es", "se", "no", "is", "ch", "li":
		return "eu"
	}
	switch language {
	case "ja":
		return "jp"
	case "zh":
		return "cn"
	case "de", "fr", "it", "es", "nl", "pl", "pt", "sv", "da", "fi", "cs", "el", "hu", "ro":
		return "eu"
	}
	return "us"
}

// CustomDataCentre returns a data centre whose accounts and Desk API are both
// served from baseURL — the emulator, or a test server. Plain http is only
// accepted for loopback hosts.
func CustomDataCentre(baseURL string) (DataCentre, error) {
	u, err := checkBaseURL(baseURL)
	if err != nil {
		return DataCentre{}, err
	}
	b := strings.TrimRight(u.String(), "/")
	return DataCentre{ID: "custom", Name: u.Host, AccountsURL: b, DeskURL: b}, nil
}

// DemoID is the data centre id of the demo help desk: the emulator Tandem
// runs in its own process. Its address changes with every start (a free
// loopback port), so a demo portal stores this id and never an address.
const DemoID = "demo"

// DemoDataCentre returns the demo help desk's data centre at baseURL (the
// emulator's address in this process).
func DemoDataCentre(baseURL string) (DataCentre, error) {
	dc, err := CustomDataCentre(baseURL)
	if err != nil {
		return DataCentre{}, err
	}
	dc.ID, dc.Name = DemoID, "Demo help desk"
	return dc, nil
}

// IsLocal reports whether the data centre is the emulator or a test
// server (its address is not one of Zoho's).
func (dc DataCentre) IsLocal() bool { return dc.ID == "custom" || dc.ID == DemoID }

// checkBaseURL refuses anything but https, or http to a loopback host.
func checkBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("desk: base URL: %w", err)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("desk: base URL %q has no host", raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopbackHost(u.Hostname()) {
			return nil, fmt.Errorf("desk: base URL %q: plain http is only allowed to loopback hosts", raw)
		}
	default:
		return nil, fmt.Errorf("desk: base URL %q: scheme must be https", raw)
	}
	return u, nil
}
