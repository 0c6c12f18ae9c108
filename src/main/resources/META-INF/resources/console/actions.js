// What a user can do to a project, the OMS way: Release behind an OK dialog, Delete behind typing the name.

import { api } from './api.js';
import { formatTime, h, notify, openDialog, moreMenu, time } from './ui.js';

/** Why an action is greyed out, in the status table's words (api.md). */
export const ACTIONS = {
  START: { label: 'Start', verb: 'start', doing: 'Starting…', done: 'started', why: 'Start is possible only when the project has not been started yet' },
  PAUSE: { label: 'Pause', verb: 'pause', doing: 'Pausing…', done: 'paused', why: 'Pause is possible only when the project is running' },
  RESUME: { label: 'Resume', verb: 'resume', doing: 'Resuming…', done: 'resumed', why: 'Resume is possible only when the project is paused or failed' },
  RELEASE: { label: 'Release', verb: 'release', doing: 'Releasing…', done: 'released', why: 'Release is possible only when the project is paused, failed or completed' },
  DELETE: { label: 'Delete', verb: 'delete', doing: 'Deleting…', done: 'deleted', why: 'Delete is possible only when the project has not been started or has been released' },
  EDIT: { label: 'Edit', why: 'Nothing can be edited once a release has begun' },
  CLONE: { label: 'Create similar project', verb: 'clone', why: 'Cloning is not possible right now' },
  SWITCHOVER: { label: 'Switchover', verb: 'switchover', why: 'Switchover is possible only when the project is running with incremental synchronization' },
  RESTORE: { label: 'Restore', verb: 'restore', why: 'Restore is possible only for a deleted project inside its restore window' },
};

/**
 * What an edit may change, from the status table of api.md ("edit config"): 'ALL' before the start,
 * labels, description and alerts while the project runs or stands still, nothing from RELEASING on.
 */
export function editableFields(project) {
  if (project.status === 'NOT_STARTED') return 'ALL';
  if (['RUNNING', 'PAUSED', 'FAILED', 'COMPLETED'].includes(project.status)) return ['description', 'labels', 'alerts'];
  return [];
}

// --- Actions under way -----------------------------------------------------------------------

/** Projects with an action sent and not answered yet: id → "Pausing…". Their actions wait; views show it. */
const busy = new Map();

export function busyLabel(id) {
  return busy.get(id) || null;
}

function setBusy(ids, label) {
  for (const id of ids) {
    if (label) busy.set(id, label); else busy.delete(id);
  }
  document.dispatchEvent(new CustomEvent('migration:busy'));
}

export function disabledReason(project, action) {
  const pending = busy.get(project.id);
  if (pending && action !== 'CLONE') return `${pending} Wait for the service's answer.`;
  if (action === 'EDIT') return editableFields(project).length ? null : ACTIONS.EDIT.why;
  return project.allowedActions.includes(action) ? null : ACTIONS[action].why;
}

const RELEASE_WARNING = 'Release is irreversible. It stops the full migration and the incremental synchronization '
  + 'of the project for good. The project stays viewable, and you can create a similar project from it.';

/** Runs one action on one project; after() is called once it went through (to refresh or navigate). */
export function runAction(project, action, after) {
  switch (action) {
    case 'RELEASE':
      return openDialog({
        title: `Release project "${project.name}"?`,
        body: [h('p.warning', {}, RELEASE_WARNING), previewBox(() => api.preview.release(project.id), (plan) => [planView(plan)])],
        okLabel: 'OK',
        busyLabel: 'Releasing…',
        danger: true,
        onOk: async () => {
          await api.act(project.id, 'release');
          notify(`Release of "${project.name}" requested. It shows RELEASED once both workers have stopped.`, 'info',
            { project: project.id, until: ['RELEASED'], then: (p) => `Project "${p.name}" released.` });
          after();
        },
      });
    case 'DELETE':
      return confirmDelete([project], [], async () => {
        await api.remove(project.id, document.querySelector('#confirm-body input[data-expected]').value);
        notify(`Project "${project.name}" deleted.`);
        document.dispatchEvent(new CustomEvent('migration:deleted', { detail: project.id }));
        after();
      }, previewBox(() => api.preview.remove(project.id, project.name), (plan) => [planView(plan)]));
    case 'CLONE':
      location.hash = `#/new?from=${project.id}`;
      return null;
    case 'EDIT':
      location.hash = `#/projects/${project.id}/edit`;
      return null;
    case 'SWITCHOVER':
      return switchoverDialog(project, after);
    case 'RESTORE':
      return restoreDialog(project, after);
    default: {
      const meta = ACTIONS[action];
      setBusy([project.id], meta.doing);
      return api.act(project.id, meta.verb).then(() => {
        notify(`Project "${project.name}" ${meta.done}.`);
      }, (e) => notify(e.message, 'error')).finally(() => {
        setBusy([project.id], null);
        after();
      });
    }
  }
}

