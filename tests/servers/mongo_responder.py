#!/usr/bin/python3
"""mongo_responder.py DIR DOCS.jsonl [FAULT]

A MongoDB wire-protocol responder for the ETL's tests: it speaks what
libmongoc 1.23 sends a single server and serves one collection, the
documents of DOCS.jsonl (Extended JSON as mongoexport writes it: $oid,
$date, $numberLong, $numberInt, $numberDouble), in file order, as a
collection scan would. It listens on 127.0.0.1 on a free port, written to
DIR/port once it accepts connections, and appends each command it
receives to DIR/commands.log ("OP_QUERY isMaster", "OP_MSG find", ...).

Why our own and not npm's mongodb-mock-server: the faults must land at an
exact document (the Nth getMore), and a connection must be cut at a
chosen point of the conversation; a hand-written responder makes that a
line each, with nothing to install (Debian's python3, which the build
already needs), and keeps BSON encoding in plain sight.

What it answers:
  - the handshake: legacy OP_QUERY isMaster/hello on admin.$cmd (answered
    with OP_REPLY), and hello/isMaster/ping/buildInfo over OP_MSG after it
    (maxWireVersion 17, so the driver switches to OP_MSG);
  - find (the filter is ignored: every document, in file order; batchSize
    honoured, 101 otherwise as a server's first batch), getMore (batchSize,
    or 101), killCursors, endSessions;
  - saslStart: always "Authentication failed." (code 18), which is what a
    server says to a wrong user or password; the responder knows no users.
  - anything else: CommandNotFound (code 59).

FAULT, one of:
  getmore-error:N   the first getMore asked for once N documents have been
                    sent answers ok:0 (code 11601, "operation was
                    interrupted by the test responder")
  drop:N            that getMore gets no answer: the connection is closed
It exits by itself after 120 s (SIGALRM), whatever the test does.
"""
import datetime
import json
import os
import signal
import socket
import socketserver
import struct
import sys
import threading

FOLDER = sys.argv[1]
DOCS_PATH = sys.argv[2]
FAULT = sys.argv[3] if len(sys.argv) > 3 else ""
signal.alarm(120)

OP_REPLY, OP_QUERY, OP_MSG = 1, 2004, 2013
DEFAULT_BATCH = 101
LOG_LOCK = threading.Lock()


class ObjectId(bytes):
    pass


class Int64(int):
    pass


class Datetime(int):
    """Milliseconds since the epoch."""


# ---- BSON, by hand -------------------------------------------------------

def cstring(s):
    b = s.encode("utf-8")
    if b"\0" in b:
        raise ValueError("NUL in a key")
    return b + b"\0"


def encode_element(key, v):
    k = cstring(key)
    if isinstance(v, bool):
        return b"\x08" + k + (b"\x01" if v else b"\x00")
    if isinstance(v, ObjectId):
        return b"\x07" + k + bytes(v)
    if isinstance(v, Datetime):
        return b"\x09" + k + struct.pack("<q", v)
    if isinstance(v, Int64):
        return b"\x12" + k + struct.pack("<q", v)
    if isinstance(v, int):
        if -2**31 <= v < 2**31:
            return b"\x10" + k + struct.pack("<i", v)
        return b"\x12" + k + struct.pack("<q", v)
    if isinstance(v, float):
        return b"\x01" + k + struct.pack("<d", v)
    if isinstance(v, str):
        b = v.encode("utf-8") + b"\0"
        return b"\x02" + k + struct.pack("<i", len(b)) + b
    if v is None:
        return b"\x0a" + k
    if isinstance(v, dict):
        return b"\x03" + k + encode(v)
    if isinstance(v, list):
        return b"\x04" + k + encode({str(i): x for i, x in enumerate(v)})
    if isinstance(v, (bytes, bytearray)):  # an encoded document
        return b"\x03" + k + bytes(v)
    raise ValueError("cannot encode %r" % (v,))


def encode(doc):
    body = b"".join(encode_element(k, v) for k, v in doc.items())
    return struct.pack("<i", len(body) + 5) + body + b"\0"


