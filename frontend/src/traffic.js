// The live traffic view: how a Service really moves requests, drawn from what the sandbox's nodes
// observed in connection tracking (kube-proxy's DNAT), not from what servers say about themselves.
//
// Protocol (/ws/traffic?lab=ID[&learner=NAME], server to browser only, JSON text):
//   {type:'snapshot', topology, totals:[count], stats, windowMillis}   first, on every (re)connect
//   {type:'topology', topology}                                         when Services, pods or endpoints change
//   {type:'flows', time, window:[count], totals:[count], stats}         once per window (~200 ms) with traffic,
//                                                                        at least every second otherwise
//   {type:'error', message}
// A count is {source, sourceKind: pod|node|outside, via: clusterIP|nodePort|loadBalancer,
// service: 'ns/name', endpoint: 'ns/pod' | 'ip:port' | '-', result: ok|reset|unanswered|no-endpoint, count}.
// `totals` in a flows message are the new cumulative values of the keys the window touched, so a
// burst of thousands of requests is a handful of messages and a reconnect (fresh snapshot) loses nothing.
import { api } from './api.js';
import { restarting, soon } from './reconnect.js';

const SVG = 'http://www.w3.org/2000/svg';
const VIA_LABEL = { clusterIP: 'ClusterIP', nodePort: 'NodePort', loadBalancer: 'LoadBalancer IP (tunnel)' };

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

const keyOf = (c) => `${c.source}|${c.sourceKind}|${c.via}|${c.service}|${c.endpoint}|${c.result}`;
const short = (key) => (key.includes('/') ? key.slice(key.indexOf('/') + 1) : key);

