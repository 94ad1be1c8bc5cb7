package app

import (
	"errors"
	"strconv"
	"strings"
)

// currencyDigits lists the minor-unit digits of currencies that differ from 2.
var currencyDigits = map[string]int{"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3, "JOD": 3, "OMR": 3, "TND": 3}

// CurrencyDigits returns how many decimals the currency's minor unit has.
func CurrencyDigits(cur string) int {
	if d, ok := currencyDigits[cur]; ok {
		return d
	}
	return 2
}

var errAmount = errors.New("not a valid amount")

// ParseAmount reads an amount typed by a person ("1,234.50", "¥120000",
// "12 000") into minor units of cur.
func ParseAmount(s, cur string) (int64, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimLeft(s, "¥$€£ ")
	s = strings.NewReplacer(",", "", " ", "", "_", "").Replace(s)
	if s == "" {
		return 0, nil
	}
	digits := CurrencyDigits(cur)
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || strings.HasPrefix(whole, "-") || strings.HasPrefix(whole, "+") || (hasFrac && (frac == "" || len(frac) > digits)) {
		return 0, errAmount
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, errAmount
	}
	frac += strings.Repeat("0", digits-len(frac))
	var f int64
	if frac != "" {
		if f, err = strconv.ParseInt(frac, 10, 64); err != nil {
			return 0, errAmount
		}
	}
	scale := int64(1)
	for range digits {
		scale *= 10
	}
	if w > (1<<62)/scale {
		return 0, errAmount
	}
	return w*scale + f, nil
}

// FormatAmount writes minor units of cur with thousands separators and the
// code: "¥1,200,000" for JPY, "12,345.50 USD" otherwise.
func FormatAmount(minor int64, cur string) string {
	digits := CurrencyDigits(cur)
	neg := minor < 0
	if neg {
		minor = -minor
	}
	s := strconv.FormatInt(minor, 10)
	if len(s) <= digits {
		s = strings.Repeat("0", digits-len(s)+1) + s
	}
	whole, frac := s[:len(s)-digits], s[len(s)-digits:]
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if digits > 0 {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	switch cur {
	case "JPY":
		return "¥" + out
	case "USD":
		return "$" + out
	case "EUR":
		return "€" + out
	}
	return out + " " + cur
}
