// Shell snippets in lab instructions get a copy button and a "run" button. "Run" asks the terminal
// (when the page has one) to type the command; the terminal listens for this event.
export function enhanceCodeBlocks(root) {
  root.querySelectorAll('pre > code').forEach((code) => {
    const pre = code.parentElement;
    const language = [...code.classList].find((c) => c.startsWith('language-'))?.slice(9);
    const bar = document.createElement('div');
    bar.className = 'codebar';
    bar.append(button('Copy', () => navigator.clipboard?.writeText(code.innerText.trimEnd())));
    if (language === 'sh' || language === 'bash' || language === 'shell') {
      bar.append(button('Run', () => document.dispatchEvent(
        new CustomEvent('servicelab:run-command', { detail: { command: code.innerText.trimEnd() } }))));
    }
    pre.append(bar);
  });
}

function button(label, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.addEventListener('click', onClick);
  return b;
}
