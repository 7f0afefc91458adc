// The sandbox panel of the lab page: shows the learner's cluster as it starts (a progress bar
// with the current phase), when it is ready, and when it died, with the actions that fit. When the
// server is full the learner waits in a queue: the panel shows their place and an estimate, and
// asks every few seconds, which keeps them in the queue (closing the page leaves it).
// While the learner uses the page (keys, pointer, scrolling) it tells the server once a minute,
// which keeps the cluster from being removed as idle; shortly before the idle timeout or the
// time limit it warns, with one click to keep the cluster or give it more time.
import { api } from './api.js';

const HEARTBEAT_MS = 60_000;
const WARN_BEFORE_MS = 5 * 60_000;

export function sandboxPanel(panel) {
  const lab = panel.dataset.sandboxPanel;
  const path = `/api/v1/labs/${lab}/sandbox`;
  let timer;
  let used = false;
  let ready = false;
  let waking = false;
  const sleeping = () => ['FROZEN', 'HIBERNATED'].includes(panel.dataset.state);

  for (const type of ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart']) {
    document.addEventListener(type, () => {
      used = true;
      // Back at a paused or saved cluster: wake it now rather than at the next heartbeat.
      if (sleeping() && !waking) {
        waking = true;
        api('POST', path + '/keep-alive').then(render, () => {}).finally(() => { waking = false; });
      }
    }, { passive: true, capture: true });
  }
  setInterval(async () => {
    if (!ready || !used || document.visibilityState !== 'visible') return;
    used = false;
    try {
      render(await api('POST', path + '/keep-alive'));
    } catch (e) {
      // the next refresh shows what is wrong
    }
  }, HEARTBEAT_MS);

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
    const queued = view.state === 'QUEUED';
    ready = view.state === 'READY';
    const expires = view.expiresAt ? new Date(view.expiresAt).toLocaleTimeString() : null;
    const warning = ready ? expiryWarning(view) : null;
    panel.innerHTML = `
      <strong>Your sandbox</strong>
      <span class="phase" data-testid="sandbox-phase">${label(view)}</span>
      ${starting || ready ? `<div class="progressbar"><span style="width:${view.percent}%"></span></div>` : ''}
      ${view.message ? `<span class="muted" data-testid="sandbox-message">${escapeHtml(view.message)}</span>` : ''}
      ${ready && expires ? `<span class="muted">Available until ${expires}</span>` : ''}
      ${warning ? `<div class="alert warning" data-testid="sandbox-warning">${escapeHtml(warning.text)}</div>` : ''}
      <div class="actions"></div>`;
    if (warning) {
      const keep = button(warning.action, () => act('POST', warning.suffix));
      keep.dataset.testid = 'sandbox-keep';
      panel.querySelector('[data-testid=sandbox-warning]').append(' ', keep);
    }
    const actions = panel.querySelector('.actions');
    if (queued) {
      actions.append(button('Leave the queue', () => act('DELETE'), true));
    } else if (!starting && !ready) {
      const text = view.state === 'NONE' ? 'Start my cluster'
        : ['FROZEN', 'HIBERNATED'].includes(view.state) ? 'Wake my cluster'
          // A stopped or expired cluster may come back from its last save; an ended one starts fresh.
          : ['DEAD', 'EXPIRED'].includes(view.state) ? 'Start my cluster again' : 'Start a fresh cluster';
      actions.append(button(text, () => act('POST')));
    }
    if (!queued && view.state !== 'NONE') {
      const over = button('Start over…', () => startOverDialog(path, render, renderError), true);
      over.dataset.testid = 'start-over';
      actions.append(over);
    }
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
    // Near a deadline, refresh often enough for the countdown to be right to the minute.
    timer = setTimeout(refresh, starting ? 1000 : queued ? 3000 : warning ? 5000 : 10000);
  }

  function renderError(message) {
    panel.innerHTML = `<strong>Your sandbox</strong><div class="alert error">${escapeHtml(message)}</div>`;
    timer = setTimeout(refresh, 5000);
  }

  refresh();
}

