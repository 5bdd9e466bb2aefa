package templates

// OrderVM is an order as its buyer, its seller or an admin sees it.
type OrderVM struct {
	ID         string
	Title      string
	ListingURL string // "" when the listing is gone
	Photo      string // a thumbnail URL, or ""
	Quantity   int
	UnitPrice  string // formatted money
	Amount     string
	Fee        string // the organisation's fee on a Connect sale, or ""
	Status     string // pending, paid, fulfilled, canceled, refunded, expired
	Buyer      Person
	Seller     Person
	IsBuyer    bool
	IsSeller   bool
	At         string // ISO time it was placed
	Updated    string // ISO time of the last change
	Problem    string // the last payment problem, for the buyer
	Refunding  bool   // a refund was asked of Stripe and not yet confirmed
	Processing bool   // pending: the buyer paid at Checkout, the bank still has to confirm

	CanPay, CanCancel, CanFulfil, CanRefund, CanContact bool
}

// StatusLabel is the order's status in words.
func (o OrderVM) StatusLabel() string {
	switch o.Status {
	case "pending":
		if o.Processing {
			return "Payment processing"
		}
		if o.IsSeller && !o.IsBuyer {
			return "Reserved, awaiting payment"
		}
		return "Awaiting payment"
	case "paid":
		if o.Refunding {
			return "Refund requested"
		}
		if o.IsSeller {
			return "Paid: send it"
		}
		return "Paid"
	case "fulfilled":
		if o.Refunding {
			return "Refund requested"
		}
		return "Sent"
	case "canceled":
		return "Canceled"
	case "refunded":
		return "Refunded"
	case "expired":
		return "Expired"
	}
	return o.Status
}

// statusKind picks the pill's colour.
func (o OrderVM) statusKind() string {
	switch o.Status {
	case "paid", "fulfilled":
		return "status-pill--ok"
	case "pending":
		return "status-pill--warn"
	}
	return ""
}

// OrdersVM is /orders: the member's purchases or sales.
type OrdersVM struct {
	Chrome
	View   string // purchases or sales
	Orders []OrderVM
	Older  string // the next page's URL, or ""
	// On sales: what the seller's unpaid orders hold.
	ReservedItems, ReservedOrders int
}

// OrderPageVM is one order.
type OrderPageVM struct {
	Chrome
	Order    OrderVM
	Checkout string // "done" back from paying, "back" back without paying, or ""
	Errors   FormErrors
}

// GettingPaidVM is /market/seller: getting paid through the member's own Stripe account.
type GettingPaidVM struct {
	Chrome
	Payments  bool   // Stripe is configured
	Connect   bool   // the organisation lets members connect their own accounts
	Fee       string // the organisation's fee, e.g. "5%"
	Account   bool   // the member has started onboarding
	Charges   bool   // Stripe lets the account take payments
	Payouts   bool
	Submitted bool
	Again     bool // the onboarding link expired: start again
	Errors    FormErrors
}
