// The gateway's public REST API as the console calls it: the token the user pasted, JSON in and out;
// an answer outside 2xx is thrown as a Problem carrying the platform's problem details.

const TOKEN = 'hotswap.console.token';

export const session = {
  token: sessionStorage.getItem(TOKEN),
  me: null,
  save(token) { this.token = token; sessionStorage.setItem(TOKEN, token); },
  clear() { this.token = null; this.me = null; sessionStorage.removeItem(TOKEN); },
  /** Whether the token's roles may call this endpoint ("METHOD /path" as in the access matrix). */
  can(endpoint) { return !!this.me && this.me.allowed.includes(endpoint); },
};

export class Problem extends Error {
  constructor(status, detail) {
    super(`${detail.title || 'HTTP ' + status}${detail.detail ? ': ' + detail.detail : ''}`);
    this.status = status;
    this.detail = detail;
  }
}

export async function call(method, path, body, headers = {}) {
  const init = { method, headers: { ...headers, Authorization: 'Bearer ' + session.token } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = { detail: text }; }
  if (!response.ok) {
    throw new Problem(response.status, json || {});
  }
  return { status: response.status, body: json, headers: response.headers };
}

export const get = (path) => call('GET', path).then((r) => r.body);
export const post = (path, body) => call('POST', path, body === undefined ? {} : body);

/** Every item of a paged list (pages of 200). */
export async function all(path) {
  const items = [];
  for (let page = 0; ; page++) {
    const p = await get(`${path}${path.includes('?') ? '&' : '?'}size=200&page=${page}`);
    items.push(...p.items);
    if (page + 1 >= p.totalPages) return items;
  }
}

/** The raw text of a GET (an export), as a file the browser downloads. */
export async function download(path, filename) {
  const response = await fetch(path, { headers: { Authorization: 'Bearer ' + session.token } });
  if (!response.ok) throw new Problem(response.status, await response.json().catch(() => ({})));
  const url = URL.createObjectURL(await response.blob());
  const a = Object.assign(document.createElement('a'), { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
