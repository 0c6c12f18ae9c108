// The Data Migration list: filters, paging, sorting, batch actions, per-row More menu and Delete.

import { api } from './api.js';
import { ACTIONS, busyLabel, deleteButton, projectMenu, restoreButton, runBatch } from './actions.js';
import { alertBadge, badge, bar, clearNoticeFrom, dialogOpen, formatTime, h, keepingFocus, menuOpen, notify, settleNotices, time } from './ui.js';

const STATUSES = ['NOT_STARTED', 'RUNNING', 'PAUSED', 'FAILED', 'COMPLETED', 'RELEASING', 'RELEASED', 'DELETED'];
const SORTS = [['-createdAt', 'Newest first'], ['createdAt', 'Oldest first'], ['name', 'Name A–Z'], ['-name', 'Name Z–A'], ['-updatedAt', 'Recently changed']];
const POLL_MS = 2000;

/** Overall progress of a row: the full migration's rows, else the incremental step's state. */
function rowProgress(project, progress) {
  if (!progress) return project.status === 'NOT_STARTED' ? bar(0, null, `${project.name} progress`) : h('span.muted', {}, '—');
  const full = progress.fullMigration;
  if (full && full.rowsTotal > 0) {
    const kind = project.status === 'FAILED' ? 'FAILED' : project.status === 'COMPLETED' ? 'COMPLETED' : null;
    return bar(100 * full.rowsMigrated / full.rowsTotal, kind, `${project.name} progress`);
  }
  const sync = progress.incrementalSync;
  return h('span.muted', {}, sync ? `Incremental: ${sync.status}` : '—');
}

