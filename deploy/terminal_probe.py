#!/usr/bin/env python3
"""A minimal WebSocket client for the terminal socket (standard library only): connects to
/ws/terminal?lab=LAB&tab=N with Basic auth, types a line and waits until EXPECT appears in the
shell's output. Exit 0 when it does, 1 otherwise.
  terminal_probe.py BASE_URL USER PASSWORD LAB "TYPED LINE" EXPECT [TIMEOUT_S]"""
import base64, json, os, socket, struct, sys, time
from urllib.parse import urlparse

base, user, password, lab, typed, expect = sys.argv[1:7]
timeout = float(sys.argv[7]) if len(sys.argv) > 7 else 60
url = urlparse(base)
sock = socket.create_connection((url.hostname, url.port or 80), timeout=10)
key = base64.b64encode(os.urandom(16)).decode()
auth = base64.b64encode(f"{user}:{password}".encode()).decode()
sock.sendall((f"GET /ws/terminal?lab={lab}&tab=1 HTTP/1.1\r\nHost: {url.netloc}\r\nUpgrade: websocket\r\n"
              f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
              f"Origin: {base}\r\nAuthorization: Basic {auth}\r\n\r\n").encode())
head = b""
while b"\r\n\r\n" not in head:
    chunk = sock.recv(4096)
    if not chunk:
        sys.exit("connection closed during the handshake")
    head += chunk
status = head.split(b"\r\n", 1)[0]
if b" 101 " not in status:
    sys.exit(f"handshake refused: {status.decode()}")
buffer = head.split(b"\r\n\r\n", 1)[1]

def send_text(obj):
    payload = json.dumps(obj).encode()
    mask = os.urandom(4)
    header = bytes([0x81])
    n = len(payload)
    header += bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n)
    sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

def read_frame():
    global buffer
    def need(n):
        global buffer
        while len(buffer) < n:
            chunk = sock.recv(65536)
            if not chunk:
                raise EOFError
            buffer += chunk
    need(2)
    opcode, n = buffer[0] & 0x0F, buffer[1] & 0x7F
    offset = 2
    if n == 126:
        need(4); n = struct.unpack(">H", buffer[2:4])[0]; offset = 4
    elif n == 127:
        need(10); n = struct.unpack(">Q", buffer[2:10])[0]; offset = 10
    need(offset + n)
    data, buffer = buffer[offset:offset + n], buffer[offset + n:]
    return opcode, data

seen = b""
deadline = time.time() + timeout
typed_yet = False
sock.settimeout(2)
while time.time() < deadline:
    try:
        opcode, data = read_frame()
    except socket.timeout:
        continue
    except EOFError:
        break
    if opcode == 0x8:
        print("closed by the server:", data[2:].decode(errors="replace"))
        break
    if opcode == 0x1:
        msg = json.loads(data)
        if msg.get("type") == "ready" and not typed_yet:
            send_text({"type": "hello", "seq": -1})
            send_text({"type": "data", "data": typed + "\r"})
            typed_yet = True
        elif msg.get("type") == "error":
            print("error:", msg)
    elif opcode == 0x2:
        seen += data
        if expect.encode() in seen:
            print(f"saw {expect!r}")
            sys.exit(0)
print("did not see", repr(expect), "in", repr(seen[-400:]))
sys.exit(1)