// The warning to show when the cluster is about to be removed, or null. A short idle timeout (a
// test's, or an operator's) warns at half of it rather than five minutes before.
function expiryWarning(view) {
  const now = Date.now();
  const idleAt = view.idleExpiresAt ? Date.parse(view.idleExpiresAt) : null;
  const limitAt = view.expiresAt ? Date.parse(view.expiresAt) : null;
  const idleWarn = Math.min(WARN_BEFORE_MS, (view.idleTimeoutSeconds || 0) * 500);
  if (limitAt && (!idleAt || limitAt <= idleAt) && limitAt - now <= WARN_BEFORE_MS) {
    return {
      text: `Your cluster reaches its time limit ${inMinutes(limitAt - now)} and will be removed (your progress is kept).`,
      action: 'More time', suffix: '/extend',
    };
  }
  if (idleAt && idleAt - now <= idleWarn) {
    return {
      text: `Nothing has happened in your cluster for a while: it will be removed ${inMinutes(idleAt - now)}.`,
      action: 'Keep it', suffix: '/keep-alive',
    };
  }
  return null;
}

function inMinutes(ms) {
  const minutes = Math.ceil(Math.max(0, ms) / 60_000);
  return minutes <= 1 ? 'within a minute' : `in ${minutes} minutes`;
}

function label(view) {
  switch (view.state) {
    case 'READY': return 'Ready';
    case 'STARTING':
      // Restoring a saved cluster goes through the same phases as a start: say what it is for.
      return view.waking && view.phase !== 'WAKING'
        ? `Waking your cluster: ${view.phaseDescription} (${view.percent}%)`
        : `${view.phaseDescription} (${view.percent}%)`;
    case 'QUEUED': return queueLabel(view);
    case 'FROZEN': return 'Paused while you were away: waking your cluster…';
    case 'HIBERNATED': return 'Saved while you were away';
    case 'DEAD': return 'Stopped';
    case 'FAILED': return 'Could not start';
    case 'EXPIRED': return 'Expired';
    case 'DELETED': return 'Ended';
    default: return 'Not started';
  }
}

// "You are number 3 in the queue, about 2 minutes": the server is full and frees slots as others end.
function queueLabel(view) {
  const place = view.queuePosition ? `You are number ${view.queuePosition} in the queue` : 'You are in the queue';
  if (view.queueWaitSeconds == null) return `${place} for a free slot`;
  const minutes = Math.round(view.queueWaitSeconds / 60);
  return `${place}, ${minutes <= 1 ? 'about a minute' : `about ${minutes} minutes`}`;
}

// Asks where to start over from: the learner's progress, or the start of one of the page's steps.
// A dialog of its own, outside the panel, which re-renders every few seconds.
function startOverDialog(path, render, renderError) {
  const dialog = document.createElement('dialog');
  dialog.className = 'start-over';
  dialog.dataset.testid = 'start-over-dialog';
  const steps = [...document.querySelectorAll('details.step[data-step]')].map((step, i) => ({
    id: step.dataset.step, title: step.querySelector('summary strong')?.textContent ?? step.dataset.step, n: i + 1,
  }));
  dialog.innerHTML = `
    <form method="dialog">
      <p><strong>Start your cluster over?</strong> Your cluster and everything you made in it are discarded;
      a fresh one starts. Your progress is kept.</p>
      <label>Prepared for
        <select name="step">
          <option value="">where you are now (the steps you passed, solved)</option>
          ${steps.map((s) => `<option value="${escapeHtml(s.id)}">the start of step ${s.n}: ${escapeHtml(s.title)}</option>`).join('')}
        </select>
      </label>
      <div class="actions">
        <button type="submit" value="go" data-testid="start-over-confirm">Discard it and start over</button>
        <button type="submit" value="cancel" class="secondary">Cancel</button>
      </div>
    </form>`;
  document.body.append(dialog);
  dialog.addEventListener('close', async () => {
    const step = dialog.querySelector('select').value;
    const go = dialog.returnValue === 'go';
    dialog.remove();
    if (!go) return;
    try {
      render(await api('POST', path + '/start-over', step ? { step } : {}));
    } catch (e) {
      renderError(e.message);
    }
  });
  dialog.showModal();
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
