// Package assets holds the files bundled into the binary: the app icon.
// It imports only the standard library so every layer may use it.
package assets

import _ "embed"

// IconPNG is Tandem's 512×512 application icon.
//
//go:embed icon.png
var IconPNG []byte
