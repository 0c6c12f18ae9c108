// A project's details: configuration (never a password), steps, tables, incremental sync, audit trail; live.

import { api } from './api.js';
import { busyLabel, disabledReason, projectMenu, runAction, switchoverBlocked } from './actions.js';
import { alertBadge, badge, bar, clearNoticeFrom, dialogOpen, formatNumber, formatTime, h, keepingFocus, menuOpen, notify, settleNotices, time } from './ui.js';

const POLL_MS = 1000;

function endpoint(e) {
  return h('dl.kv', {},
    h('dt', {}, 'Type'), h('dd', {}, e.type),
    h('dt', {}, 'Host'), h('dd.mono', {}, `${e.host}:${e.port}`),
    h('dt', {}, 'Database'), h('dd', {}, e.database || '—'),
    h('dt', {}, 'User'), h('dd', {}, e.username || '—'),
    h('dt', {}, 'Password'), h('dd.muted', {}, 'stored, never shown'));
}

/** When the project's alerts fire (its own thresholds, else the service's defaults as the API fills them in). */
function thresholds(a) {
  if (!a) return '—';
  const parts = [];
  if (a.incrementalLatencySeconds !== null && a.incrementalLatencySeconds !== undefined) parts.push(`incremental latency above ${a.incrementalLatencySeconds} s`);
  if (a.stalledForSeconds !== null && a.stalledForSeconds !== undefined) parts.push(`nothing moving for ${formatNumber(a.stalledForSeconds)} s`);
  return parts.length ? parts.join('; ') : '—';
}

/** "Cloned from": the original's name as a link, or that it was deleted (looked up once per page). */
function clonedFrom(id) {
  if (!id) return '—';
  const cell = h('span', { id: 'cloned-from' }, h('span.muted', {}, 'Looking it up…'));
  api.get(id).then((original) => cell.replaceChildren(h('a', { href: `#/projects/${id}` }, original.name)),
    (e) => cell.replaceChildren(e.status === 404
      ? h('span', {}, 'A project that was deleted (', h('span.mono', {}, id), ')')
      : h('a', { href: `#/projects/${id}` }, id)));
  return cell;
}

function configuration(p) {
  const labels = Object.entries(p.labels || {});
  return h('div.grid', {},
    h('section.card', { 'aria-label': 'Project' }, h('dl.kv', {},
      h('dt', {}, 'Id'), h('dd.mono', {}, p.id),
      h('dt', {}, 'Description'), h('dd', {}, p.description || '—'),
      h('dt', {}, 'Migration types'), h('dd', {}, p.migrationTypes.join(', ')),
      h('dt', {}, 'Engine'), h('dd', { id: 'engine' }, p.engine === 'POSTGRES_LOGICAL'
        ? 'PostgreSQL logical replication (real rows)' : 'Simulated (no rows move)'),
      h('dt', {}, 'Labels'), h('dd', {}, labels.length ? labels.map(([k, v]) => `${k}=${v}`).join(', ') : '—'),
      h('dt', {}, 'Simulation'), h('dd', {}, `${formatNumber(p.simulation.rowsPerSecond)} rows/s, ${formatNumber(p.simulation.changesPerSecond)} changes/s`
        + (p.simulation.failAtPercent !== null && p.simulation.failAtPercent !== undefined ? `, fails at ${p.simulation.failAtPercent}%` : '')),
      h('dt', {}, 'Alerts'), h('dd', { id: 'alert-thresholds' }, thresholds(p.alerts)),
      h('dt', {}, 'Created'), h('dd', {}, formatTime(p.createdAt)),
      h('dt', {}, 'Started'), h('dd', {}, formatTime(p.startedAt)),
      h('dt', {}, 'Released'), h('dd', {}, formatTime(p.releasedAt)),
      h('dt', {}, 'Cloned from'), h('dd', {}, clonedFrom(p.clonedFrom)),
      h('dt', {}, 'Version'), h('dd', {}, p.version))),
    h('section.card', { 'aria-label': 'Source' }, h('h2', {}, 'Source'), endpoint(p.source)),
    h('section.card', { 'aria-label': 'Destination' }, h('h2', {}, 'Destination'), endpoint(p.destination)));
}

