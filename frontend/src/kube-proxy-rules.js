// The kube-proxy rules panel of the lab page: a node's NAT rules (the KUBE-* chains), read by the
// server from the node itself, since the learner's pods cannot see the node's network stack. It is
// read-only and loaded only when opened or refreshed; a filter keeps the rules that mention a word
// (a Service name, a chain) together with the chains they jump to.
import { api } from './api.js';

export function kubeProxyRulesPanel(panel) {
  const lab = panel.dataset.kubeProxyRules;
  const nodes = Number(panel.dataset.nodes || '1');
  const details = panel.querySelector('details');
  const pre = panel.querySelector('[data-testid=kube-proxy-rules-text]');
  const status = panel.querySelector('[data-testid=kube-proxy-rules-status]');
  const filter = panel.querySelector('input[name=filter]');
  const nodeSelect = panel.querySelector('select[name=node]');
  let lines = [];

  if (nodes < 2) nodeSelect.hidden = true;

  function show() {
    const word = filter.value.trim();
    if (!word) {
      pre.textContent = lines.join('\n');
      return;
    }
    // Rules that mention the word, plus every rule of a chain those rules jump to (one level down).
    const hits = lines.filter((l) => l.includes(word));
    const targets = new Set(hits.map((l) => (l.match(/ -j (KUBE-\S+)/) || [])[1]).filter(Boolean));
    pre.textContent = lines.filter((l) => l.includes(word)
      || [...targets].some((t) => l.startsWith(`-A ${t} `))).join('\n') || `No rule mentions "${word}".`;
  }

  async function load() {
    status.textContent = 'Reading the node\'s rules…';
    try {
      const view = await api('GET', `/api/v1/labs/${lab}/sandbox/kube-proxy-rules?node=${nodeSelect.value}`);
      lines = view.lines;
      status.textContent = `${view.count} rules on node ${view.node}, read at ${new Date().toLocaleTimeString()}`;
      show();
    } catch (error) {
      lines = [];
      pre.textContent = '';
      status.textContent = error.message;
    }
  }

  details.addEventListener('toggle', () => { if (details.open) load(); });
  panel.querySelector('[data-testid=kube-proxy-rules-refresh]').addEventListener('click', load);
  nodeSelect.addEventListener('change', load);
  filter.addEventListener('input', show);
}
