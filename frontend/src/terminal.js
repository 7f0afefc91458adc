// The learner's terminal: xterm.js bound to a shell in their sandbox over /ws/terminal.
//
// Protocol. Server to browser: binary frames carry output, an 8-byte big-endian sequence number
// (the byte offset of the frame's first byte in the shell's output) followed by the bytes; text
// frames are JSON: {type:'ready', readOnly, seq, stream}, {type:'pong', t}, {type:'gap', skipped},
// {type:'exit', code}, {type:'error', message}. Browser to server, JSON text: {type:'hello', seq,
// stream} (the last sequence seen and the stream it counts, or -1 for a fresh page: the server
// replays what was missed), {type:'data', data}, {type:'resize', cols, rows}, {type:'ping', t}.
// Reconnects resume from the last sequence seen, so a dropped connection or a reload loses nothing
// the shell printed. Sequence numbers count the bytes of one replica's attach to the shell (its
// stream): reconnected to another replica, the page starts that replica's stream afresh, which
// begins with tmux redrawing the screen as it is now. A server
// that shuts down closes with 1012 (service restart) or 1001 (going away): the page reconnects at
// once, with a little jitter, instead of backing off.
import { restarting, soon } from './reconnect.js';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { WebLinksAddon } from '@xterm/addon-web-links';
import '@xterm/xterm/css/xterm.css';

export function terminalPanel(root) {
  const lab = root.dataset.terminal;
  const learner = root.dataset.learner || '';
  const tabs = root.querySelector('.terminal-tabs');
  const hosts = root.querySelector('.terminal-hosts');
  const sessions = new Map();
  let active;

  function open(tab) {
    if (!sessions.has(tab)) {
      const host = document.createElement('div');
      host.className = 'terminal-host';
      host.dataset.tab = tab;
      hosts.append(host);
      sessions.set(tab, new TerminalSession(host, lab, tab, learner));
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'secondary';
      button.textContent = `Shell ${tab}`;
      button.dataset.tab = tab;
      button.addEventListener('click', () => select(tab));
      tabs.insertBefore(button, tabs.querySelector('.new-tab'));
    }
    select(tab);
  }

  function select(tab) {
    active = tab;
    for (const [id, session] of sessions) session.show(id === tab);
    tabs.querySelectorAll('button[data-tab]').forEach((b) => b.classList.toggle('active', b.dataset.tab === tab));
  }

  const add = document.createElement('button');
  add.type = 'button';
  add.className = 'secondary new-tab';
  add.textContent = '+';
  add.title = 'Open another shell';
  add.addEventListener('click', () => {
    const next = String(sessions.size + 1);
    if (sessions.size < 4) open(next);
  });
  tabs.append(add);

  document.addEventListener('servicelab:run-command', (e) => sessions.get(active)?.type(`${e.detail.command}\r`));
  // The sandbox panel tells us when the cluster is ready: that is when a shell can attach.
  document.addEventListener('servicelab:sandbox', (e) => {
    if (e.detail.state === 'READY') {
      if (sessions.size === 0) open('1');
      for (const session of sessions.values()) session.ensureConnected();
    }
  });
  if (learner) open('1');
}

class TerminalSession {
  constructor(host, lab, tab, learner) {
    this.lab = lab;
    this.tab = tab;
    this.learner = learner;
    this.seq = -1;
    this.backoff = 500;
    this.closedForGood = false;
    this.term = new Terminal({ cursorBlink: true, fontSize: 13, scrollback: 5000, convertEol: false,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
      theme: { background: '#0f1724' } });
    this.fit = new FitAddon();
    this.term.loadAddon(this.fit);
    this.term.loadAddon(new WebLinksAddon());
    this.term.open(host);
    this.host = host;
    // Replayed history contains the terminal queries tmux once sent (device attributes and the
    // like). xterm answers whatever it parses; answers to old queries would reach the shell as
    // typed text, so they are dropped while history is replayed. Live queries are answered.
    this.replaying = 0;
    this.replayUntil = 0;
    this.term.onData((data) => {
      if (this.replaying > 0 && data.startsWith('\x1b')) return;
      this.send({ type: 'data', data });
    });
    this.term.onResize(({ cols, rows }) => this.send({ type: 'resize', cols, rows }));
    new ResizeObserver(() => this.refit()).observe(host);
    window.addEventListener('resize', () => this.refit());
    this.connect();
    setInterval(() => this.send({ type: 'ping', t: Date.now() }), 20000);
  }

