// A project's details: configuration (never a password), steps, tables, incremental sync, audit trail; live.

import { api } from './api.js';
import { deleteButton, projectMenu, runAction, switchoverBlocked } from './actions.js';
import { alertBadge, badge, bar, dialogOpen, formatNumber, formatTime, h, menuOpen, notify, time } from './ui.js';

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
      h('dt', {}, 'Cloned from'), h('dd', {}, p.clonedFrom ? h('a', { href: `#/projects/${p.clonedFrom}` }, p.clonedFrom) : '—'),
      h('dt', {}, 'Version'), h('dd', {}, p.version))),
    h('section.card', { 'aria-label': 'Source' }, h('h2', {}, 'Source'), endpoint(p.source)),
    h('section.card', { 'aria-label': 'Destination' }, h('h2', {}, 'Destination'), endpoint(p.destination)));
}

function steps(progress) {
  return h('table.plain', { id: 'steps' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Step'), h('th', {}, 'Status'), h('th', {}, 'Progress'), h('th', {}, 'Started'), h('th', {}, 'Finished'))),
    h('tbody', {}, progress.steps.map((s) => h('tr', { 'data-step': s.name, 'data-status': s.status },
      h('td', {}, s.name.replaceAll('_', ' ')),
      h('td', {}, s.status, s.error ? h('div.field-error', {}, s.error) : null),
      h('td', {}, bar(s.progressPercent, s.status, `${s.name} progress`)),
      h('td', {}, formatTime(s.startedAt)),
      h('td', {}, formatTime(s.finishedAt))))));
}

function tables(full) {
  if (!full) return h('p.muted', {}, 'Full migration is not selected for this project.');
  return [
    h('p', { id: 'rows' }, `${formatNumber(full.rowsMigrated)} of ${formatNumber(full.rowsTotal)} rows migrated`
      + (full.rowsPerSecond ? `, ${formatNumber(full.rowsPerSecond)} rows/s` : '')),
    h('table.plain', { id: 'tables' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Table'), h('th', {}, 'Status'), h('th', {}, 'Rows'), h('th', {}, 'Progress'))),
      h('tbody', {}, full.tables.map((t) => h('tr', {},
        h('td.mono', {}, `${t.schema}.${t.table}`),
        h('td', {}, t.status),
        h('td', {}, `${formatNumber(t.rowsMigrated)} / ${formatNumber(t.rowsTotal)}`),
        h('td', {}, bar(t.rowsTotal ? 100 * t.rowsMigrated / t.rowsTotal : 100, t.status, `${t.schema}.${t.table} progress`)))))),
  ];
}

function incremental(sync) {
  if (!sync) return h('p.muted', {}, 'Incremental synchronization is not selected for this project.');
  return h('dl.kv', { id: 'incremental' },
    h('dt', {}, 'Status'), h('dd', {}, sync.status),
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
      h('td', {}, formatTime(e.at)),
      h('td', {}, e.action),
      h('td', {}, e.fromStatus ? `${e.fromStatus} → ${e.toStatus}` : e.toStatus || '—'),
      h('td', {}, e.actor),
      h('td', {}, e.detail || '')))))];
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
  const head = h('div.details-head');
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
  root.replaceChildren(h('p', {}, h('a', { href: '#/projects' }, '‹ Data Migration')), head, alertDetails, reason, switchoverBox, config,
    h('h2', {}, 'Steps'), stepsBox,
    h('div.grid', {}, h('div', {}, h('h2', {}, 'Full migration'), tablesBox), h('div', {}, h('h2', {}, 'Incremental synchronization'), syncBox)),
    h('h2', {}, 'Audit trail'), eventsBox);

  async function load() {
    clearTimeout(timer);
    try {
      // When the project cannot be read, its own answer says why (a deleted one: until when it can be restored).
      const answers = await Promise.allSettled([api.get(id), api.progress(id), api.events(id)]);
      const refused = answers[0].status === 'rejected' ? answers[0] : answers.find((a) => a.status === 'rejected');
      if (refused) throw refused.reason;
      const [project, progress, trail] = answers.map((a) => a.value);
      if (stopped) return;
      // A menu or dialog opened while this call was under way: nothing under it is redrawn until they close.
      if (menuOpen() || dialogOpen()) {
        timer = setTimeout(poll, POLL_MS);
        return;
      }
      document.title = `${project.name} · Migration Plane`;
      // Header and configuration change only with the version (or when Switchover becomes possible, which
      // the progress tells); redrawing them would move the focus.
      const headKey = `${project.version}|${project.allowedActions.includes('SWITCHOVER') ? switchoverBlocked(project, progress) : ''}`;
      if (headKey !== shownHead) {
        const newVersion = !shownHead || !shownHead.startsWith(`${project.version}|`);
        shownHead = headKey;
        head.replaceChildren(h('h1', {}, project.name), badge(project.status), alertsBox, h('span.spacer'),
          h('button.secondary', { type: 'button', id: 'clone', onclick: () => runAction(project, 'CLONE', load) }, 'Create similar project'),
          projectMenu(project, load, false, progress), deleteButton(project, () => { location.hash = '#/projects'; }));
        if (newVersion) config.replaceChildren(configuration(project));
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
      stepsBox.replaceChildren(steps(progress));
      tablesBox.replaceChildren(...[].concat(tables(progress.fullMigration)));
      syncBox.replaceChildren(incremental(progress.incrementalSync));
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
      notify(e.message, 'error');
    }
    if (!stopped) timer = setTimeout(poll, POLL_MS);
  }

  function poll() {
    if (menuOpen() || dialogOpen() || document.hidden) timer = setTimeout(poll, POLL_MS);
    else load();
  }

  load();
  return () => { stopped = true; clearTimeout(timer); };
}
