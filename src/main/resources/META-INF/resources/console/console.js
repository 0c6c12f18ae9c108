// The web console: hash routes over the HTTP API; no build step, no dependency, nothing from a CDN.

import { listView } from './list.js';
import { detailsView } from './details.js';
import { createView } from './create.js';

let leave = () => {};

function route() {
  leave();
  const [path, queryString] = (location.hash.slice(1) || '/projects').split('?');
  const query = new URLSearchParams(queryString || '');
  const view = document.getElementById('view');
  const match = /^\/projects\/([0-9a-fA-F-]{36})$/.exec(path);
  let nav = 'list';
  document.title = 'Data Migration · Migration Plane';
  if (match) {
    leave = detailsView(view, match[1]);
  } else if (path === '/new') {
    nav = 'new';
    document.title = 'Create project · Migration Plane';
    leave = createView(view);
  } else {
    leave = listView(view, query);
  }
  document.querySelectorAll('[data-nav]').forEach((a) => {
    if (a.dataset.nav === nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
}

window.addEventListener('hashchange', route);
route();
