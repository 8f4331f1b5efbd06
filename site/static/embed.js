// embed.js defines <featuremap-demo model="alexmnist"></featuremap-demo>:
// a drawing pad that classifies digits with the featuremap engine. Load it
// with one tag from wherever the site is served; every file it needs (the
// engine, app.wasm, the models, its stylesheet) is resolved against this
// file's URL, so it works from any path:
//
//   <script type="module" src="https://example.org/featuremap/embed.js"></script>
//   <featuremap-demo model="seednet"></featuremap-demo>
import { mount } from './ui.js';

const stylesheet = new URL('fm.css', import.meta.url).href;

// addStylesheet links fm.css (the widget's styles, all under .fm-*) once (a <link> to a file, which a strict
// style-src 'self' allows, unlike inline styles).
function addStylesheet() {
  if (![...document.styleSheets].some((s) => s.href === stylesheet)) {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = stylesheet;
    document.head.append(link);
  }
}

class FeatureMapDemo extends HTMLElement {
  connectedCallback() {
    if (this.dataset.state) {
      return; // mounted already (the element was moved)
    }
    this.dataset.state = 'loading';
    addStylesheet();
    mount('widget', this, { model: this.getAttribute('model') ?? 'alexmnist' }).catch((err) => {
      this.dataset.state = 'error';
      this.textContent = `featuremap could not start: ${err.message}`;
      console.error(err);
    });
  }
}

if (!customElements.get('featuremap-demo')) {
  customElements.define('featuremap-demo', FeatureMapDemo);
}
