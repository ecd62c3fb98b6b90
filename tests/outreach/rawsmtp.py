"""An SMTP server that fails on purpose, for the outreach fault tests.

Usage: rawsmtp.py PORT DIR MODEFILE. A plain socket server on a loopback
port, one thread per connection; MODEFILE, read per connection, says how
it fails:
  stall       accepts the connection and never says a word
  greet421    greets with "421 service not available" and closes
  drop-data   speaks SMTP up to DATA, then closes instead of answering it
  drop-mid    answers DATA with 354, reads part of the message, closes
  stall-end   reads the whole message and never answers the final dot
  ok          a working server: writes each message to DIR/raw-NNNN.eml
Every connection is logged in DIR/raw.log (mode, how far it got). DIR/ready
appears when it listens. Runs until killed.
"""
import os
import socket
import sys
import threading
import time

port, outdir, modefile = int(sys.argv[1]), sys.argv[2], sys.argv[3]
lock = threading.Lock()


def mode():
    try:
        with open(modefile) as f:
            return f.read().strip() or "ok"
    except OSError:
        return "ok"


def log(line):
    with lock, open(os.path.join(outdir, "raw.log"), "a") as f:
        f.write(line + "\n")


def serve(conn):
    m = mode()
    f = conn.makefile("rb")
    say = lambda s: conn.sendall((s + "\r\n").encode())
    try:
        if m == "stall":
            log("stall: connected")
            time.sleep(30)
            return
        if m == "greet421":
            say("421 4.3.2 service not available, closing")
            log("greet421")
            return
        say("220 raw.test ESMTP")
        while True:
            line = f.readline()
            if not line:
                log(m + ": client closed")
                return
            cmd = line.decode("ascii", "replace").strip().upper()
            if cmd.startswith("EHLO") or cmd.startswith("HELO"):
                say("250 raw.test")
            elif cmd.startswith("MAIL") or cmd.startswith("RCPT") or cmd.startswith("RSET") or cmd.startswith("NOOP"):
                say("250 OK")
            elif cmd == "QUIT":
                say("221 bye")
                return
            elif cmd == "DATA":
                if m == "drop-data":
                    log("drop-data: closed at DATA")
                    return
                say("354 go ahead")
                if m == "drop-mid":
                    f.readline()
                    f.readline()
                    log("drop-mid: closed after two lines of the message")
                    return
                data = []
                while True:
                    l = f.readline()
                    if not l or l == b".\r\n":
                        break
                    data.append(l)
                if m == "stall-end":
                    log("stall-end: whole message read, no answer")
                    time.sleep(30)
                    return
                with lock:
                    n = len([x for x in os.listdir(outdir) if x.startswith("raw-")])
                    with open(os.path.join(outdir, "raw-%04d.eml" % (n + 1)), "wb") as out:
                        out.write(b"".join(data))
                log("ok: accepted")
                say("250 OK queued")
            else:
                say("502 not implemented")
    except OSError:
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(16)
with open(os.path.join(outdir, "ready"), "w") as f:
    f.write("ok")
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
