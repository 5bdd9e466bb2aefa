package seed

import (
	"math/rand/v2"

	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/market"
)

// listings gives one member in three something to sell: o.Listings each,
// priced in the organisation's currency, most with a photo or two, a few
// sold out, hidden or still drafts. Nothing is added once listings exist.
func listings(app core.App, rng *rand.Rand, ids []string, o Options) (int, error) {
	if o.Listings < 1 {
		return 0, nil
	}
	var existing int
	if err := app.DB().NewQuery("SELECT COUNT(*) FROM listings").Row(&existing); err != nil || existing > 0 {
		return 0, err
	}
	currency := market.OrgCurrency(app)
	created := 0
	for i, id := range ids {
		if i%3 != 0 {
			continue
		}
		for range o.Listings {
			w := wares[rng.IntN(len(wares))]
			n := market.NewListing{
				Seller: id, Title: w.title, Body: w.body, Currency: currency, Category: w.category,
				Price: (w.price + int64(rng.IntN(int(w.price)))) / 50 * 50, // round to 50 cents
				Stock: 1 + rng.IntN(3),
			}
			switch rng.IntN(10) {
			case 0:
				n.Stock = 0 // sold out
			case 1:
				n.Draft = true
			}
			if rng.IntN(3) != 0 {
				for p := range 1 + rng.IntN(3) {
					f, err := demoPhoto(rng, p)
					if err != nil {
						return created, err
					}
					n.Photos = append(n.Photos, f)
				}
			}
			l, err := market.CreateListing(app, n)
			if err != nil {
				return created, err
			}
			if rng.IntN(15) == 0 {
				l.Set("status", "hidden")
				if err := app.Save(l); err != nil {
					return created, err
				}
			}
			created++
		}
	}
	return created, nil
}

// ware is something a neighbour might sell; prices in minor units.
type ware struct {
	title, body, category string
	price                 int64
}

var wares = []ware{
	{"Road bike, 54 cm", "Serviced last month, new tyres. **Pick up only.**", "sports", 18000},
	{"Kids' scooter", "Folds flat. A few scratches, works perfectly.", "toys", 2500},
	{"Desk lamp", "Warm LED, dimmable. Like new.", "home", 1800},
	{"Box of novels", "About twenty paperbacks: crime, sci-fi and a few classics.", "books", 1500},
	{"Winter jacket (M)", "Warm and waterproof, worn one season.", "clothing", 4500},
	{"Sourdough loaves", "Baked every Saturday morning. Order by Friday!", "food", 600},
	{"Concert tickets ×2", "Saturday night, standing. Can't make it any more.", "tickets", 7000},
	{"Bike repairs", "Punctures, brakes, gears — I come to you.\n\n- flat fix: 10\n- full service: 40", "services", 1000},
	{"Bluetooth speaker", "Loud, 10-hour battery, charger included.", "electronics", 3000},
	{"Houseplants", "Pothos and spider plant cuttings in small pots.", "home", 500},
	{"Board game bundle", "Three family games, all pieces counted.", "toys", 3500},
	{"Yoga mat", "6 mm, barely used.", "sports", 1200},
	{"Old laptop", "Works, slow but fine for writing. Wiped and reinstalled.", "electronics", 9000},
	{"Homemade jam", "Strawberry and plum, 350 g jars.", "food", 450},
	{"Camping chairs", "Pair of folding chairs with cup holders.", "other", 2000},
}
