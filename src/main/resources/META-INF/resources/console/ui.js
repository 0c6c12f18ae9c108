// Small DOM helpers shared by the views: elements without innerHTML, notices, dialogs, menus.

/** h('a.button', {href: '#'}, 'text', child…): an element; text is always set as text, never parsed. */
export function h(tag, attrs, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name);
  if (classes.length) el.className = classes.join(' ');
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'value') el.value = value;
    else if (key === 'checked') el.checked = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function formatTime(iso) {
  return iso ? new Date(iso).toLocaleString() : '—';
}

export function formatNumber(n) {
  return n === null || n === undefined ? '—' : Number(n).toLocaleString();
}

/** A timestamp as text, its ISO value kept in datetime (for tests and assistive technology). */
export function time(iso) {
  return iso ? h('time', { datetime: iso }, formatTime(iso)) : '—';
}

const ALERTS = { LATENCY_HIGH: 'Latency high', STALLED: 'Stalled', FAILED: 'Failed' };

/** One active alert: its name in words and since when (never colour alone); the service's sentence as its tooltip. */
export function alertBadge(alert) {
  const label = ALERTS[alert.type] || String(alert.type).replaceAll('_', ' ').toLowerCase();
  return h('span.alert-badge', { 'data-alert': alert.type, title: alert.detail || undefined },
    h('span', { 'aria-hidden': 'true' }, '⚠ '), `Alert: ${label} since `, time(alert.since));
}

export function badge(status) {
  return h('span.badge.' + status, { 'data-status': status }, status.replace('_', ' '));
}

export function bar(percent, kind, label) {
  const pct = Math.max(0, Math.min(100, Math.floor(percent)));
  return h('div.progress', { role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': pct, 'aria-label': label },
    h('div.bar' + (kind ? '.' + kind : ''), {}, h('span', { style: `width:${pct}%` })),
    h('span.pct', {}, pct + '%'));
}

// --- Notices --------------------------------------------------------------------------------

let noticeTimer;
let noticeState = null;

/**
 * Shows a readable message at the top; errors and warnings stay until dismissed, information fades.
 * options.project + options.until: the notice is about that project and ends (replaced by options.then)
 * once a view shows the project in one of those statuses: a "release requested" never stays beside RELEASED.
 * options.source: who raised it ('load' for a failed refresh), so that whoever fixes it can clear it.
 */
export function notify(message, kind = 'info', options = {}) {
  const box = document.getElementById('notice');
  clearTimeout(noticeTimer);
  box.replaceChildren(h('span', { 'data-kind': kind }, message),
    h('button.close', { type: 'button', 'aria-label': 'Dismiss this message', onclick: () => { box.hidden = true; noticeState = null; } }, '×'));
  box.className = 'notice ' + kind;
  box.dataset.kind = kind;
  box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  box.hidden = false;
  noticeState = { ...options, kind };
  if (kind === 'info' && !options.until) noticeTimer = setTimeout(clearNotice, 6000);
}

export function clearNotice() {
  document.getElementById('notice').hidden = true;
  noticeState = null;
}

/** Clears the notice a source raised (a failed refresh, once one succeeds; an auth error, once signed in). */
export function clearNoticeFrom(source) {
  if (noticeState && noticeState.source === source) clearNotice();
}

/** Called by the views with what they show: a notice waiting for one of these projects' statuses ends. */
export function settleNotices(projects) {
  if (!noticeState || !noticeState.project) return;
  const p = projects.find((x) => x && x.id === noticeState.project);
  if (!p || !noticeState.until.includes(p.status)) return;
  const then = noticeState.then;
  clearNotice();
  if (then) notify(then(p), 'info');
}

// --- Dialog ----------------------------------------------------------------------------------

/**
 * Redraws with fill() and keeps the focus where it was: on the redrawn twin of the focused element
 * (same data-focus-key), so that a live refresh never drops a keyboard user back to the page's start.
 */
export function keepingFocus(fill) {
  const focused = document.activeElement;
  const key = focused && focused.dataset && focused.dataset.focusKey;
  fill();
  if (key && !focused.isConnected) {
    const twin = document.querySelector(`[data-focus-key="${CSS.escape(key)}"]`);
    if (twin) twin.focus();
  }
}

/** Where focus goes back when a dialog closes: the element that opened it, or its redrawn twin. */
export function focusBack(opener) {
  if (!opener) return;
  if (opener.isConnected) { opener.focus(); return; }
  const key = opener.dataset && opener.dataset.focusKey;
  const twin = key && document.querySelector(`[data-focus-key="${CSS.escape(key)}"]`);
  if (twin) twin.focus();
  else document.getElementById('view').focus();
}

/**
 * One modal at a time (the native dialog: focus kept inside, Esc cancels). OK stays disabled
 * while ready() is false; a failed onOk shows its message inside the dialog and keeps it open.
 * A danger dialog never puts the focus on OK (Enter must not confirm it): the first input, else Cancel.
 * Without onOk the dialog only informs: its one button closes it. Focus returns to the opener on close.
 */
export function openDialog({ title, body, okLabel = 'OK', busyLabel, danger = false, ready = () => true, onOk, cancelLabel = 'Cancel' }) {
  const dialog = document.getElementById('confirm-dialog');
  const ok = document.getElementById('confirm-ok');
  const cancel = dialog.querySelector('[data-close]');
  const error = document.getElementById('confirm-error');
  const opener = document.activeElement;
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-body').replaceChildren(...[].concat(body).filter((x) => x !== null && x !== undefined));
  error.hidden = true;
  ok.textContent = okLabel;
  ok.className = danger ? 'danger' : '';
  ok.hidden = !onOk;
  cancel.textContent = onOk ? cancelLabel : 'Close';
  dialog.removeAttribute('aria-busy');
  const refresh = () => { ok.disabled = !ready(); };
  refresh();
  dialog.oninput = refresh;
  cancel.onclick = () => dialog.close('cancel');
  dialog.onclose = () => { dialog.onclose = null; focusBack(opener); };
  dialog.querySelector('form').onsubmit = async (event) => {
    event.preventDefault();
    if (!onOk || !ready() || ok.dataset.busy) return;
    ok.dataset.busy = 'true';
    ok.disabled = true;
    dialog.setAttribute('aria-busy', 'true');
    ok.textContent = busyLabel || 'Working…';
    error.hidden = true;
    try {
      await onOk();
      dialog.close('ok');
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
    } finally {
      delete ok.dataset.busy;
      dialog.removeAttribute('aria-busy');
      ok.textContent = okLabel;
      refresh();
    }
  };
  dialog.showModal();
  const first = dialog.querySelector('#confirm-body input:not([type=hidden]):not([disabled]), #confirm-body textarea');
  (first || (danger || !onOk ? cancel : ok)).focus();
  return dialog;
}

export function dialogOpen() {
  return document.getElementById('confirm-dialog').open;
}

// --- More menu (WAI-ARIA menu button) --------------------------------------------------------

let openMenu = null;
let menuCount = 0;

function closeMenu(focusButton) {
  if (!openMenu) return;
  openMenu.list.hidden = true;
  openMenu.button.setAttribute('aria-expanded', 'false');
  if (focusButton) openMenu.button.focus();
  openMenu = null;
}

document.addEventListener('click', (event) => {
  if (openMenu && !openMenu.root.contains(event.target)) closeMenu(false);
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && openMenu) closeMenu(true);
});
// Focus leaving the menu (Tab, a click elsewhere) closes it.
document.addEventListener('focusin', (event) => {
  if (openMenu && !openMenu.root.contains(event.target)) closeMenu(false);
});

