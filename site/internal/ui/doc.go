// Package ui holds the site's pure logic, kept apart from syscall/js so that
// it is tested natively: feature-map tiling and colouring, number formats
// and filter-bank sizes. The browser side lives in site/app.
package ui
