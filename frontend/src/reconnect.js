// Close codes of a server that stops on purpose: 1012 (service restart, sent by ServiceLab on
// shutdown) and 1001 (going away, sent by proxies and servers as they stop). Another replica, or
// the restarted one, serves the next connection, so sockets come back at once instead of backing
// off; the jitter spreads a whole replica's clients over half a second.
export function restarting(event) {
  return event.code === 1012 || event.code === 1001;
}

export function soon() {
  return 100 + Math.random() * 400;
}
