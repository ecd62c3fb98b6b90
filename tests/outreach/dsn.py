"""Bounce messages for the outreach tests, as mail systems send them.

Usage: dsn.py KIND MESSAGE_ID [STATUS]. KIND:
  report   an RFC 3464 delivery status notification (multipart/report,
           message/delivery-status, the original's headers as
           text/rfc822-headers), as Postfix sends it; STATUS (default 5.1.1)
           decides its Action (5: failed, 4: delayed, 2: delivered)
  rfc822   the same with the whole original as message/rfc822, CRLF line
           ends and a mailbox's "From " envelope line first (as a pipe from
           a .forward may get it)
  plain    an unstructured bounce (qmail style) quoting the original's
           headers in the text, with "STATUS" in the server's reply
  exchange a report as Microsoft Exchange sends it: CRLF, the notice in
           quoted-printable, the status part and the original's headers
           in base64 (wrapped at 76 columns)
  qp       a report whose status part and original headers are in
           quoted-printable, with soft line breaks inside the status and
           the Message-ID
  badb64   the exchange report with its status part's base64 broken
Prints it on standard output.
"""
import base64
import quopri
import sys

kind, msgid = sys.argv[1], sys.argv[2]
status = sys.argv[3] if len(sys.argv) > 3 else "5.1.1"
action = {"5": "failed", "4": "delayed", "2": "delivered"}[status[0]]
reply = {"5": "550", "4": "450", "2": "250"}[status[0]]
orig = (
    "From: <clinic@example.org>\n"
    "To: <patient@example.org>\n"
    "Subject: Your follow-up questionnaire\n"
    "Date: Mon, 07 Apr 2025 09:00:00 +0000\n"
    f"Message-ID: <{msgid}>\n"
    "MIME-Version: 1.0\n"
)

if kind in ("report", "rfc822"):
    b = "B1234/mail.example.org"
    part3 = (
        "Content-Type: message/rfc822\n\n" + orig + "\nDear Anna,\n\nHow are you doing?\n"
        if kind == "rfc822"
        else "Content-Type: text/rfc822-headers\n\n" + orig
    )
    msg = (
        "Return-Path: <>\n"
        "From: MAILER-DAEMON@mail.example.org (Mail Delivery System)\n"
        "To: clinic@example.org\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        "Message-ID: <20250407090001.ABC@mail.example.org>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status;\n"
        f'\tboundary="{b}"\n'
        "\n"
        "This is a MIME-encapsulated message.\n"
        "\n"
        f"--{b}\n"
        "Content-Description: Notification\n"
        "Content-Type: text/plain; charset=us-ascii\n"
        "\n"
        "I'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients.\n"
        "\n"
        f"--{b}\n"
        "Content-Description: Delivery report\n"
        "Content-Type: message/delivery-status\n"
        "\n"
        "Reporting-MTA: dns; mail.example.org\n"
        "Arrival-Date: Mon,  7 Apr 2025 09:00:00 +0000 (UTC)\n"
        "\n"
        "Final-Recipient: rfc822; patient@example.org\n"
        "Original-Recipient: rfc822;patient@example.org\n"
        f"Action: {action}\n"
        f"Status: {status}\n"
        "Remote-MTA: dns; mx.example.org\n"
        f"Diagnostic-Code: smtp; {reply} {status} <patient@example.org>: Recipient\n"
        "    address rejected: User unknown in virtual mailbox table\n"
        "\n"
        f"--{b}\n"
        "Content-Description: Undelivered Message Headers\n"
        + part3
        + f"\n--{b}--\n"
    )
    if kind == "rfc822":
        msg = "From MAILER-DAEMON  Mon Apr  7 09:00:01 2025\n" + msg
        msg = msg.replace("\n", "\r\n")
elif kind == "plain":
    msg = (
        "Return-Path: <>\n"
        "From: MAILER-DAEMON@mail.example.org\n"
        "To: clinic@example.org\n"
        "Subject: failure notice\n"
        "\n"
        "Hi. This is the qmail-send program at mail.example.org.\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\n"
        "\n"
        "<patient@example.org>:\n"
        f"192.0.2.25 does not like recipient.\n"
        f"Remote host said: {reply} {status} mailbox unavailable\n"
        "Giving up on 192.0.2.25.\n"
        "\n"
        "--- Below this line is a copy of the message.\n"
        "\n"
        + orig
        + "\nDear Anna,\n"
    )
