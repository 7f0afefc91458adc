// Calls our own API from the page with the session cookie. Cookie-borne writes need the CSRF token,
// which Spring Security keeps in the XSRF-TOKEN cookie.
function csrfToken() {
  const match = document.cookie.match(/(?:^|; )XSRF-TOKEN=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : '';
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-XSRF-TOKEN'] = csrfToken();
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = new Error(data?.detail ?? `${response.status} ${response.statusText}`);
    error.problem = data;
    throw error;
  }
  return data;
}

// POSTs and reads a server-sent event stream: calls handlers[event](data) for each event, and
// resolves with the data of the final "report" event (rejects with a "problem" event's detail, or
// the problem detail of a refused request).
export async function streamChecks(path, handlers = {}) {
  const response = await fetch(path, {
    method: 'POST', credentials: 'same-origin',
    headers: { Accept: 'text/event-stream, application/problem+json', 'X-XSRF-TOKEN': csrfToken() },
  });
  if (!response.ok || !response.headers.get('Content-Type')?.startsWith('text/event-stream')) {
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = null; }
    const error = new Error(data?.detail ?? `${response.status} ${response.statusText}`);
    error.problem = data;
    throw error;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      let event = 'message';
      const data = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (!data.length) continue;
      const payload = JSON.parse(data.join('\n'));
      if (event === 'report') return payload;
      if (event === 'problem') {
        const error = new Error(payload.detail ?? payload.title);
        error.problem = payload;
        throw error;
      }
      handlers[event]?.(payload);
    }
  }
  throw new Error('The check stopped before its verdict; check again.');
}
