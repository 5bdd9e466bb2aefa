// Package minis embeds the built-in mini-programs (one folder each, with a
// manifest.json) and the SDK every mini loads (sdk/plaza.js, with the
// optional kit sdk/kit.js and stylesheet sdk/plaza.css).
package minis

import "embed"

// FS holds the built-ins and the SDK (never the Go sources or README).
//
//go:embed */*
var FS embed.FS