  show(visible) {
    this.host.hidden = !visible;
    if (visible) {
      this.refit();
      this.term.focus();
    }
  }

  refit() {
    if (!this.host.hidden && this.host.clientWidth > 0) this.fit.fit();
  }

  type(text) {
    this.send({ type: 'data', data: text });
    this.term.focus();
  }

  ensureConnected() {
    if (!this.socket || this.socket.readyState > WebSocket.OPEN) {
      this.closedForGood = false;
      this.connect();
    }
  }

  connect() {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const params = new URLSearchParams({ lab: this.lab, tab: this.tab });
    if (this.learner) params.set('learner', this.learner);
    const socket = new WebSocket(`${scheme}://${location.host}/ws/terminal?${params}`);
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    socket.onmessage = (event) => {
      if (typeof event.data === 'string') {
        this.control(JSON.parse(event.data));
        return;
      }
      const view = new DataView(event.data);
      const from = Number(view.getBigUint64(0));
      const bytes = new Uint8Array(event.data, 8);
      // Skip what we already have (a replay after reconnect can overlap).
      const skip = this.seq > from ? Math.min(bytes.length, this.seq - from) : 0;
      if (skip < bytes.length) {
        if (from < this.replayUntil) {
          this.replaying++;
          this.term.write(bytes.subarray(skip), () => { this.replaying--; });
        } else {
          this.term.write(bytes.subarray(skip));
        }
      }
      this.seq = from + bytes.length;
      this.host.dataset.seq = String(this.seq);
    };
    socket.onclose = (event) => {
      this.host.dataset.connected = 'false';
      if (this.closedForGood) return;
      if (restarting(event)) {
        // The server is stopping and another replica (or its successor) takes over: come back soon.
        // The hello then resumes from this.seq, so nothing the shell printed is lost.
        setTimeout(() => this.connect(), soon());
        return;
      }
      setTimeout(() => this.connect(), this.backoff);
      this.backoff = Math.min(this.backoff * 2, 10000);
    };
  }

  control(message) {
    switch (message.type) {
      case 'ready':
        this.backoff = 500;
        // Another stream (another replica, a new shell): our offsets mean nothing in it.
        if (message.stream !== this.stream) this.seq = -1;
        this.stream = message.stream;
        this.replayUntil = message.seq;
        this.host.dataset.connected = 'true';
        this.term.options.disableStdin = message.readOnly;
        this.send({ type: 'hello', seq: this.seq, stream: this.stream });
        this.refit();
        this.send({ type: 'resize', cols: this.term.cols, rows: this.term.rows });
        break;
      case 'gap':
        this.term.write('\r\n\x1b[33m[output skipped: the shell printed faster than this page could show]\x1b[0m\r\n');
        break;
      case 'exit':
        this.closedForGood = true;
        this.term.write(`\r\n\x1b[33m[shell ended with code ${message.code}; press Enter for a new one]\x1b[0m\r\n`);
        this.term.onKey(() => { if (this.closedForGood) { this.closedForGood = false; this.seq = -1; this.connect(); } });
        break;
      case 'error':
        this.closedForGood = true;
        this.term.write(`\r\n\x1b[31m${message.message}\x1b[0m\r\n`);
        setTimeout(() => { this.closedForGood = false; }, 4000);
        break;
      default:
        break;
    }
  }

  send(message) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }
}
