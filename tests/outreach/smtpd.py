"""A real SMTP server for the outreach tests, on a loopback port.

Usage: smtpd.py PORT DIR MODEFILE. Every message it accepts is written to
DIR/NNNN.eml. MODEFILE holds the behaviour for the next message and is read
each time: "ok", "451" (refuse at RCPT, temporary), "550" (refuse at RCPT,
permanent), "drop" (close the connection after the whole message, without
answering), "slow" (wait 3 s before accepting). Runs until killed.
"""
import asyncio
import os
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

port, outdir, modefile = int(sys.argv[1]), sys.argv[2], sys.argv[3]


def mode():
    try:
        with open(modefile) as f:
            return f.read().strip() or "ok"
    except OSError:
        return "ok"


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        m = mode()
        if m == "451":
            return "451 4.3.0 mailbox busy, try later"
        if m == "550":
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        m = mode()
        if m == "slow":
            await asyncio.sleep(3)
        n = len([x for x in os.listdir(outdir) if x.endswith(".eml")])
        path = os.path.join(outdir, "%04d.eml" % (n + 1))
        with open(path + ".tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(path + ".tmp", path)
        if m == "drop":
            server.transport.close()
            return "250 never seen"
        return "250 OK queued"


ctl = Controller(Handler(), hostname="127.0.0.1", port=port)
ctl.start()
with open(os.path.join(outdir, "ready"), "w") as f:
    f.write("ok")
try:
    while True:
        time.sleep(1)
finally:
    ctl.stop()
