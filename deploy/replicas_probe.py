#!/usr/bin/env python3
"""Clients that act as a browser does, for the Kubernetes install test's replica checks
(deploy/k8s-checks/replicas.sh); standard library only. Each prints what it saw, exits 0 when the
behaviour holds and 1 otherwise.
  replicas_probe.py session SIGN_IN_URL OTHER_URL USER PASSWORD
      signs in through the login form of one replica (CSRF token and cookie jar, as a browser),
      then uses only that session cookie on the other replica: a page and /api/v1/me
  replicas_probe.py dashboard DASHBOARD_URL CHECK_URL INSTRUCTOR PASSWORD COHORT LEARNER PASSWORD LAB STEP
      the instructor's dashboard stream (Server-Sent Events, signed in through the form) on one
      replica; the learner checks a step through the other; prints the lag from the check's answer
      to the attempt event
  replicas_probe.py run URL USER PASSWORD LAB TAB "TYPED LINE" REGEX [TIMEOUT_S]
      types a line into the terminal tab and prints the first match of REGEX in its output
  replicas_probe.py follow URL_A URL_B USER PASSWORD LAB TAB STATE_FILE [PAUSE_S]
      starts numbered lines in the terminal tab through A, writes STATE_FILE once they flow, and
      when A closes the socket reconnects to B as terminal.js does (hello with the last sequence
      number) after PAUSE_S; checks the numbers go on and none printed meanwhile is missing"""
import base64, http.client, http.cookiejar, json, os, re, socket, struct, sys, threading, time
import urllib.error, urllib.parse, urllib.request


def fail(message):
    print(message)
    sys.exit(1)


