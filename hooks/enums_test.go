package hooks_test

import (
	"slices"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/market"
	"plaza/hooks/moderation"
	"plaza/hooks/notify"
	"plaza/hooks/testkit"
)

// The lists features offer (categories, report reasons, notification kinds)
// live in the features; the schema's select fields were made by migrations.
// They must agree, or a member could pick a value the database refuses.
func TestFeatureListsMatchTheSchema(t *testing.T) {
	s := testkit.Start(t)
	for _, c := range []struct {
		collection, field string
		feature           []string
	}{
		{"listings", "category", market.Categories},
		{"reports", "reason", moderation.Reasons},
		{"reports", "target_collection", moderation.Targets},
		{"notifications", "kind", notify.Kinds},
	} {
		col, err := s.App.FindCollectionByNameOrId(c.collection)
		if err != nil {
			t.Fatal(err)
		}
		f, ok := col.Fields.GetByName(c.field).(*core.SelectField)
		if !ok {
			t.Fatalf("%s.%s is not a select field", c.collection, c.field)
		}
		if !slices.Equal(slices.Sorted(slices.Values(f.Values)), slices.Sorted(slices.Values(c.feature))) {
			t.Errorf("%s.%s holds %v; the feature offers %v: add a migration", c.collection, c.field, f.Values, c.feature)
		}
	}
}