export function trafficPanel(root) {
  const lab = root.dataset.traffic;
  const learner = root.dataset.learner || '';
  const state = { topology: null, totals: new Map(), recent: new Map(), stats: null, selected: '', connected: false };
  let socket;
  let retry = 500;
  let wanted = false;
  let renderQueued = false;

  root.classList.add('traffic');
  root.replaceChildren();
  const head = el('div', { class: 'traffic-head' });
  head.append(el('strong', {}, 'Live traffic'));
  const status = el('span', { class: 'muted traffic-status', 'data-testid': 'traffic-status' }, 'waiting for the cluster');
  head.append(status);
  const controls = el('div', { class: 'traffic-controls' });
  const serviceSelect = el('select', { 'data-testid': 'traffic-service', 'aria-label': 'Service' });
  const viaSelect = el('select', { 'data-testid': 'traffic-via', 'aria-label': 'From' });
  for (const [value, label] of [['clientPod', 'from a client pod (ClusterIP)'], ['nodePort', 'from outside (NodePort)'],
    ['tunnel', 'from outside (tunnel)']]) {
    viaSelect.append(el('option', { value }, label));
  }
  // Which node's nodePort the requests enter; offered when the cluster has more than one node.
  const nodeSelect = el('select', { 'data-testid': 'traffic-node', 'aria-label': 'Through node' });
  for (const [value, label] of [['server', 'through the server node'], ['agent', 'through the agent node']]) {
    nodeSelect.append(el('option', { value }, label));
  }
  nodeSelect.hidden = true;
  const count = el('input', { type: 'number', min: '1', max: '5000', value: '100', 'aria-label': 'Requests', class: 'narrow',
    'data-testid': 'traffic-count' });
  const send = el('button', { type: 'button', 'data-testid': 'traffic-send' }, 'Send');
  controls.append(serviceSelect, count, viaSelect, nodeSelect, send);
  const showNodes = () => {
    nodeSelect.hidden = viaSelect.value !== 'nodePort' || !(state.topology?.nodes || []).some((n) => n.role === 'agent');
  };
  viaSelect.addEventListener('change', showNodes);
  const summary = el('div', { class: 'muted traffic-summary', 'data-testid': 'traffic-summary' });
  const diagram = svg('svg', { class: 'traffic-svg', 'data-testid': 'traffic-svg', role: 'img',
    'aria-label': 'Clients, the Service and the pods that answered' });
  const bars = el('div', { class: 'traffic-bars', 'data-testid': 'traffic-bars' });
  const others = el('div', { class: 'traffic-others muted' });
  const footer = el('div', { class: 'traffic-stats muted', 'data-testid': 'traffic-stats' });
  root.append(head, controls, summary, diagram, bars, others, footer);
  if (learner) controls.hidden = true; // watching someone else's cluster: read-only

  serviceSelect.addEventListener('change', () => { state.selected = serviceSelect.value; queueRender(); });
  send.addEventListener('click', async () => {
    const service = state.topology?.services.find((s) => s.key === state.selected);
    if (!service) return;
    send.disabled = true;
    summary.textContent = `Sending ${count.value} requests…`;
    try {
      const request = { service: service.name, namespace: service.namespace, via: viaSelect.value, count: Number(count.value) };
      if (!nodeSelect.hidden) request.node = nodeSelect.value;
      const r = await api('POST', `/api/v1/labs/${encodeURIComponent(lab)}/traffic/requests`, request);
      const codes = Object.entries(r.statuses).map(([code, n]) => `${n}× ${code === '000' ? 'no answer' : code}`).join(', ');
      const dropped = r.timedOut ? ` (${r.timedOut} timed out without connecting: dropped)` : '';
      const node = r.node ? ` through the ${r.node} node` : '';
      summary.textContent = `${r.sent} requests to ${r.target}${node} in ${r.durationMillis} ms: ${codes}${dropped}`;
    } catch (e) {
      summary.textContent = e.message;
    } finally {
      send.disabled = false;
    }
  });

  function connect() {
    if (socket && socket.readyState <= WebSocket.OPEN) return;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const params = new URLSearchParams({ lab });
    if (learner) params.set('learner', learner);
    socket = new WebSocket(`${scheme}://${location.host}/ws/traffic?${params}`);
    socket.addEventListener('open', () => { retry = 500; });
    socket.addEventListener('message', (e) => receive(JSON.parse(e.data)));
    socket.addEventListener('close', (event) => {
      state.connected = false;
      status.textContent = 'reconnecting…';
      root.dataset.live = 'reconnecting';
      // A server shutting down (1012/1001) is replaced at once: reconnect soon for a fresh snapshot.
      if (wanted) setTimeout(connect, restarting(event) ? soon() : retry);
      if (!restarting(event)) retry = Math.min(retry * 2, 5000);
    });
  }

  function receive(msg) {
    if (msg.type === 'snapshot') {
      state.topology = msg.topology;
      state.totals = new Map(msg.totals.map((c) => [keyOf(c), c]));
      state.stats = msg.stats;
      state.connected = true;
      root.dataset.live = 'connected';
    } else if (msg.type === 'topology') {
      state.topology = msg.topology;
    } else if (msg.type === 'flows') {
      for (const c of msg.totals) state.totals.set(keyOf(c), c);
      state.recent = new Map(msg.window.map((c) => [keyOf(c), c]));
      state.stats = msg.stats;
    } else if (msg.type === 'error') {
      status.textContent = msg.message;
      wanted = false;
      return;
    }
    showNodes();
    queueRender();
  }

  // Messages may come faster than frames: draw at most once per frame.
  function queueRender() {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(() => { renderQueued = false; render(); });
  }

  function render() {
    const topo = state.topology;
    if (!topo) return;
    status.textContent = state.connected ? 'live' : 'reconnecting…';
    const services = topo.services;
    if (!services.some((s) => s.key === state.selected)) {
      const busiest = [...state.totals.values()].sort((a, b) => b.count - a.count)[0];
      state.selected = busiest && services.some((s) => s.key === busiest.service) ? busiest.service : services[0]?.key || '';
    }
    const options = services.map((s) => s.key).join('\n');
    if (serviceSelect.dataset.options !== options) {
      serviceSelect.replaceChildren(...services.map((s) => el('option', { value: s.key }, s.key)));
      serviceSelect.dataset.options = options;
    }
    serviceSelect.value = state.selected;
    const service = services.find((s) => s.key === state.selected);
    drawDiagram(service, topo);
    drawBars(service);
    const unmatched = topo.unmatchedPods;
    others.textContent = unmatched.length ? `Pods no Service selects: ${unmatched.map(short).join(', ')}` : '';
    const s = state.stats;
    if (s) {
      const lost = s.nodes.reduce((n, x) => n + x.overruns + x.dropped, 0);
      const nodes = s.nodes.map((n) => `${n.role} ${n.connected ? 'observed' : `not observed (${n.detail})`}`).join(', ');
      footer.textContent = `${s.observed} flows counted · ${nodes}` + (lost ? ` · ${lost} events lost: counts may be short` : '')
        + (s.maxLagMillis ? ` · last window ${s.maxLagMillis} ms after the node saw it` : '');
    }
  }

  function countsFor(service, map) {
    return [...map.values()].filter((c) => c.service === service.key);
  }

  function drawDiagram(service, topo) {
    diagram.replaceChildren();
    if (!service) {
      diagram.setAttribute('viewBox', '0 0 600 60');
      diagram.append(svg('text', { x: 300, y: 35, 'text-anchor': 'middle', class: 'muted-text' },
        'No Services yet: create one and its pods appear here.'));
      return;
    }
    const totals = countsFor(service, state.totals);
    const recent = countsFor(service, state.recent);
    // Clients: one per source and path (a pod through the ClusterIP, outside through the NodePort...).
    const clients = new Map();
    for (const c of totals) {
      const id = `${c.source}|${c.via}`;
      const entry = clients.get(id) || { label: c.sourceKind === 'outside' ? `outside (${c.source})` : short(c.source),
        via: c.via, kind: c.sourceKind, count: 0, hot: false };
      entry.count += c.count;
      clients.set(id, entry);
    }
    for (const c of recent) clients.get(`${c.source}|${c.via}`).hot = true;
    // Pods: what the selector matches, what the endpoints name, and whoever answered before.
    const pods = new Map();
    const podInfo = new Map(topo.pods.map((p) => [p.key, p]));
    const add = (key) => { if (!pods.has(key)) pods.set(key, { key, count: 0, hot: false, failed: 0 }); return pods.get(key); };
    service.pods.forEach(add);
    service.endpoints.forEach((e) => add(e.pod || e.ip));
    for (const c of totals) {
      const p = add(c.endpoint);
      p.count += c.count;
      if (c.result !== 'ok') p.failed += c.count;
    }
    for (const c of recent) add(c.endpoint).hot = true;

    const rows = Math.max(clients.size, pods.size, 1);
    const height = Math.max(140, rows * 46 + 20);
    diagram.setAttribute('viewBox', `0 0 600 ${height}`);
    const mid = height / 2;
    const svc = { x: 230, y: mid - 45, w: 140, h: 90 };
    const lines = [];
    [...clients.values()].forEach((c, i) => {
      const y = (height / (clients.size + 1)) * (i + 1);
      lines.push(svg('path', { d: `M150 ${y} C190 ${y} 190 ${mid} ${svc.x} ${mid}`, class: `edge${c.hot ? ' hot' : ''}` }));
      const g = svg('g', { class: `node client ${c.kind}` });
      g.append(svg('rect', { x: 4, y: y - 18, width: 146, height: 36, rx: 6 }));
      g.append(svg('text', { x: 12, y: y - 3 }, clip(c.label, 22)));
      g.append(svg('text', { x: 12, y: y + 12, class: 'small' }, `${VIA_LABEL[c.via] || c.via} · ${c.count}`));
      lines.push(g);
    });
    const endpoints = new Map(service.endpoints.map((e) => [e.pod || e.ip, e]));
    [...pods.values()].forEach((p, i) => {
      const y = (height / (pods.size + 1)) * (i + 1);
      const info = podInfo.get(p.key);
      const ep = endpoints.get(p.key);
      const gone = p.key !== '-' && !info && !ep;
      const ready = ep ? ep.ready && !ep.terminating : false;
      lines.push(svg('path', { d: `M${svc.x + svc.w} ${mid} C410 ${mid} 410 ${y} 450 ${y}`,
        class: `edge${p.hot ? ' hot' : ''}${ep ? '' : ' none'}` }));
      const cls = p.key === '-' ? 'nothing' : gone ? 'gone' : ready ? 'ready' : 'notready';
      const g = svg('g', { class: `node pod ${cls}`, 'data-pod': p.key, 'data-count': p.count });
      g.append(svg('rect', { x: 450, y: y - 18, width: 146, height: 36, rx: 6 }));
      g.append(svg('text', { x: 458, y: y - 3 }, p.key === '-' ? 'no endpoint' : clip(short(p.key), 22)));
      const note = gone ? 'deleted' : !ep ? 'not an endpoint' : ready ? (info?.ip || ep.ip) : 'not ready';
      g.append(svg('text', { x: 458, y: y + 12, class: 'small' }, `${note} · ${p.count}${p.failed ? ` (${p.failed} failed)` : ''}`));
      lines.push(g);
    });
    diagram.append(...lines);
    const g = svg('g', { class: 'node service' });
    g.append(svg('rect', { x: svc.x, y: svc.y, width: svc.w, height: svc.h, rx: 8 }));
    const kind = service.externalName ? `ExternalName → ${service.externalName}`
      : service.headless ? 'headless (no ClusterIP)' : `${service.type} ${service.clusterIP}`;
    const port = service.ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol}`).join(' ');
    const text = [clip(service.key, 24), clip(kind, 26), clip(port, 26),
      service.externalIPs.length ? `external ${service.externalIPs.join(', ')}` : ''];
    text.filter(Boolean).forEach((t, i) => g.append(svg('text', { x: svc.x + 8, y: svc.y + 20 + i * 18, class: i ? 'small' : '' }, t)));
    diagram.append(g);
  }

  function drawBars(service) {
    bars.replaceChildren();
    if (!service) return;
    const perPod = new Map();
    for (const c of countsFor(service, state.totals)) perPod.set(c.endpoint, (perPod.get(c.endpoint) || 0) + c.count);
    const recent = new Map();
    for (const c of countsFor(service, state.recent)) recent.set(c.endpoint, (recent.get(c.endpoint) || 0) + c.count);
    const total = [...perPod.values()].reduce((a, b) => a + b, 0);
    if (!total) {
      bars.append(el('div', { class: 'muted' }, 'No requests observed yet. Send some, or curl the Service from the terminal.'));
      return;
    }
    bars.append(el('div', { class: 'bars-title' }, `Answers per pod (${total} requests)`));
    for (const [pod, n] of [...perPod.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
      const row = el('div', { class: `bar-row${recent.has(pod) ? ' hot' : ''}`, 'data-pod': pod, 'data-count': String(n) });
      row.append(el('span', { class: 'bar-label' }, pod === '-' ? 'no endpoint' : short(pod)));
      const track = el('span', { class: 'bar-track' });
      const fill = el('span', { class: 'bar-fill' });
      fill.style.width = `${(100 * n) / total}%`;
      track.append(fill);
      row.append(track, el('span', { class: 'bar-value' }, `${n} · ${Math.round((100 * n) / total)}%`));
      bars.append(row);
    }
  }

  function clip(text, n) {
    return text.length > n ? `${text.slice(0, n - 1)}…` : text;
  }

  // Connect once the cluster is ready, as the terminal does.
  document.addEventListener('servicelab:sandbox', (e) => {
    if (e.detail.state === 'READY') {
      wanted = true;
      connect();
    } else {
      wanted = false;
      socket?.close();
      status.textContent = 'waiting for the cluster';
    }
  });
  if (learner) {
    wanted = true;
    connect();
  }
}
