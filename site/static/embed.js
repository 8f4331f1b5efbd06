// embed.js defines <featuremap-demo model="alexmnist"></featuremap-demo>:
// a drawing pad that classifies digits with the featuremap engine. Load it
// with one tag from wherever the site is served, this origin or another
// (the site's files carry CORS headers); every file it needs (ui.js, the
// engine, the models, its stylesheet) is resolved against this file's URL:
//
//   <script type="module" src="https://example.org/featuremap/embed.js"></script>
//   <featuremap-demo model="seednet"></featuremap-demo>
//
// Until the element comes near the viewport (or is clicked, touched or
// focused) it is a static placeholder of a few hundred bytes: nothing else
// is downloaded. loading="eager" starts at once. If the engine cannot
// start, the element says why and data-state becomes "error".

const stylesheet = new URL('fm.css', import.meta.url).href;
// How far outside the viewport a widget starts loading.
const NEAR = '300px';

// addStylesheet links fm.css (the widget's styles, all under .fm-*) once (a <link> to a file, which a strict
// style-src 'self' allows, unlike inline styles).
function addStylesheet() {
  if (![...document.styleSheets].some((s) => s.href === stylesheet) &&
      !document.querySelector(`link[rel=stylesheet][href="${stylesheet}"]`)) {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = stylesheet;
    document.head.append(link);
  }
}

// near watches widgets and starts each one when it comes within NEAR of
// the viewport.
const near = typeof IntersectionObserver === 'function'
  ? new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (e.isIntersecting) {
        e.target.start();
      }
    }
  }, { rootMargin: NEAR })
  : null;

// INTERACTIONS start a widget that is still a placeholder.
const INTERACTIONS = ['pointerdown', 'focusin', 'keydown'];

class FeatureMapDemo extends HTMLElement {
  connectedCallback() {
    if (this.dataset.state) {
      return; // set up already (the element was moved)
    }
    this.dataset.state = 'idle';
    addStylesheet();
    this.placeholder();
    if (this.getAttribute('loading') === 'eager' || near === null) {
      this.start();
      return;
    }
    this.onInteract = () => this.start();
    for (const type of INTERACTIONS) {
      this.addEventListener(type, this.onInteract);
    }
    near.observe(this);
  }

  // placeholder shows what the widget is before its engine loads: a
  // button that starts it (and the page's own fallback content, if any).
  placeholder() {
    this.classList.add('fm-placeholder');
    const p = document.createElement('p');
    p.className = 'fm-loading';
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'fm-button';
    button.textContent = 'Start the digit classifier';
    p.append(`A CNN that reads handwritten digits (${this.model()} model). `, button);
    this.prepend(p);
  }

  model() {
    return this.getAttribute('model') ?? 'alexmnist';
  }

  // start loads ui.js, the engine and the model, once.
  async start() {
    if (this.dataset.state !== 'idle') {
      return;
    }
    near?.unobserve(this);
    for (const type of INTERACTIONS) {
      this.removeEventListener(type, this.onInteract);
    }
    this.dataset.state = 'loading';
    const status = this.querySelector('.fm-loading');
    if (status) {
      status.textContent = 'Loading the digit classifier…';
    }
    try {
      const { mount } = await import('./ui.js');
      this.classList.remove('fm-placeholder');
      await mount('widget', this, { model: this.model() });
    } catch (err) {
      this.classList.remove('fm-placeholder');
      this.dataset.state = 'error';
      const p = document.createElement('p');
      p.className = 'fm-error';
      p.setAttribute('role', 'alert');
      p.textContent = `The digit classifier could not start: ${err.message}`;
      this.replaceChildren(p);
      console.error(err);
    }
  }
}

if (!customElements.get('featuremap-demo')) {
  customElements.define('featuremap-demo', FeatureMapDemo);
}
