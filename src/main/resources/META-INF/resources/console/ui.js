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

/** Shows a readable message at the top; errors stay until dismissed, information fades. */
export function notify(message, kind = 'info') {
  const box = document.getElementById('notice');
  clearTimeout(noticeTimer);
  box.replaceChildren(h('span', { 'data-kind': kind }, message),
    h('button.close', { type: 'button', 'aria-label': 'Dismiss', onclick: () => { box.hidden = true; } }, '×'));
  box.className = 'notice ' + kind;
  box.hidden = false;
  if (kind === 'info') noticeTimer = setTimeout(() => { box.hidden = true; }, 6000);
}

export function clearNotice() {
  document.getElementById('notice').hidden = true;
}

// --- Dialog ----------------------------------------------------------------------------------

/**
 * One modal at a time (the native dialog: focus kept inside, Esc cancels). OK stays disabled
 * while ready() is false; a failed onOk shows its message inside the dialog and keeps it open.
 */
export function openDialog({ title, body, okLabel = 'OK', danger = false, ready = () => true, onOk }) {
  const dialog = document.getElementById('confirm-dialog');
  const ok = document.getElementById('confirm-ok');
  const error = document.getElementById('confirm-error');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-body').replaceChildren(...[].concat(body));
  error.hidden = true;
  ok.textContent = okLabel;
  ok.className = danger ? 'danger' : '';
  const refresh = () => { ok.disabled = !ready(); };
  refresh();
  dialog.oninput = refresh;
  dialog.querySelector('[data-close]').onclick = () => dialog.close('cancel');
  dialog.querySelector('form').onsubmit = async (event) => {
    event.preventDefault();
    if (!ready() || ok.dataset.busy) return;
    ok.dataset.busy = 'true';
    ok.disabled = true;
    try {
      await onOk();
      dialog.close('ok');
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
    } finally {
      delete ok.dataset.busy;
      refresh();
    }
  };
  dialog.showModal();
  const first = dialog.querySelector('#confirm-body input');
  (first || ok).focus();
  return dialog;
}

export function dialogOpen() {
  return document.getElementById('confirm-dialog').open;
}

// --- More menu -------------------------------------------------------------------------------

let openMenu = null;

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

export function menuOpen() {
  return openMenu !== null;
}

/**
 * A "More" button with a menu of items {label, action, disabledReason, showReason, run}. A disabled
 * item stays focusable and says why in its tooltip, and in its own text too when showReason is set.
 */
export function moreMenu(items, label) {
  const list = h('ul.menu-list', { role: 'menu', hidden: true });
  const button = h('button.secondary.more', { type: 'button', 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-label': label }, 'More ▾');
  const root = h('div.menu', {}, button, list);
  for (const item of items) {
    const entry = h('button', {
      type: 'button', role: 'menuitem', 'data-action': item.action,
      'aria-disabled': item.disabledReason ? 'true' : 'false', title: item.disabledReason || undefined,
      onclick: () => {
        if (item.disabledReason) return;
        closeMenu(false);
        item.run();
      },
    }, item.label, item.showReason && item.disabledReason ? h('span.menu-reason', {}, item.disabledReason) : null);
    list.append(h('li', { role: 'none' }, entry));
  }
  button.addEventListener('click', () => {
    const opening = list.hidden;
    closeMenu(false);
    if (opening) {
      list.hidden = false;
      button.setAttribute('aria-expanded', 'true');
      openMenu = { root, list, button };
      list.querySelector('button').focus();
    }
  });
  list.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const entries = [...list.querySelectorAll('button')];
    const at = entries.indexOf(document.activeElement);
    entries[(at + (event.key === 'ArrowDown' ? 1 : entries.length - 1)) % entries.length].focus();
  });
  return root;
}
