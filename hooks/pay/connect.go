package pay

import (
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/stripe/stripe-go/v76"
)

// SellerAccount is a member's Stripe Connect account record, or nil.
func SellerAccount(app core.App, member string) *core.Record {
	r, err := app.FindFirstRecordByData("seller_accounts", "user", member)
	if err != nil {
		return nil
	}
	return r
}

// Onboard creates the member's Express account on first use and returns a
// fresh Stripe onboarding link for it (links are single-use and short-lived).
func Onboard(app core.App, member *core.Record) (string, error) {
	cfg := ConfigOf(app)
	if !cfg.Enabled() {
		return "", ErrDisabled
	}
	sc := cfg.Client()
	rec := SellerAccount(app, member.Id)
	if rec == nil {
		params := &stripe.AccountParams{
			Type:  stripe.String(string(stripe.AccountTypeExpress)),
			Email: stripe.String(member.Email()),
			Capabilities: &stripe.AccountCapabilitiesParams{
				CardPayments: &stripe.AccountCapabilitiesCardPaymentsParams{Requested: stripe.Bool(true)},
				Transfers:    &stripe.AccountCapabilitiesTransfersParams{Requested: stripe.Bool(true)},
			},
		}
		params.AddMetadata("plaza_member", member.Id)
		params.SetIdempotencyKey("account-" + member.Id)
		acct, err := sc.Accounts.New(params)
		if err != nil {
			return "", err
		}
		c, err := app.FindCachedCollectionByNameOrId("seller_accounts")
		if err != nil {
			return "", err
		}
		rec = core.NewRecord(c)
		rec.Set("user", member.Id)
		rec.Set("stripe_account", acct.ID)
		// Until Stripe says otherwise (account.updated), the account can't
		// take charges, whatever a test double answers here.
		if err := app.Save(rec); err != nil {
			return "", err
		}
	}
	base := strings.TrimRight(app.Settings().Meta.AppURL, "/")
	link, err := sc.AccountLinks.New(&stripe.AccountLinkParams{
		Account:    stripe.String(rec.GetString("stripe_account")),
		RefreshURL: stripe.String(base + "/market/seller?again=1"),
		ReturnURL:  stripe.String(base + "/market/seller?from=stripe"),
		Type:       stripe.String("account_onboarding"),
	})
	if err != nil {
		return "", err
	}
	return link.URL, nil
}
