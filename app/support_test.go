package app

import "testing"

func TestSupportAddress(t *testing.T) {
	in := func(from, to string) Thread { return Thread{Direction: "in", From: from, To: to} }
	out := func(from, to string) Thread { return Thread{Direction: "out", From: from, To: to} }
	for _, c := range []struct {
		name    string
		threads []Thread
		want    string
	}{
		{"nothing", nil, ""},
		{"a customer wrote", []Thread{in("ann@example.com", "support@acme.example")}, "support@acme.example"},
		{"with a display name", []Thread{in("ann@example.com", "Acme Support <help@acme.example>, boss@example.com")}, "help@acme.example"},
		{"our newest reply wins", []Thread{in("ann@example.com", "old@acme.example"), out("replies@acme.example", "ann@example.com"),
			in("ann@example.com", "support@acme.example")}, "replies@acme.example"},
		{"no email on the thread", []Thread{{Direction: "in", From: "+81 3 1234 5678"}}, ""},
		{"a broken recipient is skipped", []Thread{in("ann@example.com", "not an address, support@acme.example")}, "support@acme.example"},
	} {
		if got := SupportAddress(c.threads); got != c.want {
			t.Errorf("%s: SupportAddress = %q, want %q", c.name, got, c.want)
		}
	}
}
