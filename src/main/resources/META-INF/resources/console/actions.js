// What a user can do to a project, the OMS way: Release behind an OK dialog, Delete behind typing the name.

import { api } from './api.js';
import { formatTime, h, notify, openDialog, moreMenu, time } from './ui.js';

/** Why an action is greyed out, in the status table's words (api.md). */
export const ACTIONS = {
  START: { label: 'Start', verb: 'start', done: 'started', why: 'Start is possible only when the project has not been started yet' },
  PAUSE: { label: 'Pause', verb: 'pause', done: 'paused', why: 'Pause is possible only when the project is running' },
  RESUME: { label: 'Resume', verb: 'resume', done: 'resumed', why: 'Resume is possible only when the project is paused or failed' },
  RELEASE: { label: 'Release', verb: 'release', done: 'released', why: 'Release is possible only when the project is paused, failed or completed' },
  DELETE: { label: 'Delete', verb: 'delete', done: 'deleted', why: 'Delete is possible only when the project has not been started or has been released' },
  CLONE: { label: 'Create similar project', verb: 'clone', why: 'Cloning is not possible right now' },
  SWITCHOVER: { label: 'Switchover', verb: 'switchover', why: 'Switchover is possible only when the project is running with incremental synchronization' },
  RESTORE: { label: 'Restore', verb: 'restore', why: 'Restore is possible only for a deleted project inside its restore window' },
};

