// The sandbox panel of the lab page: shows the learner's cluster as it starts (a progress bar
// with the current phase), when it is ready, and when it died, with the actions that fit.
import { api } from './api.js';

export function sandboxPanel(panel) {
  const lab = panel.dataset.sandboxPanel;
  const path = `/api/v1/labs/${lab}/sandbox`;
  let timer;

  async function refresh() {
    clearTimeout(timer);
    try {
      render(await api('GET', path));
    } catch (e) {
      renderError(e.message);
    }
  }

  async function act(method, suffix = '') {
    try {
      render(await api(method, path + suffix) ?? { state: 'NONE' });
    } catch (e) {
      renderError(e.message);
    }
  }

  function render(view) {
    panel.dataset.state = view.state;
    const starting = view.state === 'STARTING';
    const ready = view.state === 'READY';
    const expires = view.expiresAt ? new Date(view.expiresAt).toLocaleTimeString() : null;
    panel.innerHTML = `
      <strong>Your sandbox</strong>
      <span class="phase" data-testid="sandbox-phase">${label(view)}</span>
      ${starting || ready ? `<div class="progressbar"><span style="width:${view.percent}%"></span></div>` : ''}
      ${view.message ? `<span class="muted" data-testid="sandbox-message">${escapeHtml(view.message)}</span>` : ''}
      ${ready && expires ? `<span class="muted">Available until ${expires}</span>` : ''}
      <div class="actions"></div>`;
    const actions = panel.querySelector('.actions');
    if (!starting && !ready) actions.append(button(view.state === 'NONE' ? 'Start my cluster' : 'Start a fresh cluster', () => act('POST')));
    if (ready) {
      actions.append(button('More time', () => act('POST', '/extend'), true));
      actions.append(button('End cluster', () => act('DELETE'), true));
      const tunnel = button('Start tunnel', async () => {
        try {
          const on = tunnel.dataset.running === 'true';
          const state = await api(on ? 'DELETE' : 'POST', path + '/tunnel');
          tunnel.dataset.running = String(state.running);
          tunnel.textContent = state.running ? 'Stop tunnel' : 'Start tunnel';
        } catch (e) {
          renderError(e.message);
        }
      }, true);
      tunnel.dataset.testid = 'tunnel';
      tunnel.dataset.running = String(view.tunnel);
      tunnel.textContent = view.tunnel ? 'Stop tunnel' : 'Start tunnel';
      tunnel.title = 'Gives LoadBalancer Services an external IP, as minikube tunnel does';
      actions.append(tunnel);
    }
    document.dispatchEvent(new CustomEvent('servicelab:sandbox', { detail: view }));
    timer = setTimeout(refresh, starting ? 1000 : 10000);
  }

  function renderError(message) {
    panel.innerHTML = `<strong>Your sandbox</strong><div class="alert error">${escapeHtml(message)}</div>`;
    timer = setTimeout(refresh, 5000);
  }

  refresh();
}

function label(view) {
  switch (view.state) {
    case 'READY': return 'Ready';
    case 'STARTING': return `${view.phaseDescription} (${view.percent}%)`;
    case 'FROZEN': return 'Paused while you were away: waking your cluster…';
    case 'HIBERNATED': return 'Saved while you were away';
    case 'DEAD': return 'Stopped';
    case 'FAILED': return 'Could not start';
    case 'EXPIRED': return 'Expired';
    case 'DELETED': return 'Ended';
    default: return 'Not started';
  }
}

function button(text, onClick, secondary = false) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  if (secondary) b.className = 'secondary';
  b.addEventListener('click', onClick);
  return b;
}

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}