def decode(buf, pos=0):
    """The document at buf[pos:] as a dict (arrays as lists)."""
    size = struct.unpack_from("<i", buf, pos)[0]
    end = pos + size - 1
    pos += 4
    out = {}
    while pos < end:
        t = buf[pos]
        pos += 1
        z = buf.index(b"\0", pos)
        key = buf[pos:z].decode("utf-8")
        pos = z + 1
        if t == 0x01:
            v = struct.unpack_from("<d", buf, pos)[0]; pos += 8
        elif t == 0x02:
            n = struct.unpack_from("<i", buf, pos)[0]
            v = buf[pos + 4:pos + 4 + n - 1].decode("utf-8"); pos += 4 + n
        elif t in (0x03, 0x04):
            n = struct.unpack_from("<i", buf, pos)[0]
            v = decode(buf, pos); pos += n
            if t == 0x04:
                v = list(v.values())
        elif t == 0x05:
            n = struct.unpack_from("<i", buf, pos)[0]
            v = bytes(buf[pos + 5:pos + 5 + n]); pos += 5 + n
        elif t == 0x07:
            v = ObjectId(buf[pos:pos + 12]); pos += 12
        elif t == 0x08:
            v = buf[pos] == 1; pos += 1
        elif t == 0x09:
            v = Datetime(struct.unpack_from("<q", buf, pos)[0]); pos += 8
        elif t == 0x0a:
            v = None
        elif t == 0x10:
            v = struct.unpack_from("<i", buf, pos)[0]; pos += 4
        elif t in (0x11, 0x12):
            v = Int64(struct.unpack_from("<q", buf, pos)[0]); pos += 8
        elif t == 0x13:
            v = bytes(buf[pos:pos + 16]); pos += 16
        else:
            raise ValueError("BSON type 0x%02x not handled" % t)
        out[key] = v
    return out


