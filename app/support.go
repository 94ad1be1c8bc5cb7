package app

import (
	"net/mail"
	"strings"
)

// SupportAddress is the help desk's own address in a conversation, the
// address Desk's sendReply needs as fromEmailAddress: the sender of the
// newest message the help desk sent, else the first recipient of the
// newest message a customer sent. "" when the threads show neither (no
// email in the conversation).
func SupportAddress(threads []Thread) string {
	for i := len(threads) - 1; i >= 0; i-- {
		if t := threads[i]; t.Direction == "out" {
			if a := firstAddress(t.From); a != "" {
				return a
			}
		}
	}
	for i := len(threads) - 1; i >= 0; i-- {
		if t := threads[i]; t.Direction == "in" {
			if a := firstAddress(t.To); a != "" {
				return a
			}
		}
	}
	return ""
}

// firstAddress is the first valid address of a comma-separated list whose
// entries may carry display names ("Acme Support <support@acme.example>").
func firstAddress(list string) string {
	for _, part := range strings.Split(list, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if a, err := mail.ParseAddress(part); err == nil {
			part = a.Address
		}
		if ValidEmail(part) {
			return part
		}
	}
	return ""
}
