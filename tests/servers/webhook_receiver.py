#!/usr/bin/python3
"""webhook_receiver.py DIR

A local HTTP receiver for the notify tests. It listens on 127.0.0.1 on a
free port, written to DIR/port once it accepts connections, and saves
each POST's body as DIR/post-N.body and its path and Content-Type as
DIR/post-N.meta ("PATH\\nCONTENT-TYPE\\n"). It answers 200, or NNN when
the path ends in /status/NNN, so a test can ask for a failure.
It exits by itself after 120 s (SIGALRM), whatever the test does.
"""
import http.server
import os
import signal
import sys

FOLDER = sys.argv[1]
# A bounded life: a test that fails before stopping this server (or dies)
# leaves nothing running for long.
signal.alarm(120)
COUNT = [0]


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        COUNT[0] += 1
        base = os.path.join(FOLDER, "post-%d" % COUNT[0])
        with open(base + ".meta", "w") as f:
            f.write("%s\n%s\n" % (self.path,
                                  self.headers.get("Content-Type", "")))
        with open(base + ".body.tmp", "wb") as f:
            f.write(body)
        os.rename(base + ".body.tmp", base + ".body")
        status = 200
        parts = self.path.rstrip("/").split("/")
        if len(parts) >= 2 and parts[-2] == "status":
            status = int(parts[-1])
        answer = b'{"ok":true}' if status < 300 else b'{"error":"asked"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, fmt, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
with open(os.path.join(FOLDER, "port.tmp"), "w") as f:
    f.write("%d\n" % server.server_address[1])
os.rename(os.path.join(FOLDER, "port.tmp"), os.path.join(FOLDER, "port"))
server.serve_forever()
