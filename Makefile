# Plaza — one binary, one SQLite file. `make run` serves it, `make test` runs what CI runs.
GO    ?= go
TEMPL := $(GO) tool templ
ADDR  ?= 127.0.0.1:8090
DATA  ?= pb_data

STRIPE_MOCK := $(CURDIR)/.bin/stripe-mock
export STRIPE_MOCK

.PHONY: run build generate check-generated lint unit e2e test bench clean stripe-mock

## run: generate templates, then serve on $(ADDR) with the data dir ./$(DATA)
run: generate
	$(GO) run . serve --http $(ADDR) --dir $(DATA) --dev=false

## build: a stripped, static binary ./plaza
build: generate
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o plaza .

## generate: templ → Go
generate:
	$(TEMPL) generate -path templates

## check-generated: fail when the committed *_templ.go files are stale
check-generated: generate
	@git diff --exit-code --stat -- templates || { echo "generated templ files are stale: run 'make generate' and commit"; exit 1; }
	@test -z "$$(git ls-files --others --exclude-standard -- templates)" || { echo "uncommitted generated files in templates/"; exit 1; }

## lint: gofmt and go vet (including the browser tests)
lint:
	@out=$$(git ls-files '*.go' | grep -v '_templ.go$$' | xargs gofmt -l); test -z "$$out" || { echo "gofmt needed:"; echo "$$out"; exit 1; }
	$(GO) vet ./...
	$(GO) vet -tags e2e ./e2e/

## stripe-mock: the real Stripe API mock the payment tests run against, pinned
## to the version that matches stripe-go's API version (installed into .bin/)
stripe-mock: $(STRIPE_MOCK)
$(STRIPE_MOCK):
	GOBIN=$(CURDIR)/.bin $(GO) install github.com/stripe/stripe-mock@v0.183.0

## unit: scenario tests through HTTP, with the race detector
unit: stripe-mock
	$(GO) test -race -count=1 -timeout 20m ./...

## e2e: browser journeys in headless Chromium (CHROMIUM=/path overrides /usr/bin/chromium)
e2e: stripe-mock
	$(GO) test -tags e2e -count=1 ./e2e/

## test: everything CI runs
test: check-generated lint unit e2e

## bench: load and latency benchmarks
bench:
	$(GO) run ./bench

clean:
	rm -rf plaza e2e/screenshots .bin
