// The console's only way to the service: the HTTP API of api.md, errors turned into sentences.

const BASE = '/api/v1';
const TOKEN = 'migration-plane.token';

/** The bearer token of this browser tab (access control on), or null (dev mode, access control off). */
export const session = {
  token: () => sessionStorage.getItem(TOKEN),
  signIn: (token) => sessionStorage.setItem(TOKEN, token.trim()),
  signOut: () => sessionStorage.removeItem(TOKEN),
  /** Who the token says it is (display only: the service verifies the token, the console does not). */
  user() {
    const token = this.token();
    if (!token) return null;
    try {
      const claims = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
      return claims.preferred_username || claims.upn || claims.sub || 'signed in';
    } catch (e) {
      return 'signed in';
    }
  },
};

export class ApiError extends Error {
  constructor(status, problem, message) {
    super(message);
    this.status = status;
    this.problem = problem || {};
  }

  get code() {
    return this.problem.code;
  }

  /** Per-field messages of a VALIDATION_FAILED problem: [{field, message}]. */
  get fieldErrors() {
    return Array.isArray(this.problem.errors) ? this.problem.errors : [];
  }
}

/** A readable sentence for a failed call, never raw JSON. */
function describe(status, problem) {
  if (status === 503) {
    return 'The service cannot reach its database right now, so nothing was changed. Try again in a moment.';
  }
  if (status === 401) {
    return 'You are not signed in, or your token has expired or is not accepted. Sign in with a valid token and try again.';
  }
  if (status === 403) {
    const detail = problem && problem.detail && !problem.detail.startsWith('Your role') ? problem.detail + '. ' : '';
    return detail + 'Your role does not allow this action; ask an administrator if you need it.';
  }
  if (problem && (problem.detail || problem.title)) {
    const title = problem.title && problem.detail && !problem.detail.startsWith(problem.title) ? problem.title + ': ' : '';
    return title + (problem.detail || problem.title);
  }
  return `The request failed (HTTP ${status}).`;
}

/**
 * Calls the API. Resolves with the parsed body (null for 204), rejects with an ApiError whose
 * message is fit for a person.
 */
export async function call(method, path, body, headers = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers } };
  const token = session.token();
  if (token) init.headers.Authorization = 'Bearer ' + token;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(BASE + path, init);
  } catch (e) {
    throw new ApiError(0, null, 'The service cannot be reached. Check your connection and try again.');
  }
  if (response.status === 204) {
    return null;
  }
  const text = await response.text();
  let parsed = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      parsed = null;
    }
  }
  if (!response.ok) {
    throw new ApiError(response.status, parsed, describe(response.status, parsed));
  }
  return parsed;
}

export const api = {
  /** Whether access control is on, and who the token (if any) says the caller is: {accessControl, user, roles}. */
  session: () => call('GET', '/session'),
  /** A page of projects with every item's progress in the same answer (page.progress[id]). */
  list: (params) => call('GET', '/projects?' + params.toString() + '&include=progress'),
  get: (id) => call('GET', `/projects/${encodeURIComponent(id)}`),
  progress: (id) => call('GET', `/projects/${encodeURIComponent(id)}/progress`),
  events: (id, page = 0, size = 200) => call('GET', `/projects/${encodeURIComponent(id)}/events?page=${page}&size=${size}`),
  create: (draft) => call('POST', '/projects', draft),
  act: (id, verb) => call('POST', `/projects/${encodeURIComponent(id)}/${verb}`),
  /** A NOT_STARTED copy; changes is a merge patch over the original's configuration (passwords absent: copied). */
  clone: (id, changes) => call('POST', `/projects/${encodeURIComponent(id)}/clone`, changes || {}),
  /** JSON merge patch of the configuration, refused (412) if the project changed since version. */
  edit: (id, patch, version) => call('PATCH', `/projects/${encodeURIComponent(id)}`, patch, { 'If-Match': `"${version}"` }),
  remove: (id, confirmName) =>
    call('DELETE', `/projects/${encodeURIComponent(id)}?confirmName=${encodeURIComponent(confirmName)}`),
  batch: (action, ids, confirmNames) => call('POST', '/projects/batch', confirmNames ? { action, ids, confirmNames } : { action, ids }),
  switchover: (id, options) => call('POST', `/projects/${encodeURIComponent(id)}/switchover`, options),
  restore: (id, name) => call('POST', `/projects/${encodeURIComponent(id)}/restore`, name ? { name } : {}),
  /** Dry runs: what the real call would do, changing nothing (the same role as the real call). */
  preview: {
    release: (id) => call('POST', `/projects/${encodeURIComponent(id)}/release?dryRun=true`),
    remove: (id, confirmName) =>
      call('DELETE', `/projects/${encodeURIComponent(id)}?confirmName=${encodeURIComponent(confirmName)}&dryRun=true`),
    batch: (action, ids, confirmNames) =>
      call('POST', '/projects/batch?dryRun=true', confirmNames ? { action, ids, confirmNames } : { action, ids }),
  },
};