elif kind in ("exchange", "badb64"):
    b = "_000_DB9PR01MB1234EURP_"
    crlf = lambda t: t.replace("\n", "\r\n")

    def b64(t):
        e = base64.b64encode(crlf(t).encode()).decode()
        return "\n".join(e[i : i + 76] for i in range(0, len(e), 76))

    status_part = b64(
        "Reporting-MTA: dns;DB9PR01MB1234.eurprd01.prod.example.org\n"
        "Received-From-MTA: dns;mail.example.org\n"
        "Arrival-Date: Mon, 7 Apr 2025 09:00:00 +0000\n"
        "\n"
        "Final-Recipient: rfc822;patient@example.org\n"
        f"Action: {action}\n"
        f"Status: {status}\n"
        f"Diagnostic-Code: smtp;{reply} {status} RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup\n"
    )
    if kind == "badb64":
        status_part = status_part[:40] + "*" + status_part[41:]
    notice = quopri.encodestring(
        "Your message to patient@example.org couldn't be delivered.\n"
        "patient wasn't found at example.org.\n"
        "Original Message Details\n".encode()
    ).decode()
    msg = crlf(
        "From: postmaster@outlook.example.org\n"
        "To: clinic@example.org\n"
        "Subject: Undeliverable: Your follow-up questionnaire\n"
        "Message-ID: <5a1b2c3d-0000-4e5f@DB9PR01MB1234.eurprd01.prod.example.org>\n"
        "Content-Language: en-US\n"
        "Content-Type: multipart/report; report-type=delivery-status;\n"
        f'\tboundary="{b}"\n'
        "MIME-Version: 1.0\n"
        "\n"
        f"--{b}\n"
        'Content-Type: text/plain; charset="us-ascii"\n'
        "Content-Transfer-Encoding: quoted-printable\n"
        "\n" + notice + "\n"
        f"--{b}\n"
        "Content-Type: message/delivery-status\n"
        "Content-Transfer-Encoding: base64\n"
        "\n" + status_part + "\n\n"
        f"--{b}\n"
        "Content-Type: text/rfc822-headers\n"
        "Content-Transfer-Encoding: base64\n"
        "\n" + b64(orig) + "\n\n"
        f"--{b}--\n"
    )
elif kind == "qp":
    b = "qp.4711/mail.example.org"
    # soft line breaks inside the status and the Message-ID, =3D escapes
    cut = len(msgid) // 2
    msg = (
        "From: MAILER-DAEMON@mail.example.org\n"
        "To: clinic@example.org\n"
        "Subject: Delivery Status Notification (Failure)\n"
        f"Content-Type: multipart/report; report-type=delivery-status; boundary=\"{b}\"\n"
        "MIME-Version: 1.0\n"
        "\n"
        f"--{b}\n"
        "Content-Type: message/delivery-status\n"
        "Content-Transfer-Encoding: quoted-printable\n"
        "\n"
        "Reporting-MTA: dns; mail.example.org\n"
        "\n"
        "Final-Recipient: rfc822; patient@example.org\n"
        f"Action: {action}\n"
        f"Status: {status[:2]}=\n"
        f"{status[2:]}\n"
        f"Diagnostic-Code: smtp; {reply} {status} policy=3Dreject\n"
        "\n"
        f"--{b}\n"
        "Content-Type: text/rfc822-headers\n"
        "Content-Transfer-Encoding: quoted-printable\n"
        "\n"
        "From: <clinic@example.org>\n"
        "Subject: =3D?utf-8?q?Your_follow-up?=3D\n"
        f"Message-ID: <{msgid[:cut]}=\n"
        f"{msgid[cut:]}>\n"
        "\n"
        f"--{b}--\n"
    )
else:
    sys.exit("unknown kind " + kind)
sys.stdout.write(msg)
