// The web console: hash routes over the HTTP API; no build step, no dependency, nothing from a CDN.

import { listView } from './list.js';
import { detailsView } from './details.js';
import { createView } from './create.js';
import { api, session } from './api.js';
import { h, openDialog } from './ui.js';

/** Access control on: paste a bearer token (from your OIDC provider; dev/token.sh in development). */
function signInDialog() {
  const input = h('textarea', { id: 'token', rows: 4, spellcheck: 'false', 'aria-label': 'Bearer token', placeholder: 'eyJhbGciOi…' });
  openDialog({
    title: 'Sign in',
    body: [h('p', {}, 'Paste an access token (JWT) from your identity provider. It is kept in this browser tab only.'),
      h('label.confirm-input', {}, h('span', {}, 'Bearer token'), input)],
    okLabel: 'Sign in',
    ready: () => input.value.trim().length > 0,
    onOk: async () => {
      const previous = session.token();
      session.signIn(input.value);
      try {
        await api.list(new URLSearchParams({ size: 1 }));
      } catch (e) {
        if (previous) session.signIn(previous); else session.signOut();
        throw e;
      }
      renderAccount();
      route();
    },
  });
}

function renderAccount() {
  const box = document.getElementById('account');
  const user = session.user();
  box.replaceChildren(...(user
    ? [h('span', { id: 'signed-in-as' }, `Signed in as ${user}`),
      h('button', { type: 'button', id: 'sign-out', onclick: () => { session.signOut(); renderAccount(); route(); } }, 'Sign out')]
    : [h('button', { type: 'button', id: 'sign-in', onclick: signInDialog }, 'Sign in')]));
}

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
renderAccount();
route();
