"""A loopback SMTP server for the sending benchmark (aiosmtpd): accepts
every message, keeps nothing but a count, and writes the count to FILE
when it changes (at most every 0.2 s) and at the end.
Usage: sink.py PORT FILE. Runs until killed."""
import os
import sys
import threading
import time

from aiosmtpd.controller import Controller

port, countfile = int(sys.argv[1]), sys.argv[2]
n = 0


class Handler:
    async def handle_DATA(self, server, session, envelope):
        global n
        n += 1
        return "250 OK"


def write(v):
    with open(countfile + ".tmp", "w") as f:
        f.write(str(v))
    os.rename(countfile + ".tmp", countfile)


ctl = Controller(Handler(), hostname="127.0.0.1", port=port)
ctl.start()
write(0)
last = 0
try:
    while True:
        time.sleep(0.2)
        if n != last:
            last = n
            write(n)
finally:
    ctl.stop()
