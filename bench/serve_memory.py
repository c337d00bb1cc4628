#!/usr/bin/env python3
"""Peak memory of `incomescore serve` under clients that send big bodies
(issue 10 item 6): N connections each sending all but the last byte of a
2 MB batch, then one 2 MB batch of {}; prints the server's VmRSS/VmHWM.

    bench/serve_memory.py BIN BUNDLE_DIR [N]

Measured (2 cores, N=300): before the body budget 551 MB with the bodies
in, 596 MB peak after the batch of {}; with it 92 MB and 92 MB.
"""
import re, socket, subprocess, sys, time

binary, bundle = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 500
p = subprocess.Popen([binary, "serve", "--model", bundle, "--port", "0",
                      "--audit", "off", "--connection-limit", str(n + 100),
                      "--per-address-limit", str(n + 100)],
                     stderr=subprocess.PIPE, text=True)
port = None
for line in p.stderr:
    m = re.search(r"listening on http://[^:]+:(\d+)", line)
    if m:
        port = int(m.group(1))
        break

def mem(field):
    with open(f"/proc/{p.pid}/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1]) // 1024
    return -1

base = mem("VmRSS")
size = 2 * 1024 * 1024
head = (b"POST /v1/predictions HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n[" % size)
conns = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(head + b" " * (size - 2))
    conns.append(s)
time.sleep(1)
held = mem("VmRSS")
for s in conns:
    s.close()
time.sleep(0.5)
items = (size - 2) // 3
body = b"[" + b",".join([b"{}"] * items) + b"]"
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"POST /v1/predictions HTTP/1.1\r\nHost: x\r\n"
          b"Content-Type: application/json\r\nContent-Length: %d\r\n"
          b"Connection: close\r\n\r\n" % len(body) + body)
status = s.recv(64).split(b" ")[1].decode()
s.close()
peak = mem("VmHWM")
p.terminate()
p.wait()
print(f"rss at start {base} MB; {n} connections sending 2 MB: {held} MB; "
      f"peak after a 2 MB batch of {{}} ({items} items, answered {status}): "
      f"{peak} MB")
