package pay

import "testing"

func TestParseAmount(t *testing.T) {
	ok := map[string]int64{"12.50": 1250, "12": 1200, "12.5": 1250, "0.01": 1, ".5": 50, "$1,200.00": 120000, " 7 ": 700}
	for in, want := range ok {
		if got, err := ParseAmount(in, "usd"); err != nil || got != want {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "0.00", "-5", "12.345", "abc", "1e3", "12.", "1.2.3", "9999999999", "1000000.00", "+5"} {
		if got, err := ParseAmount(in, "usd"); err == nil {
			t.Errorf("ParseAmount(%q) = %d, want an error", in, got)
		}
	}
	if got, err := ParseAmount("1200", "jpy"); err != nil || got != 1200 {
		t.Errorf("yen: %d %v", got, err)
	}
	if _, err := ParseAmount("12.50", "jpy"); err == nil {
		t.Error("yen with cents accepted")
	}
}

func TestFormatAmount(t *testing.T) {
	for _, c := range []struct {
		minor    int64
		currency string
		want     string
	}{
		{1250, "usd", "$12.50"}, {5, "eur", "€0.05"}, {120000, "gbp", "£1,200.00"}, {1200, "jpy", "¥1,200"},
		{99999999, "chf", "999,999.99 CHF"},
	} {
		if got := FormatAmount(c.minor, c.currency); got != c.want {
			t.Errorf("FormatAmount(%d, %s) = %q, want %q", c.minor, c.currency, got, c.want)
		}
	}
	if AmountInput(1250, "usd") != "12.50" || AmountInput(5, "usd") != "0.05" || AmountInput(1200, "jpy") != "1200" {
		t.Error("AmountInput")
	}
}
