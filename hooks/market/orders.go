package market

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

func bindOrders(pages *router.RouterGroup[*core.RequestEvent]) {
}
