#!/usr/bin/env python3
"""auditd-peer.py - mmguard-auditd against a stand-in for mmguardd.

    auditd-peer.py run AUDITD DIR KEY NEWKEY PUB2 RAW2 [USER]
    auditd-peer.py reopen AUDITD DIR KEY NEWKEY [USER]
    auditd-peer.py seeds OUTDIR

run: starts the audit role with its channel on descriptor 3, as mmguardd
does, and speaks mmguardd's part of guard/msg.h: it hands over the audit
channels of a decode worker and of a pickup (MSG_AUDIT_PEER), makes them
record events, has the decode worker claim an officer's action (which it
may not), rotates the key to the raw Ed25519 key in RAW2 (public key PEM in
PUB2), and stops the role with SIGTERM.  reopen: starts it with KEY and
NEWKEY and reports which key it says is in force.  Each step prints one
line, "ok ..." or "FAIL ...", and the exit status is the number of
failures.  seeds: the libFuzzer seed frames of tests/fuzz/auditev_fuzz.c.

The frame numbers are read from guard/msg.h and guard/audit/auditlog.h, so
that this script follows the C enums rather than copying them.
"""
import os
import re
import select
import signal
import socket
import struct
import subprocess
import sys

HDR = struct.Struct("<IIQI")
F_U32, F_U64, F_STRING, F_DATA, F_FD = 1, 2, 3, 4, 5


def enum(path, name):
    """The members of C enum NAME in PATH, numbered as the compiler does."""
    text = open(path).read()
    body = re.search(r"enum %s \{(.*?)\};" % name, text, re.S).group(1)
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    out, n = {}, 0
    for item in body.split(","):
        item = item.strip()
        if not item:
            continue
        if "=" in item:
            item, v = (x.strip() for x in item.split("="))
            n = int(v)
        out[item] = n
        n += 1
    return out


MSG = enum("guard/msg.h", "msg_type")
EV = enum("guard/audit/auditlog.h", "audit_ev")


def frame(mtype, fid, fields, nfds=0):
    payload = b""
    for kind, v in fields:
        if kind == F_U32:
            payload += struct.pack("<BI", F_U32, v)
        elif kind == F_STRING:
            b = v.encode() + b"\0"
            payload += struct.pack("<BI", F_STRING, len(b)) + b
        elif kind == F_DATA:
            payload += struct.pack("<BI", F_DATA, len(v)) + v
        elif kind == F_FD:
            payload += bytes([F_FD])
    return HDR.pack(mtype, len(payload), fid, nfds) + payload


def event(ev, msgid, kv, fid=0):
    fields = [(F_U32, EV[ev]), (F_STRING, msgid), (F_U32, len(kv))]
    for k, v in kv:
        fields += [(F_STRING, k), (F_STRING, v)]
    return frame(MSG["MSG_AUDIT"], fid, fields)


def parse(data):
    """A received frame: (type, id, [field values])."""
    mtype, plen, fid, _ = HDR.unpack_from(data)
    p, out = HDR.size, []
    while p < len(data):
        tag = data[p]
        p += 1
        if tag == F_U32:
            out.append(struct.unpack_from("<I", data, p)[0])
            p += 4
        elif tag == F_U64:
            out.append(struct.unpack_from("<Q", data, p)[0])
            p += 8
        elif tag in (F_STRING, F_DATA):
            n = struct.unpack_from("<I", data, p)[0]
            b = data[p + 4:p + 4 + n]
            out.append(b[:-1].decode() if tag == F_STRING else b)
            p += 4 + n
        else:
            out.append("fd")
    return mtype, fid, out


failures = 0


def result(ok, what, detail=""):
    global failures
    if ok:
        print("ok   " + what)
    else:
        failures += 1
        print("FAIL " + what + (": " + detail if detail else ""))


def recv(sock, timeout=5.0):
    r, _, _ = select.select([sock], [], [], timeout)
    if not r:
        return None
    data, fds, _, _ = socket.recv_fds(sock, 65536, 8)
    for fd in fds:
        os.close(fd)
    return parse(data) if data else ""


def start(auditd, d, key, newkey, user):
    sup, role = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    fd = role.fileno()

    def on_3():
        os.dup2(fd, 3)

    args = [auditd, "-a", d, "-k", key, "-n", newkey]
    if user:
        args += ["-u", user]
    p = subprocess.Popen(args, pass_fds=(3, fd), preexec_fn=on_3)
    role.close()
    return sup, p


def hand(sup, kind, name, pid):
    mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    # Non-blocking from the start, as ipc_socketpair() makes them: the
    # role may not change it inside its sandbox.
    theirs.setblocking(False)
    f = frame(MSG["MSG_AUDIT_PEER"], 0, [(F_STRING, kind),
              (F_STRING, name), (F_U32, pid), (F_FD, None)], 1)
    socket.send_fds(sup, [f], [theirs.fileno()])
    theirs.close()
    return mine


def key_said(sup):
    m = recv(sup)
    ok = m and m[0] == MSG["MSG_AUDIT_KEY"]
    return (m[2][0], m[2][1]) if ok else (None, None)