// --- Dry runs --------------------------------------------------------------------------------

function words(code) {
  return String(code).replaceAll('_', ' ').toLowerCase();
}

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

/** "a", "a and b", "a, b and c". */
function listing(parts) {
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** One project's dry run in plain words: its summary, then each thing the real call would do. */
function planView(plan) {
  const items = [];
  if (plan.currentStatus) {
    items.push(h('li', { 'data-part': 'status' }, `Status: ${words(plan.currentStatus).toUpperCase()} → `,
      plan.resultingStatus ? words(plan.resultingStatus).toUpperCase() : 'gone for good'));
  }
  const workers = plan.workersToStop || [];
  items.push(h('li', { 'data-part': 'workers' }, workers.length
    ? ['Stops ', workers.map((w, i) => [i ? (i === workers.length - 1 ? ' and ' : ', ') : '',
      `the ${words(w.worker)} worker on replica `, h('span.mono', {}, w.replica),
      w.leaseExpiresAt ? [' (its lease runs until ', time(w.leaseExpiresAt), ')'] : ''])]
    : 'No worker runs for it: nothing to stop.'));
  if (Array.isArray(plan.engineResources)) {
    const resources = plan.engineResources;
    items.push(h('li', { 'data-part': 'engine' }, resources.length
      ? ['Drops ', resources.map((r, i) => [i ? (i === resources.length - 1 ? ' and ' : ', ') : '',
        `the ${words(r.kind)} `, h('span.mono', {}, r.name), r.location ? ` on the ${words(r.location)}` : ''])]
      : 'Nothing to drop in the source or destination database.'));
  }
  if (plan.removes) {
    const r = plan.removes;
    const parts = [];
    if (r.steps) parts.push(plural(r.steps, 'step record', 'step records'));
    if (r.checkpoint) parts.push('the checkpoint');
    if (r.lease) parts.push('the lease');
    if (r.idempotencyRecords) parts.push(plural(r.idempotencyRecords, 'stored response to a retried request', 'stored responses to retried requests'));
    items.push(h('li', { 'data-part': 'removes' }, parts.length ? `Removes ${listing(parts)}.` : 'Nothing else is stored for it.'));
  }
  if (plan.restorableUntil) {
    items.push(h('li', { 'data-part': 'restorable' }, 'An administrator can restore it until ', time(plan.restorableUntil),
      '; after that it is purged for good.'));
  } else if (plan.action === 'DELETE') {
    items.push(h('li', { 'data-part': 'restorable' }, 'It is purged at once: it cannot be restored.'));
  }
  return h('div.plan', { 'data-id': plan.projectId },
    plan.summary ? h('p.summary', {}, plan.summary) : null,
    h('ul', {}, items));
}

/** What a batch would do: each project's plan, and why the others would fail. */
function batchPlanView(result, names) {
  const plans = result.plans || [];
  const failed = result.failed || [];
  const total = (result.succeeded || []).length + failed.length;
  return [
    h('p', {}, `${(result.succeeded || []).length} of ${total} would go through.`),
    ...plans.map((plan) => planView(plan)),
    ...failed.map((f) => h('p.field-error.would-fail', { 'data-id': f.id }, `${names.get(f.id) || f.id} would not: ${f.detail}`)),
  ];
}

/** Why there is no preview: the service's refusal (4xx) in its words, else "preview unavailable" (never blocking). */
function previewFailure(e) {
  if (e.status >= 400 && e.status < 500) {
    const detail = e.status === 401 || e.status === 403 ? e.message : (e.problem.detail || e.message);
    return h('p.field-error', { 'data-preview': 'refused' }, `The service would refuse this: ${detail}`);
  }
  return h('p.muted', { 'data-preview': 'unavailable' }, 'Preview unavailable'
    + (e.status === 0 ? ': the service cannot be reached right now.' : `: ${e.message}`) + ' You can still go on.');
}

/** A box that asks the dry run as the dialog opens and shows its answer when it comes. */
function previewBox(load, render) {
  const box = h('div.preview', { id: 'dry-run', 'aria-live': 'polite', 'data-state': 'loading' },
    h('h3', {}, 'What would happen'), h('p.muted', {}, 'Checking with the service…'));
  const heading = box.firstChild;
  load().then((result) => {
    box.dataset.state = 'ready';
    box.replaceChildren(heading, ...render(result));
  }, (e) => {
    box.dataset.state = e.status >= 400 && e.status < 500 ? 'refused' : 'unavailable';
    box.replaceChildren(heading, previewFailure(e));
  });
  return box;
}

// --- Dialogs ---------------------------------------------------------------------------------

const DELETE_WARNING_ONE = 'Deleting removes at once everything the project holds: steps, progress, checkpoint. '
  + 'Its definition is kept for a while so that an administrator can restore it (see below); the audit trail keeps a record.';
const DELETE_WARNING_MANY = 'Deleting removes at once everything these projects hold. Their definitions are kept for a '
  + 'while so that an administrator can restore them (see below); the audit trail keeps a record.';

/** The selected projects an action passes over, each with why (shown before anything is asked). */
function skippedView(skipped) {
  if (!skipped.length) return null;
  return h('div.skipped', { id: 'skipped' },
    h('p', {}, `${plural(skipped.length, 'selected project is', 'selected projects are')} left out:`),
    h('ul', {}, skipped.map(({ project, why }) => h('li', { 'data-id': project.id },
      h('strong', {}, project.name), ` (${words(project.status).toUpperCase()}): ${why}`))));
}

/** The delete dialog: one input per project, Delete enabled only when every name is typed exactly. */
function confirmDelete(projects, skipped, onOk, preview) {
  const inputs = projects.map((p) => h('input', {
    type: 'text', autocomplete: 'off', spellcheck: 'false', 'data-expected': p.name, 'data-id': p.id,
    'aria-label': `Type ${p.name} to confirm`,
  }));
  const single = projects.length === 1 && !skipped.length;
  return openDialog({
    title: single ? `Delete project "${projects[0].name}"?` : `Delete ${plural(projects.length, 'project', 'projects')}?`,
    body: [
      h('p.warning', {}, projects.length === 1 ? DELETE_WARNING_ONE : DELETE_WARNING_MANY),
      skippedView(skipped),
      preview,
      ...projects.map((p, i) => h('label.confirm-input', {},
        h('span', {}, 'Type ', h('strong.mono', {}, p.name), ' to confirm'), inputs[i])),
    ],
    okLabel: 'Delete',
    busyLabel: 'Deleting…',
    danger: true,
    ready: () => inputs.every((input) => input.value === input.dataset.expected),
    onOk,
  });
}

/** 0.5 → "0.5 s", 300 → "5 min", 90 → "1 min 30 s". */
function seconds(value) {
  const n = Number(value);
  if (!(n > 0)) return '…';
  if (n < 60) return `${n} s`;
  const min = Math.floor(n / 60);
  const s = Math.round(n - 60 * min);
  return s ? `${min} min ${s} s` : `${min} min`;
}

/** Switchover: says what happens, with the two bounds prefilled with the service's defaults. */
function switchoverDialog(project, after) {
  const latency = h('input', { type: 'number', id: 'switchover-latency', min: '0', step: 'any', value: '1', inputmode: 'decimal' });
  const timeout = h('input', { type: 'number', id: 'switchover-timeout', min: '1', step: '1', value: '300', inputmode: 'numeric' });
  const latencyText = h('strong');
  const timeoutText = h('strong');
  const describe = () => {
    latencyText.textContent = seconds(latency.value);
    timeoutText.textContent = seconds(timeout.value);
  };
  latency.addEventListener('input', describe);
  timeout.addEventListener('input', describe);
  describe();
  const positive = (input) => input.value.trim() !== '' && Number(input.value) > 0;
  return openDialog({
    title: `Switchover project "${project.name}"?`,
    body: [
      h('p', { id: 'switchover-what' }, 'The service waits until the incremental latency is below ', latencyText,
        ' (up to ', timeoutText, '), stops the incremental synchronization at a final checkpoint, and the project becomes COMPLETED.'),
      h('p', {}, 'Then switch your application to the destination (', h('span.mono', {}, `${project.destination.type} ${project.destination.host}`), ').'),
      h('p.warning', {}, 'Afterwards only release and clone are possible. If the latency does not get low enough in time, '
        + 'the switchover step fails, the project keeps running, and you can request it again.'),
      h('label.confirm-input', {}, h('span', {}, 'Max latency (s)'), latency),
      h('label.confirm-input', {}, h('span', {}, 'Timeout (s)'), timeout),
    ],
    okLabel: 'Switchover',
    ready: () => positive(latency) && positive(timeout),
    onOk: async () => {
      await api.switchover(project.id, { maxLatencySeconds: Number(latency.value), timeoutSeconds: Number(timeout.value) });
      notify(`Switchover of "${project.name}" requested. It shows COMPLETED once the incremental synchronization has stopped at its final checkpoint.`);
      after();
    },
  });
}

/** Restore (admin): asks for a new name only when the old one is taken now (409 NAME_TAKEN), then tries again. */
function restoreDialog(project, after) {
  const name = h('input', { type: 'text', id: 'restore-name', autocomplete: 'off', spellcheck: 'false', value: `${project.name}-restored` });
  const nameField = h('label.confirm-input', { hidden: true }, h('span', {}, 'New name'), name);
  return openDialog({
    title: `Restore project "${project.name}"?`,
    body: [
      h('p', {}, 'The project comes back as NOT STARTED with its configuration: source, destination, tables, labels. '
        + 'What it had migrated is not kept, so starting it begins from scratch.'),
      project.restorableUntil ? h('p.muted', {}, 'It can be restored until ', time(project.restorableUntil), '.') : null,
      nameField,
    ],
    okLabel: 'Restore',
    ready: () => nameField.hidden || name.value.trim().length > 0,
    onOk: async () => {
      let restored;
      try {
        restored = await api.restore(project.id, nameField.hidden ? undefined : name.value.trim());
      } catch (e) {
        if (e.code === 'NAME_TAKEN' && nameField.hidden) {
          nameField.hidden = false;
          name.focus();
          name.select();
          throw new Error(`${e.problem.detail || e.message} Choose a new name and Restore again.`);
        }
        throw e;
      }
      notify(`Project "${restored.name}" restored; it is NOT STARTED.`);
      after(restored);
    },
  });
}

/** Why Switchover waits, from the progress (the service also refuses it until then, with a 409). */
export function switchoverBlocked(project, progress) {
  if (project.switchover) return `A switchover is already under way (requested ${formatTime(project.switchover.requestedAt)})`;
  if (!progress) return 'Switchover waits until the progress of the project can be read';
  const step = (name) => (progress.steps || []).find((s) => s.name === name);
  const full = step('FULL_MIGRATION');
  if (full && full.status !== 'FINISHED') return 'Switchover is possible once the full migration has finished';
  const sync = step('INCREMENTAL_SYNC');
  if (!sync || sync.status !== 'MONITORING') return 'Switchover is possible once the incremental synchronization is monitoring changes';
  return null;
}

/**
 * The row's and the details page's More menu: every action, the impossible ones greyed out with their
 * reason as visible text. Switchover appears only where the project could ever switch over.
 */
export function projectMenu(project, after, withDetails, progress) {
  const items = [];
  for (const action of ['START', 'PAUSE', 'RESUME', 'SWITCHOVER', 'RELEASE', 'EDIT', 'CLONE', 'DELETE']) {
    if (action === 'SWITCHOVER' && !project.allowedActions.includes(action)) continue;
    const reason = disabledReason(project, action) || (action === 'SWITCHOVER' ? switchoverBlocked(project, progress) : null);
    items.push({ action, label: ACTIONS[action].label, disabledReason: reason, run: () => runAction(project, action, after) });
  }
  if (withDetails) {
    items.push({ action: 'DETAILS', label: 'View details', run: () => { location.hash = `#/projects/${project.id}`; } });
  }
  return moreMenu(items, `More actions for ${project.name}`, `more-${project.id}`);
}

/** A deleted project's only action (the service says who may: admin). */
export function restoreButton(project, after) {
  return h('button.secondary', {
    type: 'button', 'data-action': 'RESTORE', 'aria-label': `Restore ${project.name}`, dataset: { focusKey: `restore-${project.id}` },
    onclick: () => runAction(project, 'RESTORE', after),
  }, 'Restore');
}

/** The row's quick Delete, only where a delete is possible (elsewhere the More menu says why not). */
export function deleteButton(project, after) {
  if (disabledReason(project, 'DELETE')) return null;
  return h('button.link.danger', {
    type: 'button', 'data-action': 'DELETE', 'aria-label': `Delete ${project.name}`, dataset: { focusKey: `delete-${project.id}` },
    onclick: () => runAction(project, 'DELETE', after),
  }, 'Delete');
}

/** "Release: 2 of 3 went through; x: why" — information when all went through, a warning when some did not. */
function report(action, result, names, skipped) {
  const done = result.succeeded.length;
  const failed = result.failed.length;
  const parts = [`${ACTIONS[action].label}: ${done} of ${done + failed} ${done + failed === 1 ? 'project' : 'projects'} ${ACTIONS[action].done}.`];
  for (const f of result.failed) parts.push(`${names.get(f.id) || f.id} was not: ${f.detail}`);
  if (skipped.length) parts.push(`${plural(skipped.length, 'selected project was', 'selected projects were')} left out (not eligible).`);
  notify(parts.join(' '), failed === 0 ? 'info' : done === 0 ? 'error' : 'warning');
}

function eligibility(action, projects) {
  const eligible = [];
  const skipped = [];
  for (const p of projects) {
    const why = disabledReason(p, action);
    if (why) skipped.push({ project: p, why }); else eligible.push(p);
  }
  return { eligible, skipped };
}

/**
 * Batch actions over the selected projects. Those the action cannot apply to are listed with their
 * reason before anything is asked, and left out; Delete asks for every remaining name, Release for an OK.
 */
export function runBatch(action, projects, after) {
  const meta = ACTIONS[action];
  const { eligible, skipped } = eligibility(action, projects);
  if (!eligible.length) {
    return openDialog({
      title: `None of the selected projects can be ${meta.done}`,
      body: [skippedView(skipped)],
    });
  }
  const ids = eligible.map((p) => p.id);
  const names = new Map(eligible.map((p) => [p.id, p.name]));
  const send = async (confirmNames) => {
    setBusy(ids, meta.doing);
    try {
      report(action, await api.batch(action, ids, confirmNames), names, skipped);
    } finally {
      setBusy(ids, null);
      after();
    }
  };
  if (action === 'DELETE') {
    const ownNames = Object.fromEntries(eligible.map((p) => [p.id, p.name]));
    return confirmDelete(eligible, skipped, async () => {
      const confirmNames = {};
      document.querySelectorAll('#confirm-body input[data-expected]').forEach((input) => { confirmNames[input.dataset.id] = input.value; });
      await send(confirmNames);
    }, previewBox(() => api.preview.batch('DELETE', ids, ownNames), (result) => batchPlanView(result, names)));
  }
  if (action === 'RELEASE') {
    return openDialog({
      title: `Release ${plural(eligible.length, 'project', 'projects')}?`,
      body: [h('p.warning', {}, RELEASE_WARNING), h('ul', { id: 'batch-targets' }, eligible.map((p) => h('li', {}, p.name))),
        skippedView(skipped),
        previewBox(() => api.preview.batch('RELEASE', ids), (result) => batchPlanView(result, names))],
      okLabel: 'OK',
      busyLabel: 'Releasing…',
      danger: true,
      onOk: () => send(),
    });
  }
  if (skipped.length) {
    return openDialog({
      title: `${meta.label} ${eligible.length} of ${plural(projects.length, 'selected project', 'selected projects')}?`,
      body: [h('ul', { id: 'batch-targets' }, eligible.map((p) => h('li', {}, p.name))), skippedView(skipped)],
      okLabel: `${meta.label} ${eligible.length}`,
      busyLabel: meta.doing,
      onOk: () => send(),
    });
  }
  return send().catch((e) => notify(e.message, 'error'));
}