def parse_date(s):
    d = datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
    if d.tzinfo is None:
        d = d.replace(tzinfo=datetime.timezone.utc)
    delta = d - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    return Datetime(delta // datetime.timedelta(milliseconds=1))


def from_extended_json(v):
    if isinstance(v, dict):
        if len(v) == 1:
            (k, x), = v.items()
            if k == "$oid":
                return ObjectId(bytes.fromhex(x))
            if k == "$date":
                if isinstance(x, dict):
                    return Datetime(int(x["$numberLong"]))
                if isinstance(x, int):
                    return Datetime(x)
                return parse_date(x)
            if k == "$numberLong":
                return Int64(int(x))
            if k == "$numberInt":
                return int(x)
            if k == "$numberDouble":
                return float(x)
        return {k: from_extended_json(x) for k, x in v.items()}
    if isinstance(v, list):
        return [from_extended_json(x) for x in v]
    return v


with open(DOCS_PATH, encoding="utf-8") as f:
    DOCUMENTS = [encode(from_extended_json(json.loads(line)))
                 for line in f if line.strip()]


# ---- the conversation ----------------------------------------------------

def log(line):
    with LOG_LOCK, open(os.path.join(FOLDER, "commands.log"), "a") as f:
        f.write(line + "\n")


def hello_reply(cmd, connection_id):
    reply = {
        "helloOk": True, "ismaster": True, "isWritablePrimary": True,
        "maxBsonObjectSize": 16 * 1024 * 1024,
        "maxMessageSizeBytes": 48000000, "maxWriteBatchSize": 100000,
        "localTime": Datetime(int(datetime.datetime.now().timestamp() * 1000)),
        "logicalSessionTimeoutMinutes": 30, "connectionId": connection_id,
        "minWireVersion": 0, "maxWireVersion": 17, "readOnly": False,
    }
    if "saslSupportedMechs" in cmd:
        reply["saslSupportedMechs"] = ["SCRAM-SHA-256", "SCRAM-SHA-1"]
    reply["ok"] = 1.0
    return reply


class Cursor:
    def __init__(self, ns, next_doc):
        self.ns = ns
        self.next = next_doc


CURSORS = {}
CURSOR_IDS = [1000]
CONNECTIONS = [0]


def batch_of(cursor, size):
    docs = DOCUMENTS[cursor.next:cursor.next + size]
    cursor.next += len(docs)
    return docs


class Drop(Exception):
    pass


def answer(cmd, connection_id):
    name = next(iter(cmd))
    if name in ("hello", "isMaster", "ismaster"):
        return hello_reply(cmd, connection_id)
    if name in ("ping", "endSessions"):
        return {"ok": 1.0}
    if name == "buildInfo":
        return {"version": "6.0.0", "versionArray": [6, 0, 0, 0], "ok": 1.0}
    if name == "saslStart":
        return {"ok": 0.0, "errmsg": "Authentication failed.", "code": 18,
                "codeName": "AuthenticationFailed"}
    if name == "find":
        ns = "%s.%s" % (cmd.get("$db", "test"), cmd["find"])
        CURSOR_IDS[0] += 1
        cid = CURSOR_IDS[0]
        cursor = Cursor(ns, 0)
        docs = batch_of(cursor, int(cmd.get("batchSize", DEFAULT_BATCH)))
        more = cursor.next < len(DOCUMENTS)
        if more:
            CURSORS[cid] = cursor
        return {"cursor": {"firstBatch": docs, "id": Int64(cid if more else 0),
                           "ns": ns}, "ok": 1.0}
    if name == "getMore":
        cid = int(cmd["getMore"])
        cursor = CURSORS.get(cid)
        if cursor is None:
            return {"ok": 0.0, "errmsg": "cursor id %d not found" % cid,
                    "code": 43, "codeName": "CursorNotFound"}
        kind, _, at = FAULT.partition(":")
        if kind and cursor.next >= int(at):
            if kind == "drop":
                raise Drop()
            del CURSORS[cid]
            return {"ok": 0.0, "errmsg": "operation was interrupted by the "
                    "test responder", "code": 11601, "codeName": "Interrupted"}
        docs = batch_of(cursor, int(cmd.get("batchSize", DEFAULT_BATCH)))
        more = cursor.next < len(DOCUMENTS)
        if not more:
            del CURSORS[cid]
        return {"cursor": {"nextBatch": docs, "id": Int64(cid if more else 0),
                           "ns": cursor.ns}, "ok": 1.0}
    if name == "killCursors":
        killed = [Int64(c) for c in cmd.get("cursors", [])
                  if CURSORS.pop(int(c), None)]
        return {"cursorsKilled": killed, "cursorsNotFound": [],
                "cursorsAlive": [], "cursorsUnknown": [], "ok": 1.0}
    return {"ok": 0.0, "errmsg": "no such command: '%s'" % name, "code": 59,
            "codeName": "CommandNotFound"}


def read_exact(sock, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError()
        buf += chunk
    return bytes(buf)


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        CONNECTIONS[0] += 1
        connection_id = CONNECTIONS[0]
        sock = self.request
        try:
            while True:
                head = read_exact(sock, 16)
                length, request_id, _, opcode = struct.unpack("<iiii", head)
                body = read_exact(sock, length - 16)
                if opcode == OP_QUERY:
                    z = body.index(b"\0", 4)
                    query = decode(body, z + 1 + 8)
                    if "$query" in query:
                        query = query["$query"]
                    log("OP_QUERY " + next(iter(query)))
                    reply = encode(answer(query, connection_id))
                    msg = struct.pack("<iqii", 0, 0, 0, 1) + reply
                    op = OP_REPLY
                elif opcode == OP_MSG:
                    flags = struct.unpack_from("<I", body, 0)[0]
                    end = len(body) - (4 if flags & 1 else 0)
                    pos, cmd = 4, None
                    while pos < end:
                        kind = body[pos]
                        pos += 1
                        if kind == 0:
                            cmd = decode(body, pos)
                            pos += struct.unpack_from("<i", body, pos)[0]
                        else:  # a document sequence: not needed to read
                            pos += struct.unpack_from("<i", body, pos)[0]
                    log("OP_MSG " + next(iter(cmd)))
                    msg = struct.pack("<I", 0) + b"\0" + encode(
                        answer(cmd, connection_id))
                    op = OP_MSG
                else:
                    log("opcode %d: closing" % opcode)
                    return
                sock.sendall(struct.pack("<iiii", 16 + len(msg), 0,
                                         request_id, op) + msg)
        except Drop:
            log("dropped the connection")
            sock.shutdown(socket.SHUT_RDWR)
        except EOFError:
            pass


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


server = Server(("127.0.0.1", 0), Handler)
tmp = os.path.join(FOLDER, "port.tmp")
with open(tmp, "w") as f:
    f.write("%d\n" % server.server_address[1])
os.rename(tmp, os.path.join(FOLDER, "port"))
server.serve_forever()
