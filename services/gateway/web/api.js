// Calls to /api: a Bearer token from sign-in (localStorage: a project opened in a new tab is still signed in;
// signing out, or the session's expiry, ends it for every tab), or — as a test/demo aid only — the
// "dev actor" given by ?as=<user_id>,<position>,<unit>, sent as X-Zhaoshang-* headers (the gateway
// accepts those only where ZS_TRUST_ACTOR_HEADERS=true). A 401 sends the user back to sign-in.
const TOKEN = 'zs.token', USER = 'zs.user', DEV = 'zs.devActor', OPS = 'zs.operations';
const store = window.localStorage;

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : `HTTP ${status}`);
    this.status = status;
    this.code = (body && body.error) || (status === 0 ? 'network' : 'other');
    this.details = (body && body.details) || {};
  }
}

export function adoptDevActor() {
  const as = new URLSearchParams(location.search).get('as');
  if (!as) return;
  const [user_id, position, unit] = as.split(',').map(s => s.trim());
  if (user_id && position && unit) {
    store.setItem(DEV, JSON.stringify({ user_id, position, unit }));
    store.removeItem(TOKEN);
    store.removeItem(OPS);
    store.setItem(USER, JSON.stringify({ user_id, name: user_id, position, unit, is_admin: false, dev: true }));
  }
}

export const devActor = () => JSON.parse(store.getItem(DEV) || 'null');
export const currentUser = () => JSON.parse(store.getItem(USER) || 'null');
export const signedIn = () => Boolean(store.getItem(TOKEN) || devActor());

function authHeaders() {
  const dev = devActor();
  if (dev) return { 'X-Zhaoshang-User': dev.user_id, 'X-Zhaoshang-Position': dev.position, 'X-Zhaoshang-Unit': dev.unit };
  const token = store.getItem(TOKEN);
  return token ? { Authorization: `Bearer ${token}` } : {};
}

let onUnauthenticated = () => {};
export function whenUnauthenticated(fn) { onUnauthenticated = fn; }

export async function raw(method, path, body, { anonymous = false } = {}) {
  const headers = anonymous ? {} : authHeaders();
  const token = store.getItem(TOKEN);
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let answer;
  try {
    answer = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, { error: 'network', message: String(e) });
  }
  // a 401 sends the user to sign-in — unless the request went out under a session since ended (a page's late
  // answers after signing out must not sign out whoever signs in next)
  if (answer.status === 401 && !anonymous && !path.startsWith('/api/sessions')
      && store.getItem(TOKEN) === token) onUnauthenticated();
  return answer;
}

export async function call(method, path, body, options) {
  const answer = await raw(method, path, body, options);
  const text = await answer.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = { message: text }; }
  if (!answer.ok) throw new ApiError(answer.status, data);
  return data;
}

export const get = (path, options) => call('GET', path, undefined, options);
export const post = (path, body = {}) => call('POST', path, body);
export const put = (path, body = {}) => call('PUT', path, body);
export const enc = encodeURIComponent;

export async function signIn(user_id, password) {
  const session = await call('POST', '/api/sessions', { user_id, password }, { anonymous: true });
  store.removeItem(DEV);
  store.removeItem(OPS);
  store.setItem(TOKEN, session.token);
  store.setItem(USER, JSON.stringify(session.user));
  return session.user;
}

export async function signOut() {
  if (store.getItem(TOKEN)) { try { await call('DELETE', '/api/sessions'); } catch (e) { /* gone already */ } }
  for (const k of [TOKEN, USER, DEV, OPS]) store.removeItem(k);
}

// Download a file the API serves (binary, or JSON {filename, content_base64}) with the auth headers.
export async function download(path, fallbackName) {
  const answer = await raw('GET', path);
  if (!answer.ok) {
    let body = null; try { body = await answer.json(); } catch (e) { /* not JSON */ }
    throw new ApiError(answer.status, body);
  }
  let name = fallbackName;
  const type = answer.headers.get('Content-Type') || '';
  if (type.startsWith('application/json')) {
    const file = await answer.json();
    return saveBase64(file.content_base64, file.filename || name, file.content_type);
  }
  const blob = await answer.blob();
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)/i.exec(answer.headers.get('Content-Disposition') || '');
  if (m) name = decodeURIComponent(m[1]);
  return save(blob, name);
}

// A document an answer carries as base64 (e.g. a contract version's Word file), saved by the browser.
export function saveBase64(content, name, type = 'application/octet-stream') {
  const bytes = Uint8Array.from(atob(content), c => c.charCodeAt(0));
  return save(new Blob([bytes], { type }), name);
}

function save(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  return name;
}

// Which endpoints this gateway has (from its own OpenAPI document): optional cards test for them.
let spec = null;
export async function openapi() {
  if (!spec) spec = await get('/api/openapi.json', { anonymous: true });
  return spec;
}
export async function findPath(test) {
  const paths = Object.keys((await openapi()).paths || {});
  return paths.find(test) || null;
}

// What the signed-in user may do (the authorization table the services enforce, /api/me/operations), read once
// per sign-in: {operations: {op: 'always'|'own'}, rules: {op: {positions, units}}}.
export async function myOperations() {
  const kept = JSON.parse(store.getItem(OPS) || 'null');
  if (kept) return kept;
  const answer = await get('/api/me/operations');
  store.setItem(OPS, JSON.stringify(answer));
  return answer;
}
export const may = (ops, ...operations) => operations.some(o => ops && ops.operations && ops.operations[o]);