export function menuOpen() {
  return openMenu !== null;
}

/**
 * A "More" button with a menu of items {label, action, disabledReason, run}. A disabled item stays
 * focusable (so that it can be read) and says why in visible text under its label. focusKey names the
 * button across redraws (focus returns to it after a dialog). Arrows, Home and End move; Esc and Tab close.
 */
export function moreMenu(items, label, focusKey) {
  const n = ++menuCount;
  const list = h('ul.menu-list', { role: 'menu', id: `menu-${n}`, 'aria-labelledby': `menu-button-${n}`, hidden: true });
  const button = h('button.secondary.more', {
    type: 'button', id: `menu-button-${n}`, 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-controls': `menu-${n}`,
    'aria-label': label, dataset: focusKey ? { focusKey } : undefined,
  }, 'More ▾');
  const root = h('div.menu', {}, button, list);
  for (const item of items) {
    const reasonId = item.disabledReason ? `menu-${n}-${item.action}-why` : undefined;
    const entry = h('button', {
      type: 'button', role: 'menuitem', tabindex: '-1', 'data-action': item.action,
      'aria-disabled': item.disabledReason ? 'true' : 'false', 'aria-describedby': reasonId,
      onclick: () => {
        if (item.disabledReason) return;
        closeMenu(true);
        item.run();
      },
    }, h('span.menu-label', {}, item.label), item.disabledReason ? h('span.menu-reason', { id: reasonId }, item.disabledReason) : null);
    list.append(h('li', { role: 'none' }, entry));
  }
  const entries = () => [...list.querySelectorAll('[role=menuitem]')];
  const open = (at) => {
    closeMenu(false);
    list.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    openMenu = { root, list, button };
    const all = entries();
    all[at === 'last' ? all.length - 1 : 0].focus();
  };
  button.addEventListener('click', () => { if (list.hidden) open('first'); else closeMenu(true); });
  button.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      open(event.key === 'ArrowUp' ? 'last' : 'first');
    }
  });
  list.addEventListener('keydown', (event) => {
    const all = entries();
    const at = all.indexOf(document.activeElement);
    let next = null;
    if (event.key === 'ArrowDown') next = (at + 1) % all.length;
    else if (event.key === 'ArrowUp') next = (at + all.length - 1) % all.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = all.length - 1;
    else if (event.key === 'Tab') { closeMenu(false); return; }
    if (next === null) return;
    event.preventDefault();
    all[next].focus();
  });
  return root;
}