export function listView(root, query) {
  const state = {
    status: query.get('status') || '',
    q: query.get('q') || '',
    alerting: query.get('alerting') === 'true',
    deleted: query.get('deleted') === 'true',
    sort: query.get('sort') || '-createdAt',
    // The address counts pages from 1, as people do; the API from 0.
    page: Math.max(0, (Number.parseInt(query.get('page'), 10) || 1) - 1),
    size: Number(query.get('size') || 20),
    selected: new Set(),
    projects: new Map(),
  };
  let timer = null;
  let stopped = false;
  let generation = 0;

  const statusSelect = h('select', { id: 'filter-status', onchange: () => { state.status = statusSelect.value; reset(); } },
    h('option', { value: '' }, 'All statuses'),
    STATUSES.map((s) => h('option', { value: s }, s.replace('_', ' '))));
  statusSelect.value = state.status;
  const search = h('input', { id: 'filter-q', type: 'search', placeholder: 'Project name', value: state.q });
  let debounce;
  search.addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => { state.q = search.value.trim(); reset(); }, 250);
  });
  const alertingBox = h('input', { type: 'checkbox', id: 'filter-alerting', checked: state.alerting,
    onchange: () => { state.alerting = alertingBox.checked; reset(); } });
  const deletedBox = h('input', { type: 'checkbox', id: 'filter-deleted', checked: state.deleted,
    onchange: () => { state.deleted = deletedBox.checked; reset(); } });
  const sortSelect = h('select', { id: 'sort', onchange: () => { state.sort = sortSelect.value; reset(); } },
    SORTS.map(([value, label]) => h('option', { value }, label)));
  sortSelect.value = state.sort;

  const batchButtons = ['START', 'PAUSE', 'RESUME', 'RELEASE', 'DELETE'].map((action) => h(action === 'DELETE' ? 'button.danger' : 'button.secondary', {
    type: 'button', 'data-batch': action, disabled: true,
    onclick: () => runBatch(action, [...state.selected].map((id) => state.projects.get(id)).filter(Boolean), () => { state.selected.clear(); load(); }),
  }, ACTIONS[action].label));
  const selectedCount = h('span', { id: 'selected-count', 'aria-live': 'polite' });
  const batchBar = h('div.batch', { role: 'region', 'aria-label': 'Batch actions' }, selectedCount, batchButtons);

  const selectAll = h('input', { type: 'checkbox', 'aria-label': 'Select all on this page', onchange: () => {
    for (const id of selectable()) selectAll.checked ? state.selected.add(id) : state.selected.delete(id);
    renderRows();
  } });
  const tbody = h('tbody', {}, h('tr', {}, h('td.empty', { colspan: 7, role: 'status' }, 'Loading projects…')));
  const pager = h('div.pager');
  const heading = h('h1', {}, 'Data Migration');
  const loading = h('span.muted', { id: 'list-state', role: 'status' });
  const clearButton = h('button.secondary', { type: 'button', id: 'clear-filters', hidden: true, onclick: clearFilters }, 'Clear filters');
  const table = h('table.projects', { 'aria-label': 'Migration projects', 'aria-busy': 'true' },
    h('thead', {}, h('tr', {},
      h('th', {}, selectAll), h('th', {}, 'Name'), h('th', {}, 'Status'), h('th', {}, 'Source → Destination'),
      h('th', {}, 'Progress'), h('th', {}, 'Created'), h('th.actions', {}, 'Actions'))),
    tbody);

  root.replaceChildren(
    heading,
    h('div.toolbar', {},
      h('label', {}, 'Status', statusSelect),
      h('label', {}, 'Search by name', search),
      h('label.check', {}, alertingBox, 'Alerting only'),
      h('label.check', {}, deletedBox, 'Show deleted'),
      h('label', {}, 'Sort', sortSelect),
      clearButton,
      h('span.spacer'),
      loading,
      h('a.button', { href: '#/new' }, 'Create project')),
    batchBar,
    h('div.table-wrap', {}, table),
    pager);

  let progressById = new Map();
  let lastSignature = null;

  function syncHash() {
    if (stopped) return; // another view owns the address now
    const params = new URLSearchParams();
    if (state.status) params.set('status', state.status);
    if (state.q) params.set('q', state.q);
    if (state.alerting) params.set('alerting', 'true');
    if (state.deleted) params.set('deleted', 'true');
    if (state.sort !== '-createdAt') params.set('sort', state.sort);
    if (state.page) params.set('page', state.page + 1);
    if (state.size !== 20) params.set('size', state.size);
    const hash = '#/projects' + (params.toString() ? '?' + params : '');
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }

  function filtered() {
    return Boolean(state.status || state.q || state.alerting || state.deleted);
  }

  function reset() {
    state.page = 0;
    state.selected.clear();
    clearButton.hidden = !filtered();
    load();
  }

  function clearFilters() {
    Object.assign(state, { status: '', q: '', alerting: false, deleted: false });
    statusSelect.value = '';
    search.value = '';
    alertingBox.checked = false;
    deletedBox.checked = false;
    reset();
    statusSelect.focus();
  }

  /** A deleted project takes part in no batch action; it can only be restored, one at a time. */
  function selectable() {
    return [...state.projects.values()].filter((p) => p.status !== 'DELETED').map((p) => p.id);
  }

  function renderBatch() {
    const n = state.selected.size;
    selectedCount.textContent = n ? `${n} selected` : 'Select projects for batch actions';
    batchButtons.forEach((b) => { b.disabled = n === 0 || batchRunning(); });
    const ids = selectable();
    selectAll.checked = ids.length > 0 && ids.every((id) => state.selected.has(id));
  }

  /** A batch under way: its projects are busy, and the batch buttons wait for its answer. */
  function batchRunning() {
    return [...state.selected].some((id) => busyLabel(id));
  }

  function renderRow(p) {
    const deleted = p.status === 'DELETED';
    const alerts = p.activeAlerts || [];
    const pending = busyLabel(p.id);
    return h('tr', { 'data-id': p.id, 'data-name': p.name, 'data-status': p.status },
      h('td.select', {}, deleted ? null : h('input', {
        type: 'checkbox', 'aria-label': `Select ${p.name}`, checked: state.selected.has(p.id), dataset: { focusKey: `select-${p.id}` },
        onchange: (e) => { e.target.checked ? state.selected.add(p.id) : state.selected.delete(p.id); renderBatch(); },
      })),
      // A deleted project has no details page (the service answers 404 until it is restored).
      h('td.name', { 'data-label': 'Name' }, deleted ? h('span.deleted-name', {}, p.name)
        : h('a', { href: `#/projects/${p.id}`, dataset: { focusKey: `open-${p.id}` } }, p.name)),
      h('td', { 'data-label': 'Status' }, badge(p.status),
        pending ? h('div.busy', { role: 'status' }, h('span.spinner', { 'aria-hidden': 'true' }), pending) : null,
        deleted ? h('div.deleted-note', {}, 'Deleted, restorable until ', time(p.restorableUntil)) : null,
        alerts.length ? h('div.alerts', {}, alerts.map(alertBadge)) : null),
      h('td', { 'data-label': 'Source → Destination' },
        h('span.mono', {}, `${p.source.type} ${p.source.host}`), ' → ', h('span.mono', {}, `${p.destination.type} ${p.destination.host}`)),
      h('td', { 'data-label': 'Progress' }, deleted ? h('span.muted', {}, '—') : rowProgress(p, progressById.get(p.id))),
      h('td', { 'data-label': 'Created' }, formatTime(p.createdAt)),
      h('td.actions', { 'data-label': 'Actions' }, deleted
        ? restoreButton(p, load)
        : [projectMenu(p, load, true, progressById.get(p.id)), ' ', deleteButton(p, load)]));
  }

  function renderRows() {
    const rows = [...state.projects.values()].map(renderRow);
    if (rows.length === 0) {
      rows.push(h('tr', {}, h('td.empty', { colspan: 7 }, filtered()
        ? ['No project matches these filters. ', h('button.secondary', { type: 'button', onclick: clearFilters }, 'Clear filters')]
        : ['No migration project yet. ', h('a', { href: '#/new' }, 'Create one'), ' to get started.'])));
    }
    keepingFocus(() => tbody.replaceChildren(...rows));
    renderBatch();
  }

  function renderPager(page) {
    const last = Math.max(0, page.totalPages - 1);
    const sizeSelect = h('select', { 'aria-label': 'Projects per page', onchange: () => { state.size = Number(sizeSelect.value); reset(); } },
      [10, 20, 50, 100].map((n) => h('option', { value: n }, `${n} per page`)));
    sizeSelect.value = String(state.size);
    pager.replaceChildren(
      h('span.muted', { id: 'total' }, `${page.totalItems} project${page.totalItems === 1 ? '' : 's'}`),
      sizeSelect,
      h('button.secondary', { type: 'button', disabled: state.page <= 0, onclick: () => { state.page--; state.selected.clear(); load(); } }, '‹ Previous'),
      h('span', { id: 'page-label' }, `Page ${Math.min(state.page, last) + 1} of ${last + 1}`),
      h('button.secondary', { type: 'button', disabled: state.page >= last, onclick: () => { state.page++; state.selected.clear(); load(); } }, 'Next ›'));
  }

  let loaded = false;

  async function load() {
    const mine = ++generation;
    clearTimeout(timer);
    syncHash();
    table.setAttribute('aria-busy', 'true');
    // Said only when the wait is noticeable: a filter change on a slow network, not every poll.
    const slow = setTimeout(() => { if (mine === generation && !stopped) loading.textContent = 'Loading…'; }, 300);
    const params = new URLSearchParams({ page: state.page, size: state.size, sort: state.sort });
    if (state.status) params.set('status', state.status);
    if (state.q) params.set('q', state.q);
    if (state.alerting) params.set('alerting', 'true');
    if (state.deleted) params.set('deleted', 'true');
    try {
      const page = await api.list(params);
      const progress = page.items.map((p) => (page.progress || {})[p.id] || null);
      if (stopped || mine !== generation) return;
      loaded = true;
      clearNoticeFrom('load');
      settleNotices(page.items);
      if (state.page > 0 && page.items.length === 0 && page.totalItems > 0) {
        // The address named a page past the end (projects went away meanwhile): show the last one.
        state.page = Math.max(0, page.totalPages - 1);
        load();
        return;
      }
      // A menu or dialog opened while this call was under way: its row stays as it is until they close.
      if (menuOpen() || dialogOpen()) {
        timer = setTimeout(poll, POLL_MS);
        return;
      }
      // Unchanged data is not redrawn: focus and hover stay where the user left them.
      const signature = JSON.stringify([page, progress, [...state.selected]]);
      if (signature === lastSignature) {
        timer = setTimeout(poll, POLL_MS);
        return;
      }
      lastSignature = signature;
      state.projects = new Map(page.items.map((p) => [p.id, p]));
      progressById = new Map(page.items.map((p, i) => [p.id, progress[i]]));
      for (const id of [...state.selected]) if (!state.projects.has(id)) state.selected.delete(id);
      renderRows();
      renderPager(page);
    } catch (e) {
      if (!stopped && mine === generation) {
        if (loaded) {
          notify(e.message, 'error', { source: e.status === 401 ? 'auth' : 'load' });
        } else {
          // Nothing to show yet: the table says why, with a way to try again (the poll tries too).
          tbody.replaceChildren(h('tr', {}, h('td.empty', { colspan: 7, id: 'list-error' },
            h('p', { role: 'alert' }, `The projects cannot be loaded. ${e.message}`),
            h('button.secondary', { type: 'button', onclick: () => load() }, 'Try again'))));
        }
      }
    } finally {
      clearTimeout(slow);
      if (mine === generation) {
        loading.textContent = '';
        table.setAttribute('aria-busy', 'false');
      }
    }
    if (!stopped && mine === generation) timer = setTimeout(poll, POLL_MS);
  }

  // Live: reload every two seconds, but never under an open menu or dialog.
  function poll() {
    if (menuOpen() || dialogOpen() || document.hidden) timer = setTimeout(poll, POLL_MS);
    else load();
  }

  // An action sent or answered: its row says so at once, and its menu waits.
  const onBusy = () => { if (loaded && !menuOpen()) renderRows(); };
  document.addEventListener('migration:busy', onBusy);
  clearButton.hidden = !filtered();
  renderBatch();
  load();
  return () => { stopped = true; clearTimeout(timer); document.removeEventListener('migration:busy', onBusy); };
}
