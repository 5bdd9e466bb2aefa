package market

import (
	"net/http"
	"strconv"

	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/pay"
	"plaza/hooks/web"
	"plaza/templates"
)

// showGettingPaid is GET /market/seller: how the member is paid for sales, and
// Stripe Connect onboarding when the organisation allows it.
func showGettingPaid(e *core.RequestEvent) error {
	return renderGettingPaid(e, http.StatusOK, nil)
}

func renderGettingPaid(e *core.RequestEvent, status int, errs templates.FormErrors) error {
	vm := templates.GettingPaidVM{Payments: pay.Enabled(e.App), Errors: errs, Again: e.Request.URL.Query().Get("again") != ""}
	if org, err := e.App.FindFirstRecordByFilter("org_settings", ""); err == nil {
		vm.Connect = org.GetBool("market_connect")
		vm.Fee = strconv.FormatFloat(org.GetFloat("market_fee_percent"), 'f', -1, 64) + "%"
	}
	if acct := pay.SellerAccount(e.App, e.Auth.Id); acct != nil {
		vm.Account = true
		vm.Charges, vm.Payouts, vm.Submitted = acct.GetBool("charges_enabled"), acct.GetBool("payouts_enabled"), acct.GetBool("details_submitted")
	}
	vm.Chrome = web.Chrome(e, "market")
	return web.Render(e, status, templates.GettingPaidPage(vm))
}

// connectStripe is POST /market/seller/connect: off to Stripe's onboarding.
func connectStripe(e *core.RequestEvent) error {
	var errs templates.FormErrors
	org, err := e.App.FindFirstRecordByFilter("org_settings", "")
	if err != nil || !org.GetBool("market_connect") || !pay.Enabled(e.App) {
		errs.Add("", "Stripe", "This Plaza doesn't let members connect their own Stripe accounts.")
		return renderGettingPaid(e, http.StatusConflict, errs)
	}
	link, err := pay.Onboard(e.App, e.Auth)
	if err != nil {
		errs.Add("", "Stripe", pay.Explain(err))
		return renderGettingPaid(e, http.StatusBadGateway, errs)
	}
	return e.Redirect(http.StatusSeeOther, link)
}
