// Package e2e holds Plaza's browser journeys: chromedp drives a headless
// Chromium through real pages of an in-process Plaza, as a member would.
// They run only with the e2e build tag:
//
//	go test -tags e2e -count=1 ./e2e/
//
// Chromium is taken from $CHROMIUM, else /usr/bin/chromium; without it the
// journeys fail rather than skip.
package e2e
