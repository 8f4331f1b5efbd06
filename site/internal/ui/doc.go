// Package ui holds the site's pure logic, kept apart from syscall/js so that
// it is tested natively: feature-map tiling and colouring, number formats,
// and recovering a convolution's filter from its impulse response. The
// browser side lives in site/app.
package ui
