// What a user can do to a project, the OMS way: Release behind an OK dialog, Delete behind typing the name.

import { api } from './api.js';
import { h, notify, openDialog, moreMenu } from './ui.js';

/** Why an action is greyed out, in the status table's words (api.md). */
export const ACTIONS = {
  START: { label: 'Start', verb: 'start', done: 'started', why: 'Start is possible only when the project has not been started yet' },
  PAUSE: { label: 'Pause', verb: 'pause', done: 'paused', why: 'Pause is possible only when the project is running' },
  RESUME: { label: 'Resume', verb: 'resume', done: 'resumed', why: 'Resume is possible only when the project is paused or failed' },
  RELEASE: { label: 'Release', verb: 'release', done: 'released', why: 'Release is possible only when the project is paused, failed or completed' },
  DELETE: { label: 'Delete', verb: 'delete', done: 'deleted', why: 'Delete is possible only when the project has not been started or has been released' },
  CLONE: { label: 'Create similar project', verb: 'clone', why: 'Cloning is not possible right now' },
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
        body: [h('p.warning', {}, RELEASE_WARNING)],
        okLabel: 'OK',
        onOk: async () => {
          await api.act(project.id, 'release');
          notify(`Release of "${project.name}" requested. It shows RELEASED once both workers have stopped.`);
          after();
        },
      });
    case 'DELETE':
      return confirmDelete([project], async () => {
        await api.remove(project.id, document.querySelector('#confirm-body input').value);
        notify(`Project "${project.name}" deleted.`);
        after();
      });
    case 'CLONE':
      return cloneDialog(project);
    default: {
      const meta = ACTIONS[action];
      return api.act(project.id, meta.verb).then(() => {
        notify(`Project "${project.name}" ${meta.done}.`);
        after();
      }, (e) => notify(e.message, 'error'));
    }
  }
}

/** The delete dialog: one input per project, Delete enabled only when every name is typed exactly. */
function confirmDelete(projects, onOk) {
  const inputs = projects.map((p) => h('input', {
    type: 'text', autocomplete: 'off', spellcheck: 'false', 'data-expected': p.name, 'data-id': p.id,
    'aria-label': `Type ${p.name} to confirm`,
  }));
  const single = projects.length === 1;
  return openDialog({
    title: single ? `Delete project "${projects[0].name}"?` : `Delete ${projects.length} projects?`,
    body: [
      h('p.warning', {}, single
        ? 'Deleting removes the project and everything it holds: steps, progress, checkpoints. It cannot be undone; the audit trail keeps a record.'
        : 'Deleting removes these projects and everything they hold. It cannot be undone; the audit trail keeps a record.'),
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

/** The row's and the details page's More menu. */
export function projectMenu(project, after, withDetails) {
  const items = ['START', 'PAUSE', 'RESUME', 'RELEASE', 'CLONE'].map((action) => ({
    action, label: ACTIONS[action].label, disabledReason: disabledReason(project, action),
    run: () => runAction(project, action, after),
  }));
  if (withDetails) {
    items.push({ action: 'DETAILS', label: 'View details', run: () => { location.hash = `#/projects/${project.id}`; } });
  }
  return moreMenu(items, `More actions for ${project.name}`);
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
    return confirmDelete(projects, async () => {
      const confirmNames = {};
      document.querySelectorAll('#confirm-body input').forEach((input) => { confirmNames[input.dataset.id] = input.value; });
      report(await api.batch('DELETE', ids, confirmNames));
    });
  }
  if (action === 'RELEASE') {
    return openDialog({
      title: `Release ${projects.length} project${projects.length === 1 ? '' : 's'}?`,
      body: [h('p.warning', {}, RELEASE_WARNING), h('ul', {}, projects.map((p) => h('li', {}, p.name)))],
      onOk: async () => report(await api.batch('RELEASE', ids)),
    });
  }
  return api.batch(action, ids).then(report, (e) => notify(e.message, 'error'));
}
