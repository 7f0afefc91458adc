// "Check my work" and "Hint" on each step of the lab page. The server checks the learner's own
// cluster and streams every check's verdict and message; a pass moves the page to the next step.
import { api, streamChecks } from './api.js';
import { escapeHtml } from './sandbox-panel.js';

export function stepChecks(step) {
  const lab = step.closest('[data-lab-page]').dataset.labPage;
  const stepId = step.dataset.step;
  const body = step.querySelector('.body');
  const bar = document.createElement('div');
  bar.className = 'step-actions';
  const check = button('Check my work', runChecks);
  check.dataset.testid = 'check-step';
  const hint = button('Hint', showHint, true);
  bar.append(check, hint);
  const results = document.createElement('ul');
  results.className = 'checks';
  results.dataset.testid = 'check-results';
  body.append(bar, results);

  // Results stream in (server-sent events over a POST): every check's line appears at once and
  // fills in as its verdict arrives, so a wrong answer shows in a moment, not after the slowest check.
  async function runChecks() {
    check.disabled = true;
    check.textContent = 'Checking…';
    results.innerHTML = '';
    delete step.dataset.result;
    try {
      const report = await streamChecks(`/api/v1/labs/${lab}/steps/${stepId}/checks`, {
        checks: ({ checks }) => {
          results.innerHTML = checks.map((c) => `
            <li class="pending"><strong>… ${escapeHtml(c.title)}</strong><span class="msg">Checking…</span></li>`).join('');
        },
        result: (r) => {
          const item = results.children[r.index];
          if (item) item.outerHTML = resultItem(r);
        },
      });
      results.innerHTML = report.results.map(resultItem).join('');
      step.dataset.result = report.passed ? 'passed' : 'failed';
      if (report.passed) {
        results.insertAdjacentHTML('beforeend', '<li class="pass"><strong>Step passed.</strong></li>');
        setTimeout(() => window.location.reload(), 1200);
      }
    } catch (e) {
      results.innerHTML = `<li class="fail"><strong>Could not check</strong><span class="msg">${escapeHtml(e.message)}</span></li>`;
    } finally {
      check.disabled = false;
      check.textContent = 'Check my work';
    }
  }

  async function showHint() {
    try {
      const { hints } = await api('POST', `/api/v1/labs/${lab}/steps/${stepId}/hints`);
      let list = step.querySelector('.hints ol');
      if (!list) {
        step.querySelector('[data-markdown]').insertAdjacentHTML('afterend', '<div class="hints"><strong>Hints</strong><ol></ol></div>');
        list = step.querySelector('.hints ol');
      }
      list.innerHTML = hints.map((h) => `<li>${escapeHtml(h)}</li>`).join('');
    } catch (e) {
      results.innerHTML = `<li class="fail"><span class="msg">${escapeHtml(e.message)}</span></li>`;
    }
  }
}

// passed: ✔; wrong: ✘ (final); waiting: still converging (retried while the step is being checked).
function resultItem(r) {
  const state = r.state ?? (r.passed ? 'passed' : 'wrong');
  const cls = state === 'passed' ? 'pass' : state === 'waiting' ? 'fail waiting' : 'fail';
  const mark = state === 'passed' ? '✔' : state === 'waiting' ? '⏳' : '✘';
  return `
        <li class="${cls}">
          <strong>${mark} ${escapeHtml(r.title)}</strong>
          <span class="msg">${escapeHtml(r.message)}</span>
        </li>`;
}

function button(text, onClick, secondary = false) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  if (secondary) b.className = 'secondary';
  b.addEventListener('click', onClick);
  return b;
}