def run(auditd, d, key, newkey, pub2, raw2, user):
    sup, p = start(auditd, d, key, newkey, user)
    which, kid = key_said(sup)
    result(which == 0, "the role says the key it was given is in force",
           "which %s" % which)

    dec = hand(sup, "decode", "decode-h2l-0", 4242)
    pick = hand(sup, "pickup", "pickup-h2l", 4243)
    dec.send(event("AUDIT_EV_MESSAGE_INSPECTED", "Q-1",
                   [("stage", "decode"), ("result", "ok")], fid=7))
    m = recv(dec)
    result(m and m[0] == MSG["MSG_AUDIT_ACK"] and m[1] == 7,
           "an event asking for it is acknowledged once on disk", str(m))
    pick.send(event("AUDIT_EV_MESSAGE_ACCEPTED", "Q-2",
                    [("digest", "ab" * 32), ("source", "x.p1"),
                     ("bytes", "5")]))
    # A decode worker speaking for an officer.
    dec.send(event("AUDIT_EV_OFFICER_ACTION", "Q-1",
                   [("action", "released"), ("officer", "Mallory"),
                    ("reason", "forged")]))
    m = recv(sup)
    result(m and m[0] == MSG["MSG_AUDIT_REFUSED"] and m[2][0] == 4242 and
           m[2][1] == "decode-h2l-0" and
           "decode may not record officer-action" in m[2][2],
           "a forbidden event is refused, mmguardd told who sent it",
           str(m))
    result(recv(dec) == "", "the sender's channel is closed")
    pick.send(event("AUDIT_EV_MESSAGE_ACCEPTED", "Q-3",
                    [("digest", "cd" * 32), ("source", "y.p1"),
                     ("bytes", "6")]))

    # The key rotation, as mmguardd asks for it.
    raw = open(raw2, "rb").read()
    pem = open(pub2).read()
    sup.send(frame(MSG["MSG_AUDIT_ROTATE"], 9, [(F_STRING, "Auditor"),
                   (F_DATA, raw), (F_STRING, pem)]))
    m = recv(sup)
    result(m and m[0] == MSG["MSG_AUDIT_ROTATED"] and m[1] == 9 and
           m[2][0] == 1, "the key rotation is answered", str(m))
    newid = m[2][1] if m else ""
    pubfile = os.path.join(d, "key-%s.pub" % newid)
    result(os.path.exists(pubfile) and open(pubfile).read() == pem,
           "the new public key is beside the log")
    sup.send(frame(MSG["MSG_AUDIT_ROTATE"], 10, [(F_STRING, "Auditor"),
                   (F_DATA, raw), (F_STRING, pem)]))
    m = recv(sup)
    result(m and m[0] == MSG["MSG_AUDIT_ROTATED"] and m[2][0] == 0 and
           "the key in force" in m[2][1],
           "rotating to the key in force is refused", str(m))
    pick.send(event("AUDIT_EV_MESSAGE_ACCEPTED", "Q-4",
                    [("digest", "ef" * 32), ("source", "z.p1"),
                     ("bytes", "7")]))
    # The acknowledgement says the pickup's record is on disk too.
    pick.send(event("AUDIT_EV_MESSAGE_ACCEPTED", "Q-5",
                    [("digest", "01" * 32), ("source", "w.p1"),
                     ("bytes", "8")], fid=11))
    m = recv(pick)
    result(m and m[0] == MSG["MSG_AUDIT_ACK"] and m[1] == 11,
           "the pickup's last event is acknowledged", str(m))
    p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = -1
    result(rc == 0, "SIGTERM: the role seals the log and exits 0",
           "status %s" % rc)
    print("new-key " + newid)


def reopen(auditd, d, key, newkey, user):
    sup, p = start(auditd, d, key, newkey, user)
    which, kid = key_said(sup)
    print("key-in-force %s %s" % (which, kid))
    p.send_signal(signal.SIGTERM)
    p.wait(10)


def seeds(out):
    os.makedirs(out, exist_ok=True)
    kinds = {k[len("AUDITEV_"):].lower().replace("_", "-"): v
             for k, v in enum("guard/audit/auditev.h",
                              "auditev_kind").items()}
    hexd = "0123456789abcdef" * 4
    samples = [
        ("pickup", "AUDIT_EV_MESSAGE_ACCEPTED", "Q",
         [("digest", hexd), ("source", "a b.p1"), ("bytes", "1")]),
        ("verify", "AUDIT_EV_MESSAGE_INSPECTED", "Q",
         [("stage", "verify"), ("result", "verified"), ("digest", hexd),
          ("facts", hexd), ("signer", "CN=x,O=y")]),
        ("policy", "AUDIT_EV_VERDICT", "Q",
         [("verdict", "reject"), ("rules", "a,b"), ("digest", hexd),
          ("policy", hexd), ("reasons", "a: x\nb: y\n")]),
        ("diode-rx", "AUDIT_EV_LINK_ALARM", "",
         [("alarm", "lost"), ("sequence", "1-5"), ("reason", "gap")]),
        ("mmguardd", "AUDIT_EV_POLICY_LOADED", "",
         [("old", hexd), ("new", hexd), ("via", "control"),
          ("officer", "C")]),
        ("decode", "AUDIT_EV_OFFICER_ACTION", "Q",
         [("action", "released"), ("officer", "M"), ("reason", "r")]),
        ("qmgr", "AUDIT_EV_CHECKPOINT", "", []),
        ("archive", "AUDIT_EV_ARCHIVE_PURGED", "Q",
         [("archived-at", "1")]),
    ]
    for i, (kind, ev, msgid, kv) in enumerate(samples):
        with open(os.path.join(out, "seed-%02d" % i), "wb") as f:
            f.write(bytes([kinds[kind]]) + event(ev, msgid, kv, fid=i))


def main():
    a = sys.argv[1:]
    if a and a[0] == "run" and len(a) in (7, 8):
        run(*a[1:7], a[7] if len(a) == 8 else None)
    elif a and a[0] == "reopen" and len(a) in (5, 6):
        reopen(*a[1:5], a[5] if len(a) == 6 else None)
    elif a and a[0] == "seeds" and len(a) == 2:
        seeds(a[1])
    else:
        sys.exit(__doc__)
    sys.exit(failures)


main()
