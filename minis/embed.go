// Package minis embeds the built-in mini-programs (one folder each, with a
// manifest.json) and the SDK every mini loads (sdk/plaza.js).
package minis

import "embed"

// FS holds the built-ins and the SDK (never the Go sources or README).
//
//go:embed */*
var FS embed.FS
