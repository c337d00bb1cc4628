#!/usr/bin/python3
"""smtp_server.py DIR [--tls CERT KEY] [--auth USER PASSWORD]

A real SMTP server for the notify tests (Debian's python3-aiosmtpd; run
it with /usr/bin/python3, where Debian installs the module). It listens
on 127.0.0.1 on a free port, which it writes to DIR/port once it accepts
connections, and saves each message it receives as DIR/msg-N.json:

  {"envelope_from", "envelope_to": [...], "tls": bool, "login": str|null,
   "from", "to", "subject" (RFC 2047 decoded), "body" (the text part,
   CRLF as LF: SMTP sends lines as CRLF), "attachments": [{"filename",
   "content_type", "file"}]}

with each attachment's decoded bytes in DIR/<file>, for the test to
compare with the file it attached. --tls offers STARTTLS with that
certificate and requires it; --auth requires AUTH with that login.
It exits by itself after 120 s (SIGALRM), whatever the test does.
"""
import asyncio
import email
import email.policy
import json
import os
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


LIFETIME_SECONDS = 120


class Saver:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        n = self.count
        msg = email.message_from_bytes(envelope.content,
                                       policy=email.policy.default)
        body = None
        body_encoding = None
        attachments = []
        for part in msg.walk():
            if part.is_multipart():
                continue
            if part.get_content_disposition() == "attachment":
                name = "msg-%d-att-%d" % (n, len(attachments) + 1)
                with open(os.path.join(self.folder, name), "wb") as f:
                    f.write(part.get_payload(decode=True))
                attachments.append({"filename": part.get_filename(),
                                    "content_type": part.get_content_type(),
                                    "encoding": part["Content-Transfer-Encoding"],
                                    "file": name})
            elif body is None and part.get_content_type() == "text/plain":
                body = part.get_content().replace("\r\n", "\n")
                body_encoding = part["Content-Transfer-Encoding"]
        login = None
        if session.authenticated:
            login = session.auth_data.decode()
        record = {
            "envelope_from": envelope.mail_from,
            "envelope_to": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "login": login,
            "from": str(msg["From"]),
            "to": str(msg["To"]),
            "subject": str(msg["Subject"]),
            "body": body,
            "body_encoding": body_encoding,
            "attachments": attachments,
        }
        path = os.path.join(self.folder, "msg-%d.json" % n)
        with open(path + ".tmp", "w") as f:
            json.dump(record, f, ensure_ascii=False, sort_keys=True)
        os.rename(path + ".tmp", path)
        return "250 Message accepted for delivery"


def main():
    # A bounded life: a test that fails before stopping this server (or
    # dies) leaves nothing running for long.
    signal.alarm(LIFETIME_SECONDS)
    args = sys.argv[1:]
    folder = args.pop(0)
    kw = {"hostname": "localhost"}
    while args:
        opt = args.pop(0)
        if opt == "--tls":
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(args.pop(0), args.pop(0))
            kw.update(tls_context=ctx, require_starttls=True)
        elif opt == "--auth":
            user, password = args.pop(0).encode(), args.pop(0).encode()

            def check(server, session, envelope, mechanism, data):
                ok = (isinstance(data, LoginPassword) and
                      data.login == user and data.password == password)
                # handled=False: aiosmtpd then answers 535 itself
                return AuthResult(success=ok, handled=False,
                                  auth_data=data.login if ok else None)
            kw.update(authenticator=check, auth_required=True)
        else:
            sys.exit("smtp_server.py: unknown option " + opt)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    handler = Saver(folder)
    server = loop.run_until_complete(loop.create_server(
        lambda: SMTP(handler, loop=loop, **kw), "127.0.0.1", 0))
    port = server.sockets[0].getsockname()[1]
    with open(os.path.join(folder, "port.tmp"), "w") as f:
        f.write("%d\n" % port)
    os.rename(os.path.join(folder, "port.tmp"), os.path.join(folder, "port"))
    loop.run_forever()


if __name__ == "__main__":
    main()