export function disabledReason(project, action) {
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
        onOk: async () => {
          await api.act(project.id, 'release');
          notify(`Release of "${project.name}" requested. It shows RELEASED once both workers have stopped.`);
          after();
        },
      });
    case 'DELETE':
      return confirmDelete([project], async () => {
        await api.remove(project.id, document.querySelector('#confirm-body input[data-expected]').value);
        notify(`Project "${project.name}" deleted.`);
        after();
      }, previewBox(() => api.preview.remove(project.id, project.name), (plan) => [planView(plan)]));
    case 'CLONE':
      return cloneDialog(project);
    case 'SWITCHOVER':
      return switchoverDialog(project, after);
    case 'RESTORE':
      return restoreDialog(project, after);
    default: {
      const meta = ACTIONS[action];
      return api.act(project.id, meta.verb).then(() => {
        notify(`Project "${project.name}" ${meta.done}.`);
        after();
      }, (e) => notify(e.message, 'error'));
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

/** The delete dialog: one input per project, Delete enabled only when every name is typed exactly. */
function confirmDelete(projects, onOk, preview) {
  const inputs = projects.map((p) => h('input', {
    type: 'text', autocomplete: 'off', spellcheck: 'false', 'data-expected': p.name, 'data-id': p.id,
    'aria-label': `Type ${p.name} to confirm`,
  }));
  const single = projects.length === 1;
  return openDialog({
    title: single ? `Delete project "${projects[0].name}"?` : `Delete ${projects.length} projects?`,
    body: [
      h('p.warning', {}, single ? DELETE_WARNING_ONE : DELETE_WARNING_MANY),
      preview,
      ...projects.map((p, i) => h('label.confirm-input', {},
        h('span', {}, 'Type ', h('strong.mono', {}, p.name), ' to confirm'), inputs[i])),
    ],
    okLabel: 'Delete',
    danger: true,
    ready: () => inputs.every((input) => input.value === input.dataset.expected),
    onOk,
  });
}

function cloneDialog(project) {
  const input = h('input', { type: 'text', autocomplete: 'off', placeholder: 'leave empty for a generated name', 'aria-label': 'Name of the new project' });
  return openDialog({
    title: `Create a project similar to "${project.name}"`,
    body: [
      h('p', {}, 'The new project gets the same source, destination, migration types, tables, labels and simulation, starts as NOT STARTED, and has no progress.'),
      h('label.confirm-input', {}, h('span', {}, 'Name'), input),
    ],
    okLabel: 'Create',
    onOk: async () => {
      const created = await api.clone(project.id, input.value.trim() || undefined);
      notify(`Project "${created.name}" created from "${project.name}".`);
      // Landing on the new project replaces the current view; no refresh of the old one.
      location.hash = `#/projects/${created.id}`;
    },
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

/** The row's and the details page's More menu; Switchover appears only where the project could ever switch over. */
export function projectMenu(project, after, withDetails, progress) {
  const items = [];
  for (const action of ['START', 'PAUSE', 'RESUME', 'SWITCHOVER', 'RELEASE', 'CLONE']) {
    if (action === 'SWITCHOVER') {
      if (!project.allowedActions.includes(action)) continue;
      items.push({ action, label: ACTIONS[action].label, disabledReason: switchoverBlocked(project, progress), showReason: true,
        run: () => runAction(project, action, after) });
    } else {
      items.push({ action, label: ACTIONS[action].label, disabledReason: disabledReason(project, action),
        run: () => runAction(project, action, after) });
    }
  }
  if (withDetails) {
    items.push({ action: 'DETAILS', label: 'View details', run: () => { location.hash = `#/projects/${project.id}`; } });
  }
  return moreMenu(items, `More actions for ${project.name}`);
}

/** A deleted project's only action (the service says who may: admin). */
export function restoreButton(project, after) {
  const reason = disabledReason(project, 'RESTORE');
  return h('button.secondary', {
    type: 'button', 'data-action': 'RESTORE', 'aria-disabled': reason ? 'true' : 'false', title: reason || undefined,
    'aria-label': `Restore ${project.name}`,
    onclick: () => { if (!reason) runAction(project, 'RESTORE', after); },
  }, 'Restore');
}

export function deleteButton(project, after) {
  const reason = disabledReason(project, 'DELETE');
  return h('button.link.danger', {
    type: 'button', 'data-action': 'DELETE', 'aria-disabled': reason ? 'true' : 'false', title: reason || undefined,
    'aria-label': `Delete ${project.name}`,
    onclick: () => { if (!reason) runAction(project, 'DELETE', after); },
  }, 'Delete');
}

function summarize(action, result, names) {
  const done = result.succeeded.length;
  const parts = [`${ACTIONS[action].label}: ${done} of ${done + result.failed.length} succeeded.`];
  for (const f of result.failed) parts.push(`${names.get(f.id) || f.id}: ${f.detail}`);
  return parts.join(' ');
}

/** Batch actions over the selected projects; Delete asks for every name, Release for an OK. */
export function runBatch(action, projects, after) {
  const ids = projects.map((p) => p.id);
  const names = new Map(projects.map((p) => [p.id, p.name]));
  const report = (result) => {
    notify(summarize(action, result, names), result.failed.length ? 'error' : 'info');
    after();
  };
  if (action === 'DELETE') {
    const ownNames = Object.fromEntries(projects.map((p) => [p.id, p.name]));
    return confirmDelete(projects, async () => {
      const confirmNames = {};
      document.querySelectorAll('#confirm-body input[data-expected]').forEach((input) => { confirmNames[input.dataset.id] = input.value; });
      report(await api.batch('DELETE', ids, confirmNames));
    }, previewBox(() => api.preview.batch('DELETE', ids, ownNames), (result) => batchPlanView(result, names)));
  }
  if (action === 'RELEASE') {
    return openDialog({
      title: `Release ${projects.length} project${projects.length === 1 ? '' : 's'}?`,
      body: [h('p.warning', {}, RELEASE_WARNING), h('ul', {}, projects.map((p) => h('li', {}, p.name))),
        previewBox(() => api.preview.batch('RELEASE', ids), (result) => batchPlanView(result, names))],
      onOk: async () => report(await api.batch('RELEASE', ids)),
    });
  }
  return api.batch(action, ids).then(report, (e) => notify(e.message, 'error'));
}