const STEP_NAMES = { SCHEMA_MIGRATION: 'Schema migration', FULL_MIGRATION: 'Full migration', INCREMENTAL_SYNC: 'Incremental synchronization',
  FULL_VERIFICATION: 'Full verification', SWITCHOVER: 'Switchover' };

/**
 * A step's status as the project's status explains it: before the start they have not begun, and
 * after a release nothing runs any more, whatever the step last reported.
 */
function stepStatus(project, status) {
  if (project.status === 'NOT_STARTED') return 'NOT STARTED';
  if ((project.status === 'RELEASED' || project.status === 'RELEASING') && status !== 'FINISHED' && status !== 'FAILED') {
    return project.status === 'RELEASED' ? 'STOPPED (released)' : 'STOPPING';
  }
  return status;
}

function steps(project, progress) {
  const intro = project.status === 'NOT_STARTED'
    ? h('p', { id: 'not-started' }, 'Not started yet. Once started, the project runs these steps in order:') : null;
  return [intro, h('table.plain', { id: 'steps' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Step'), h('th', {}, 'Status'), h('th', {}, 'Progress'), h('th', {}, 'Started'), h('th', {}, 'Finished'))),
    h('tbody', {}, progress.steps.map((s) => h('tr', { 'data-step': s.name, 'data-status': s.status },
      h('td', { 'data-label': 'Step' }, STEP_NAMES[s.name] || s.name.replaceAll('_', ' ')),
      h('td', { 'data-label': 'Status', 'data-shown': stepStatus(project, s.status) }, stepStatus(project, s.status),
        s.error ? h('div.field-error', {}, s.error) : null),
      h('td', { 'data-label': 'Progress' }, bar(s.progressPercent, s.status, `${STEP_NAMES[s.name] || s.name} progress`)),
      h('td', { 'data-label': 'Started' }, formatTime(s.startedAt)),
      h('td', { 'data-label': 'Finished' }, formatTime(s.finishedAt))))))];
}

function tables(project, full) {
  if (!full) return h('p.muted', {}, 'Full migration is not selected for this project.');
  const notStarted = project.status === 'NOT_STARTED';
  return [
    h('p', { id: 'rows' }, notStarted
      ? `Not started yet: ${formatNumber(full.rowsTotal)} rows in ${formatNumber(full.tables.length)} tables to copy.`
      : `${formatNumber(full.rowsMigrated)} of ${formatNumber(full.rowsTotal)} rows migrated`
        + (full.rowsPerSecond ? `, ${formatNumber(full.rowsPerSecond)} rows/s` : '')),
    h('table.plain', { id: 'tables' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Table'), h('th', {}, 'Status'), h('th', {}, 'Rows'), h('th', {}, 'Progress'))),
      h('tbody', {}, full.tables.map((t) => h('tr', {},
        h('td.mono', { 'data-label': 'Table' }, `${t.schema}.${t.table}`),
        h('td', { 'data-label': 'Status' }, stepStatus(project, t.status)),
        h('td', { 'data-label': 'Rows' }, `${formatNumber(t.rowsMigrated)} / ${formatNumber(t.rowsTotal)}`),
        h('td', { 'data-label': 'Progress' }, bar(t.rowsTotal ? 100 * t.rowsMigrated / t.rowsTotal : 100, t.status, `${t.schema}.${t.table} progress`)))))),
  ];
}

function incremental(project, sync) {
  const selected = project.migrationTypes.includes('INCREMENTAL_SYNC');
  if (!selected) return h('p.muted', {}, 'Incremental synchronization is not selected for this project.');
  if (project.status === 'NOT_STARTED' || !sync) {
    return h('p', { id: 'incremental-not-started' }, 'Not started yet: it begins once the full migration has copied the existing rows.');
  }
  return h('dl.kv', { id: 'incremental' },
    h('dt', {}, 'Status'), h('dd', {}, stepStatus(project, sync.status)),
    h('dt', {}, 'Checkpoint'), h('dd', { id: 'checkpoint' }, formatTime(sync.checkpoint)),
    h('dt', {}, 'Latency'), h('dd', { id: 'latency' }, sync.latencySeconds === null || sync.latencySeconds === undefined ? '—' : `${sync.latencySeconds} s`),
    h('dt', {}, 'Changes applied'), h('dd', { id: 'changes' }, formatNumber(sync.changesApplied)),
    ...(sync.walRetainedBytes === null || sync.walRetainedBytes === undefined ? []
      : [h('dt', {}, 'WAL kept on the source'), h('dd', { id: 'wal-retained' }, `${formatNumber(Math.round(sync.walRetainedBytes / 1024))} KiB`)]));
}

function events(page) {
  const more = page.totalItems > page.items.length
    ? h('p.muted', {}, `The first ${page.items.length} of ${page.totalItems} events; all of them are in GET /api/v1/events.`) : null;
  return [more, h('table.plain', { id: 'events' },
    h('thead', {}, h('tr', {}, h('th', {}, 'When'), h('th', {}, 'Action'), h('th', {}, 'Status'), h('th', {}, 'By'), h('th', {}, 'Detail'))),
    h('tbody', {}, page.items.map((e) => h('tr', { 'data-action': e.action },
      h('td', { 'data-label': 'When' }, formatTime(e.at)),
      h('td', { 'data-label': 'Action' }, e.action),
      h('td', { 'data-label': 'Status' }, e.fromStatus ? `${e.fromStatus} → ${e.toStatus}` : e.toStatus || '—'),
      h('td', { 'data-label': 'By' }, e.actor),
      h('td', { 'data-label': 'Detail' }, e.detail || '')))))];
}

/** A switchover waiting for the incremental latency to come down, with its deadline. */
function pendingSwitchover(project) {
  const s = project.switchover;
  if (!s) return [];
  return [h('p.pending', {}, h('strong', {}, 'Switchover requested'), ' at ', time(s.requestedAt),
    ': the incremental synchronization stops at a final checkpoint once its latency is low enough, at the latest by ',
    time(s.deadline), '. If it cannot catch up by then, the switchover step fails and the project keeps running.')];
}

export function detailsView(root, id) {
  let timer = null;
  let stopped = false;
  let shownHead = null;
  let shownAlerts = null;
  let loaded = false;
  let configVersion = null;
  const head = h('div.details-head', {}, h('p.muted', { role: 'status', id: 'details-loading' }, 'Loading the project…'));
  // Active alerts, in the header beside the status but redrawn on their own (they change without a new version).
  const alertsBox = h('span.alerts', { id: 'alerts' });
  const alertDetails = h('div', { id: 'alert-details' });
  // Why the project waits (a release that cannot reach its source yet), drawn on every poll.
  const reason = h('div', { role: 'status', id: 'status-reason' });
  const switchoverBox = h('div', { role: 'status', id: 'switchover' });
  const config = h('div');
  const stepsBox = h('section.card', { 'aria-label': 'Steps' });
  const tablesBox = h('section.card', { 'aria-label': 'Tables' });
  const syncBox = h('section.card', { 'aria-label': 'Incremental synchronization' });
  const eventsBox = h('section.card', { 'aria-label': 'Audit trail' });
  const body = h('div', { hidden: true }, config,
    h('h2', {}, 'Steps'), stepsBox,
    h('div.grid', {}, h('div', {}, h('h2', {}, 'Full migration'), tablesBox), h('div', {}, h('h2', {}, 'Incremental synchronization'), syncBox)),
    h('h2', {}, 'Audit trail'), eventsBox);
  root.replaceChildren(h('p', {}, h('a', { href: '#/projects' }, '‹ Data Migration')), head, alertDetails, reason, switchoverBox, body);

  function renderHead(project, progress) {
    const pending = busyLabel(project.id);
    const editWhy = disabledReason(project, 'EDIT');
    keepingFocus(() => head.replaceChildren(...[h('h1', {}, project.name), badge(project.status),
      pending ? h('span.busy', { role: 'status' }, h('span.spinner', { 'aria-hidden': 'true' }), pending) : null,
      alertsBox, h('span.spacer'),
      editWhy ? null : h('a.button.secondary', { href: `#/projects/${project.id}/edit`, id: 'edit' }, 'Edit'),
      h('button.secondary', { type: 'button', id: 'clone', onclick: () => runAction(project, 'CLONE', load) }, 'Create similar project'),
      projectMenu(project, load, false, progress)].filter(Boolean)));
  }

  // After a delete the project is gone: back to the list.
  const onDeleted = (event) => { if (event.detail === id) location.hash = '#/projects'; };
  document.addEventListener('migration:deleted', onDeleted);

  let current = null;

  async function load() {
    clearTimeout(timer);
    try {
      // When the project cannot be read, its own answer says why (a deleted one: until when it can be restored).
      const answers = await Promise.allSettled([api.get(id), api.progress(id), api.events(id)]);
      const refused = answers[0].status === 'rejected' ? answers[0] : answers.find((a) => a.status === 'rejected');
      if (refused) throw refused.reason;
      const [project, progress, trail] = answers.map((a) => a.value);
      if (stopped) return;
      clearNoticeFrom('load');
      settleNotices([project]);
      current = { project, progress };
      // A menu or dialog opened while this call was under way: nothing under it is redrawn until they close.
      if (menuOpen() || dialogOpen()) {
        timer = setTimeout(poll, POLL_MS);
        return;
      }
      loaded = true;
      body.hidden = false;
      document.title = `${project.name} · Migration Plane`;
      // Header and configuration change only with the version (or when Switchover becomes possible, which
      // the progress tells, or an action is under way); redrawing them would move the focus.
      const headKey = `${project.version}|${project.allowedActions.includes('SWITCHOVER') ? switchoverBlocked(project, progress) : ''}|${busyLabel(project.id) || ''}`;
      if (headKey !== shownHead) {
        shownHead = headKey;
        renderHead(project, progress);
      }
      if (configVersion !== project.version) {
        configVersion = project.version;
        config.replaceChildren(configuration(project));
      }
      const alerts = project.activeAlerts || [];
      const alertsKey = JSON.stringify(alerts);
      if (alertsKey !== shownAlerts) {
        shownAlerts = alertsKey;
        alertsBox.replaceChildren(...alerts.map(alertBadge));
        const sentences = alerts.filter((a) => a.detail);
        alertDetails.replaceChildren(...(sentences.length ? [h('ul.alert-details', { 'aria-label': 'Why the alerts fire' },
          sentences.map((a) => h('li', { 'data-alert': a.type }, a.detail)))] : []));
      }
      reason.replaceChildren(...(project.statusReason ? [h('p.warning', {}, project.statusReason)] : []));
      switchoverBox.replaceChildren(...pendingSwitchover(project));
      stepsBox.replaceChildren(...steps(project, progress).filter(Boolean));
      tablesBox.replaceChildren(...[].concat(tables(project, progress.fullMigration)));
      syncBox.replaceChildren(incremental(project, progress.incrementalSync));
      eventsBox.replaceChildren(...events(trail).filter(Boolean));
    } catch (e) {
      if (stopped) return;
      if (e.status === 404) {
        // A deleted project inside its restore window: the service's detail says until when it can be restored.
        root.replaceChildren(h('h1', {}, 'Project not found'),
          h('p', { id: 'not-found-detail' }, e.problem.detail
            || 'This project does not exist (it may have been deleted). Its deletion is kept in the audit trail.'),
          h('p', {}, h('a', { href: '#/projects?deleted=true' }, 'Deleted projects that can still be restored')),
          h('a.button', { href: '#/projects' }, 'Back to Data Migration'));
        return;
      }
      if (loaded) {
        notify(e.message, 'error', { source: e.status === 401 ? 'auth' : 'load' });
      } else {
        head.replaceChildren(h('div', { id: 'details-error' }, h('p', { role: 'alert' }, `The project cannot be loaded. ${e.message}`),
          h('button.secondary', { type: 'button', onclick: () => load() }, 'Try again')));
      }
    }
    if (!stopped) timer = setTimeout(poll, POLL_MS);
  }

  function poll() {
    if (menuOpen() || dialogOpen() || document.hidden) timer = setTimeout(poll, POLL_MS);
    else load();
  }

  // An action sent or answered: the header says so at once.
  const onBusy = () => { if (current && !menuOpen()) { shownHead = null; renderHead(current.project, current.progress); } };
  document.addEventListener('migration:busy', onBusy);
  load();
  return () => {
    stopped = true;
    clearTimeout(timer);
    document.removeEventListener('migration:busy', onBusy);
    document.removeEventListener('migration:deleted', onDeleted);
  };
}
