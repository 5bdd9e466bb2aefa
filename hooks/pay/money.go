package pay

import (
	"errors"
	"strconv"
	"strings"
)

// Amounts are stored as integers in the currency's minor unit (cents), as
// Stripe takes them. Zero-decimal currencies (yen, won…) have no minor unit.
var zeroDecimal = map[string]bool{
	"bif": true, "clp": true, "djf": true, "gnf": true, "jpy": true, "kmf": true, "krw": true, "mga": true,
	"pyg": true, "rwf": true, "ugx": true, "vnd": true, "vuv": true, "xaf": true, "xof": true, "xpf": true,
}

// Decimals is how many digits follow the decimal point in currency.
func Decimals(currency string) int {
	if zeroDecimal[strings.ToLower(currency)] {
		return 0
	}
	return 2
}

// MaxAmount is the largest price Plaza accepts (Stripe's limit for most
// currencies is 99,999,999 minor units).
const MaxAmount = 99_999_999

// ErrAmount is a price a person typed that isn't one.
var ErrAmount = errors.New("Enter a price like 12.50.")

// ParseAmount reads a price as a person types it ("12.50", "12", "1,200.5",
// "$12") into minor units of currency. It refuses zero, negatives, too many
// decimals and amounts over MaxAmount.
func ParseAmount(s, currency string) (int64, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimLeft(s, "$€£¥ ")
	s = strings.ReplaceAll(s, ",", "")
	s = strings.ReplaceAll(s, " ", "")
	if s == "" {
		return 0, ErrAmount
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	d := Decimals(currency)
	if whole == "" {
		whole = "0"
	}
	if hasDot && (len(frac) == 0 || len(frac) > d) {
		if d == 0 {
			return 0, errors.New("This currency has no cents: enter a whole amount.")
		}
		return 0, ErrAmount
	}
	for _, part := range []string{whole, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return 0, ErrAmount
			}
		}
	}
	if len(whole) > 9 {
		return 0, errors.New("That price is too high.")
	}
	frac += strings.Repeat("0", d-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	switch {
	case err != nil:
		return 0, ErrAmount
	case n <= 0:
		return 0, errors.New("The price must be more than zero.")
	case n > MaxAmount:
		return 0, errors.New("That price is too high.")
	}
	return n, nil
}

var symbols = map[string]string{"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "cny": "¥", "inr": "₹", "krw": "₩"}

// FormatAmount shows minor units as money: "$12.50", "€3.00", "1,200 CHF".
func FormatAmount(minor int64, currency string) string {
	cur := strings.ToLower(currency)
	d := Decimals(cur)
	neg := minor < 0
	if neg {
		minor = -minor
	}
	digits := strconv.FormatInt(minor, 10)
	var whole, frac string
	if d > 0 {
		for len(digits) <= d {
			digits = "0" + digits
		}
		whole, frac = digits[:len(digits)-d], digits[len(digits)-d:]
	} else {
		whole = digits
	}
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	num := b.String()
	if frac != "" {
		num += "." + frac
	}
	if neg {
		num = "-" + num
	}
	if sym, ok := symbols[cur]; ok {
		return sym + num
	}
	return num + " " + strings.ToUpper(cur)
}

// AmountInput is minor units as a person would type them back ("12.50").
func AmountInput(minor int64, currency string) string {
	d := Decimals(currency)
	digits := strconv.FormatInt(minor, 10)
	if d == 0 {
		return digits
	}
	for len(digits) <= d {
		digits = "0" + digits
	}
	return digits[:len(digits)-d] + "." + digits[len(digits)-d:]
}
