// The instructor's cohort dashboard: the learners × steps grid and the sandbox states follow
// learners live over Server-Sent Events (EventSource reconnects by itself, to any replica), and
// sandbox buttons call the cohort API.
import { api } from './api.js';

const MARKS = { PASSED: '✓', IN_PROGRESS: '…', NOT_STARTED: '' };

export function dashboard(root) {
  const cohort = root.dataset.dashboard;
  const state = root.querySelector('[data-testid=live-state]');
  const events = new EventSource(`/instructor/cohorts/${cohort}/events`);

  events.addEventListener('ready', () => {
    root.dataset.live = 'connected';
    if (state) state.textContent = 'live';
  });
  events.addEventListener('error', () => {
    root.dataset.live = 'reconnecting';
    if (state) state.textContent = 'reconnecting…';
  });
  events.addEventListener('progress', (e) => showProgress(root, JSON.parse(e.data)));
  events.addEventListener('attempt', (e) => showAttempt(root, JSON.parse(e.data)));
  events.addEventListener('sandbox', (e) => showSandbox(root, JSON.parse(e.data)));
  // The server lost its feed of other replicas' events for a while: what it missed is in the page.
  events.addEventListener('resync', () => window.location.reload());

  root.querySelectorAll('[data-sandbox-action]').forEach((button) => {
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        const sandbox = await api(button.dataset.method, button.dataset.sandboxAction);
        showState(button.closest('tr'), sandbox);
      } catch (e) {
        showError(root, e.message);
      } finally {
        button.disabled = false;
      }
    });
  });
}

function showProgress(root, update) {
  const row = root.querySelector(`tr[data-learner="${CSS.escape(update.username)}"]`);
  if (!row) return; // joined after the page loaded: the next reload shows them
  for (const step of update.steps) {
    const cell = row.querySelector(`td[data-lab="${CSS.escape(update.labId)}"][data-step="${CSS.escape(step.stepId)}"]`);
    if (!cell || cell.dataset.status === step.status) continue;
    cell.dataset.status = step.status;
    cell.classList.remove('passed', 'in_progress', 'not_started');
    cell.classList.add(step.status.toLowerCase(), 'changed');
    cell.textContent = MARKS[step.status] ?? '';
  }
}

function showAttempt(root, attempt) {
  const row = root.querySelector(`tr[data-learner="${CSS.escape(attempt.username)}"]`);
  const cell = row?.querySelector(`td[data-lab="${CSS.escape(attempt.labId)}"][data-step="${CSS.escape(attempt.stepId)}"]`);
  if (cell && !attempt.passed && attempt.message) cell.title = `Last check failed: ${attempt.message}`;
}

// A sandbox event carries its state and the same in words ("waiting, number 2 in the queue, ~3 min"):
// the learner's grid row shows what they have now, their panel each lab's latest sandbox.
function showSandbox(root, sandbox) {
  showInGrid(root, sandbox);
  const panel = root.querySelector(`[data-learner-panel="${CSS.escape(sandbox.username)}"]`);
  const list = panel?.querySelector('[data-sandboxes]');
  if (!list) return;
  let row = list.querySelector(`tr[data-sandbox="${CSS.escape(sandbox.sandboxId)}"]`);
  if (!row) {
    const body = list.querySelector('tbody');
    if (!body) {
      // No table yet (the learner had no sandbox): say what happened; a reload shows the buttons.
      list.querySelector('[data-no-sandbox]').textContent = `${sandbox.labId}: ${sandbox.status} (reload to manage it)`;
      return;
    }
    row = body.insertRow(0);
    row.dataset.sandbox = sandbox.sandboxId;
    row.insertCell().textContent = sandbox.labId;
    row.insertCell().className = 'sandbox-state-cell';
    row.insertCell();
    row.insertCell();
    row.insertCell().className = 'actions';
  }
  showState(row, sandbox);
}

const CURRENT = ['QUEUED', 'STARTING', 'READY', 'FROZEN'];

function showState(row, sandbox) {
  const cell = row.querySelector('.sandbox-state-cell');
  cell.dataset.state = sandbox.state;
  cell.textContent = sandbox.status ?? sandbox.state;
  if (!['STARTING', 'READY', 'FROZEN'].includes(sandbox.state)) row.querySelector('.actions').textContent = '';
}

function showInGrid(root, sandbox) {
  const cell = root.querySelector(`td[data-sandbox-status="${CSS.escape(sandbox.username)}"]`);
  if (!cell) return;
  const current = CURRENT.includes(sandbox.state);
  // An old sandbox of another lab ending says nothing about the one the learner has now.
  if (!current && cell.dataset.current === 'true' && cell.dataset.sandbox !== sandbox.sandboxId) return;
  cell.dataset.sandbox = sandbox.sandboxId;
  cell.dataset.state = sandbox.state;
  cell.dataset.current = String(current);
  cell.title = sandbox.labId + (sandbox.message ? `: ${sandbox.message}` : '');
  cell.querySelector('.words').textContent = sandbox.status ?? sandbox.state;
  cell.querySelector('.lab').textContent = sandbox.labId;
}

function showError(root, message) {
  const box = root.querySelector('[data-dashboard-error]');
  box.textContent = message;
  box.hidden = false;
}
