// Entry point of the browser code: each page declares what it needs with data attributes,
// so the same bundle serves every page and nothing runs where it is not wanted.
import { enhanceCodeBlocks } from './code-blocks.js';
import { sandboxPanel } from './sandbox-panel.js';
import { stepChecks } from './step-checks.js';
import { dashboard } from './dashboard.js';
import { terminalPanel } from './terminal.js';
import { trafficPanel } from './traffic.js';
import { kubeProxyRulesPanel } from './kube-proxy-rules.js';

document.addEventListener('DOMContentLoaded', () => {
  document.querySelectorAll('[data-markdown]').forEach(enhanceCodeBlocks);
  document.querySelectorAll('[data-sandbox-panel]').forEach(sandboxPanel);
  document.querySelectorAll('[data-lab-page] details.step[data-step]').forEach(stepChecks);
  document.querySelectorAll('[data-dashboard]').forEach(dashboard);
  document.querySelectorAll('[data-terminal]').forEach(terminalPanel);
  document.querySelectorAll('[data-traffic]').forEach(trafficPanel);
  document.querySelectorAll('[data-kube-proxy-rules]').forEach(kubeProxyRulesPanel);
});
