// The web console: hash routes over the HTTP API; no build step, no dependency, nothing from a CDN.

import { listView } from './list.js';
import { detailsView } from './details.js';
import { createView, editView } from './form.js';
import { api, session } from './api.js';
import { clearNoticeFrom, h, notify, openDialog } from './ui.js';

/** What the service says about access control and the caller: {accessControl, user, roles}, or null before it answered. */
let who = null;

/** Access control on: paste a bearer token (from your OIDC provider; dev/token.sh in development). */
function signInDialog() {
  const input = h('textarea', { id: 'token', rows: 4, spellcheck: 'false', 'aria-label': 'Bearer token', placeholder: 'eyJhbGciOi…' });
  openDialog({
    title: 'Sign in',
    body: [h('p', {}, 'Paste an access token (JWT) from your identity provider. It is kept in this browser tab only.'),
      h('label.confirm-input', {}, h('span', {}, 'Bearer token'), input)],
    okLabel: 'Sign in',
    busyLabel: 'Checking…',
    ready: () => input.value.trim().length > 0,
    onOk: async () => {
      const previous = session.token();
      session.signIn(input.value);
      try {
        // The service checks the token: one it cannot verify is refused here, not on the next click.
        who = await api.session();
        if (who.accessControl && !who.user) throw new Error('The service did not take this token as a user. Paste an access token.');
      } catch (e) {
        if (previous) session.signIn(previous); else session.signOut();
        throw e;
      }
      clearNoticeFrom('auth');
      renderAccount();
      route();
    },
  });
}

function roles(list) {
  const shown = ['admin', 'operator', 'viewer'].find((r) => (list || []).includes(r));
  return shown ? ` (${shown})` : ' (no role)';
}

function renderAccount() {
  const box = document.getElementById('account');
  if (who && !who.accessControl) {
    box.replaceChildren(h('span', { id: 'access-off' }, 'Access control is off: everyone has every role'));
    return;
  }
  if (!who && !session.token()) {
    // Not known yet whether there is anything to sign in to (the service answers in a moment).
    box.replaceChildren();
    return;
  }
  // The service's word once it answered; until then (or if it cannot say) what the token itself says.
  const user = who ? who.user : session.user();
  box.replaceChildren(...(user
    ? [h('span', { id: 'signed-in-as' }, `Signed in as ${user}${who ? roles(who.roles) : ''}`),
      h('button', { type: 'button', id: 'sign-out', onclick: signOut }, 'Sign out')]
    : [h('button', { type: 'button', id: 'sign-in', onclick: signInDialog }, 'Sign in')]));
}

function signOut() {
  session.signOut();
  who = who ? { accessControl: who.accessControl, user: null, roles: [] } : null;
  renderAccount();
  route();
}

/** Asks the service who we are; a stored token it no longer accepts is dropped with a sentence. */
async function loadSession() {
  try {
    who = await api.session();
  } catch (e) {
    if (e.status === 401 && session.token()) {
      session.signOut();
      notify('Your token is no longer accepted (it may have expired). Sign in again.', 'error', { source: 'auth' });
      try { who = await api.session(); } catch (again) { who = null; }
    } else {
      who = null;
    }
  }
  if (who && !who.accessControl) session.signOut(); // a token would mean nothing here
  renderAccount();
}

let leave = () => {};

function route() {
  leave();
  const [path, queryString] = (location.hash.slice(1) || '/projects').split('?');
  const query = new URLSearchParams(queryString || '');
  const view = document.getElementById('view');
  const match = /^\/projects\/([0-9a-fA-F-]{36})(\/edit)?$/.exec(path);
  let nav = 'list';
  document.title = 'Data Migration · Migration Plane';
  if (match && match[2]) {
    leave = editView(view, match[1]);
  } else if (match) {
    leave = detailsView(view, match[1]);
  } else if (path === '/new') {
    nav = 'new';
    document.title = 'Create project · Migration Plane';
    leave = createView(view, query);
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
loadSession();
