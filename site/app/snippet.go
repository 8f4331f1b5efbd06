//go:build js && wasm

package main

import (
	"syscall/js"

	"honnef.co/go/js/dom/v2"
)

// snippet fills the embed page's copy-paste snippet with embed.js's
// absolute URL and makes its Copy button work.
func snippet(s site, root *dom.BasicHTMLElement) {
	code := query(root, `[data-fm="snippet"]`)
	copied := query(root, `[data-fm="copied"]`)
	setText(code, `<script type="module" src="`+s.base+`embed.js"></script>`+"\n"+
		`<featuremap-demo model="alexmnist"></featuremap-demo>`)
	on(query(root, `[data-fm="copy"]`), "click", func(js.Value) {
		clip := js.Global().Get("navigator").Get("clipboard")
		if clip.IsUndefined() {
			setText(copied, "Select the text and copy it (no clipboard access here)")
			return
		}
		if _, err := await(clip.Call("writeText", code.TextContent())); err != nil {
			setText(copied, "Could not copy: "+err.Error())
			return
		}
		setText(copied, "Copied")
	})
	setState(root, "ready")
}