# --- browser sign-in --------------------------------------------------------------------------

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(base, user, password):
    """The login form as a browser submits it; returns the session cookie ("NAME=value")."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
    page = opener.open(f"{base}/login", timeout=20).read().decode()
    form = {"username": user, "password": password}
    token = re.search(r'name="_csrf"\s+value="([^"]+)"', page) or re.search(r'value="([^"]+)"\s+name="_csrf"', page)
    if token:
        form["_csrf"] = token.group(1)
    try:
        opener.open(f"{base}/login", data=urllib.parse.urlencode(form).encode(), timeout=20)
        fail("the login form did not redirect")
    except urllib.error.HTTPError as e:
        if e.code != 302 or "error" in (e.headers.get("Location") or ""):
            fail(f"signing in through the form failed: {e.code} {e.headers.get('Location')}")
    sessions = [c for c in jar if c.name in ("SESSION", "JSESSIONID")]
    if not sessions:
        fail(f"no session cookie after signing in; cookies: {[c.name for c in jar]}")
    return f"{sessions[0].name}={sessions[0].value}", bool(token)


def get(base, path, cookie, accept="application/json"):
    request = urllib.request.Request(f"{base}{path}", headers={"Cookie": cookie, "Accept": accept})
    opener = urllib.request.build_opener(NoRedirect())
    try:
        with opener.open(request, timeout=20) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Location") or ""


def session(sign_in_url, other_url, user, password):
    cookie, csrf = sign_in(sign_in_url, user, password)
    print(f"signed in through the form on {sign_in_url} (CSRF token in the form: {csrf})")
    status, body = get(other_url, "/api/v1/me", cookie)
    me = json.loads(body).get("username") if status == 200 else None
    page, _ = get(other_url, "/", cookie, "text/html")
    print(f"the same cookie on {other_url}: /api/v1/me {status} ({me}), / {page}")
    sys.exit(0 if status == 200 and me == user and page == 200 else 1)


def dashboard(dash_url, check_url, instructor, instructor_pw, cohort, learner, learner_pw, lab, step):
    cookie, _ = sign_in(dash_url, instructor, instructor_pw)
    url = urllib.parse.urlparse(dash_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    conn.request("GET", f"/instructor/cohorts/{cohort}/events", headers={"Cookie": cookie, "Accept": "text/event-stream"})
    stream = conn.getresponse()
    if stream.status != 200:
        fail(f"the dashboard stream answered {stream.status}")
    events, ready = [], threading.Event()

    def listen():
        name = None
        try:
            while True:
                line = stream.readline()
                if not line:
                    return
                line = line.decode().rstrip("\r\n")
                if line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:") and name:
                    events.append((time.monotonic(), name, line[5:].strip()))
                    if name == "ready":
                        ready.set()
                elif not line:
                    name = None
        except (OSError, ValueError):
            return

    threading.Thread(target=listen, daemon=True).start()
    if not ready.wait(20):
        fail("the dashboard stream sent no ready event")
    auth = base64.b64encode(f"{learner}:{learner_pw}".encode()).decode()
    request = urllib.request.Request(f"{check_url}/api/v1/labs/{lab}/steps/{step}/checks", data=b"", method="POST",
                                     headers={"Authorization": f"Basic {auth}", "Accept": "application/json"})
    sent = time.monotonic()
    with urllib.request.urlopen(request, timeout=180) as response:
        report = json.loads(response.read())
    answered = time.monotonic()
    print(f"the check through {check_url} answered in {answered - sent:.2f} s (passed: {report.get('passed')})")
    deadline = answered + 5
    while time.monotonic() < deadline:
        for at, name, data in events:
            if name == "attempt" and json.loads(data).get("username") == learner:
                lag = at - answered
                # The event is sent when the attempt commits, which can be before the answer arrives here.
                print(f"dashboard-lag-ms={lag * 1000:.1f}: the attempt reached the dashboard on {dash_url} "
                      f"{abs(lag) * 1000:.1f} ms {'after' if lag >= 0 else 'before'} the check's answer "
                      f"({(at - sent) * 1000:.0f} ms after the check was sent)")
                sys.exit(0 if lag < 1.0 else 1)
        time.sleep(0.01)
    fail(f"no attempt event within 5 s of the answer; events: {[n for _, n, _ in events]}")


# --- terminal socket ---------------------------------------------------------------------------

class Terminal:
    """The terminal socket as terminal.js speaks it: output frames carry their byte offset."""

    def __init__(self, base, user, password, lab, tab):
        url = urllib.parse.urlparse(base)
        self.sock = socket.create_connection((url.hostname, url.port or 80), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        auth = base64.b64encode(f"{user}:{password}".encode()).decode()
        self.sock.sendall((f"GET /ws/terminal?lab={lab}&tab={tab} HTTP/1.1\r\nHost: {url.netloc}\r\n"
                           f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           f"Sec-WebSocket-Version: 13\r\nOrigin: {base}\r\nAuthorization: Basic {auth}\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError("connection closed during the handshake")
            head += chunk
        status = head.split(b"\r\n", 1)[0].decode()
        if " 101 " not in status:
            raise EOFError(f"handshake refused: {status}")
        self.buffer = head.split(b"\r\n\r\n", 1)[1]
        self.sock.settimeout(1)

    def send(self, obj):
        payload = json.dumps(obj).encode()
        mask = os.urandom(4)
        n = len(payload)
        header = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n))
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _need(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buffer += chunk

    def frame(self):
        """(opcode, payload), or None when nothing came within a second."""
        try:
            self._need(2)
            opcode, n, offset = self.buffer[0] & 0x0F, self.buffer[1] & 0x7F, 2
            if n == 126:
                self._need(4); n = struct.unpack(">H", self.buffer[2:4])[0]; offset = 4
            elif n == 127:
                self._need(10); n = struct.unpack(">Q", self.buffer[2:10])[0]; offset = 10
            self._need(offset + n)
        except socket.timeout:
            return None
        data, self.buffer = self.buffer[offset:offset + n], self.buffer[offset + n:]
        return opcode, data


def read_frame(term):
    """The next frame; a connection that ends without a close frame reads as a close without code."""
    try:
        return term.frame()
    except (EOFError, OSError):
        return 0x8, b""


def run(base, user, password, lab, tab, typed, pattern, timeout=60):
    term = Terminal(base, user, password, lab, tab)
    seen, typed_yet, deadline = b"", False, time.time() + float(timeout)
    while time.time() < deadline:
        got = read_frame(term)
        if got is None:
            continue
        opcode, data = got
        if opcode == 0x8:
            fail(f"closed by the server: {data[2:].decode(errors='replace')}")
        if opcode == 0x1:
            msg = json.loads(data)
            if msg.get("type") == "ready" and not typed_yet:
                term.send({"type": "hello", "seq": -1})
                term.send({"type": "data", "data": typed + "\r"})
                typed_yet = True
        elif opcode == 0x2:
            seen += data[8:]
            match = re.search(pattern.encode(), seen)
            if match:
                print(match.group(0).decode(errors="replace"))
                sys.exit(0)
    fail(f"did not see {pattern!r} in {seen[-400:]!r}")


TICK = re.compile(rb"TICK(\d+)TOCK")


def follow(url_a, url_b, user, password, lab, tab, state_file, pause="3"):
    """Numbered lines through A; A goes away; B carries on from the last sequence number."""
    pause = float(pause)
    term = Terminal(url_a, user, password, lab, tab)
    seq, stream, text_a, close = -1, None, b"", None
    started = False
    while close is None:
        got = read_frame(term)
        if got is None:
            continue
        opcode, data = got
        if opcode == 0x8:
            close = (struct.unpack(">H", data[:2])[0] if len(data) >= 2 else None, data[2:].decode(errors="replace"))
        elif opcode == 0x1:
            msg = json.loads(data)
            if msg.get("type") == "ready":
                stream = msg.get("stream")
                term.send({"type": "hello", "seq": seq})
                term.send({"type": "resize", "cols": 100, "rows": 30})
                if not started:
                    # Output enough first that A's sequence number lies far beyond where B's stream starts.
                    term.send({"type": "data", "data": "clear; yes filler-line | head -n 20000; clear; "
                               "for i in $(seq 1 100000); do echo TICK${i}TOCK; sleep 0.5; done\r"})
                    started = True
        elif opcode == 0x2:
            frm = struct.unpack(">Q", data[:8])[0]
            body = data[8:]
            skip = max(0, min(len(body), seq - frm)) if seq > frm else 0
            text_a += body[skip:]
            seq = frm + len(body)
            numbers = [int(n) for n in TICK.findall(text_a)]
            if len(numbers) >= 3 and not os.path.exists(state_file):
                with open(state_file, "w") as f:
                    f.write(f"{numbers[-1]}\n")
    left, seq_at_close = time.monotonic(), seq
    last_a = max(int(n) for n in TICK.findall(text_a))
    print(f"replica A closed the socket with {close[0]} \"{close[1]}\" after line {last_a} (sequence {seq})")
    time.sleep(pause)  # lines go on in tmux meanwhile
    term = Terminal(url_b, user, password, lab, tab)
    text_b, ready_b, dropped = b"", None, 0
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        got = read_frame(term)
        if got is None:
            continue
        opcode, data = got
        if opcode == 0x8:
            break
        if opcode == 0x1:
            msg = json.loads(data)
            if msg.get("type") == "ready":
                ready_b = msg
                # terminal.js: offsets of another stream (another replica's shell) mean nothing here.
                if msg.get("stream") != stream:
                    seq = -1
                term.send({"type": "hello", "seq": seq, **({"stream": stream} if stream else {})})
                term.send({"type": "resize", "cols": 100, "rows": 30})
        elif opcode == 0x2:
            frm = struct.unpack(">Q", data[:8])[0]
            body = data[8:]
            skip = max(0, min(len(body), seq - frm)) if seq > frm else 0
            dropped += skip
            text_b += body[skip:]
            seq = frm + len(body)
            numbers = sorted({int(n) for n in TICK.findall(text_b)})
            if numbers and numbers[-1] >= last_a + pause / 0.5 + 4:
                break
    term.send({"type": "data", "data": "\x03"})  # stop the loop
    numbers = sorted({int(n) for n in TICK.findall(text_b)})
    if not numbers:
        fail(f"replica B showed no numbered line; ready: {ready_b}; output: {text_b[-300:]!r}")
    first_live = numbers[-1]
    missing = [n for n in range(last_a + 1, first_live + 1) if n not in numbers]
    after = time.monotonic() - left
    print(f"replica B (ready {ready_b}) showed lines {numbers[0]}..{numbers[-1]} {after:.1f} s after A closed; "
          f"of those after A's last ({last_a + 1}..{numbers[-1]}; no socket was open for {pause:.0f} s of them) "
          f"missing: {missing or 'none'}")
    # B counts the bytes of its own attach to tmux: A's sequence number names nothing in it.
    fresh = ready_b is not None and (ready_b.get("stream") != stream or ready_b.get("seq", 0) < seq_at_close)
    how = "tmux's redraw of its screen when B attached (B's stream from its start)" if fresh else "replay from the sequence number"
    # Bytes of B's stream the client took for ones it had seen: B's offsets compared with A's.
    print(f"shown by: {how}; bytes of B's output dropped as already seen: {dropped}")
    ok = close[0] in (1012, 1001) and not missing and numbers[-1] > last_a and numbers[0] <= last_a + 1 and dropped == 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"session": session, "dashboard": dashboard, "run": run, "follow": follow}[command](*args)
