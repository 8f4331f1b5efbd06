// boot.js starts a page of the site: it mounts the part named by
// <body data-page="…"> into the element #app, and reports a failure to
// load in the page's status line.
import { mount } from './ui.js';

const root = document.getElementById('app');
try {
  await mount(document.body.dataset.page, root);
} catch (err) {
  root.dataset.state = 'error';
  const p = document.createElement('p');
  p.className = 'fm-error';
  p.textContent = `The demo could not start: ${err.message}`;
  root.prepend(p);
  console.error(err);
}
