#!/usr/bin/env python3
"""cases.py - golden tests of the decision engine through mmguardctl explain.

    cases.py BUILD RESULTS [--update]

Each case below describes a message: a P772 template with edits, the
label it carries in the P1 envelope and (when signed) in its ESS
security label, the certificate that signs it (from the test PKI made
at test time), and the direction it travels.  The script composes and
signs it with mmguard-msg, runs `mmguardctl explain` against the example
guard policy (policy/examples/guard.xml), and compares the output with
tests/data/policy/explain/NAME.out.  It also checks that --json agrees
with the text (verdict, rule ids, labels) and that every verdict and
rule kind of the policy is exercised.  --update rewrites the golden
files (review the diff before committing them).
"""
import json
import os
import shutil
import subprocess
import sys

FD = "2.999.4406.1"            # FREEDONIA policy
NATO = "1.3.26.1.3.1"
FD_REL = "enumerated-permissive=2.999.4406.2.2"
FD_COMP = "restrictive=2.999.4406.2.1"
FD_HANDLING = "informative=2.999.4406.2.3"
NATO_REL = "enumerated-permissive=1.3.26.1.4.2"
NATO_ADD = "restrictive=1.3.26.1.4.1"

FD_SECRET_GBR = f"policy={FD}; classification=4; {FD_REL}:826"
NATO_SECRET_GBR = f"policy={NATO}; classification=4; {NATO_REL}:826"

ORIG = "G=Anna; S=Berg; OU1=J3; O=FDF; P=MOD; A= ; C=GB"
RCPT = "S=Ops; O=SHAPE; P=NATO; A= ; C=BE"
NATO_ORIG = "S=Watch; O=SHAPE; P=NATO; A= ; C=BE"
NATIONAL_RCPT = "G=Anna; S=Berg; O=FDF; P=MOD; A= ; C=GB"

BASE = dict(dir="high-to-low", sign="releaser", label=FD_SECRET_GBR,
            esslabel="same", originator=ORIG, recipients=[RCPT],
            subject="Exercise report", prec="immediate",
            mtype="exercise", sics=["AAA"], body="Situation normal.",
            priority=None, extra_env="", extra_heading="", bodies="",
            raw=None, tamper=False, info_label=None, receipt=False)

CASES = [
    # -- high to low: releases -------------------------------------------
    dict(name="h2l-release"),
    dict(name="h2l-release-nato-label", label=NATO_SECRET_GBR),
    dict(name="h2l-release-discarded-compartment",
         label=f"policy={FD}; classification=4; {FD_COMP}:2; {FD_REL}:826"),
    dict(name="h2l-release-compartment-alpha",
         label=f"policy={FD}; classification=4; {FD_COMP}:1; {FD_REL}:528"),
    dict(name="h2l-release-exercise-handling",
         label=f"policy={FD}; classification=3; {FD_REL}:826; "
               f"{FD_HANDLING}:1"),
    dict(name="h2l-release-below-threshold",
         body="Move to grid reference 1234 5678 at dawn."),
    dict(name="h2l-release-p1-priority", prec=None, priority="urgent"),
    dict(name="h2l-release-capped-originator-routine", prec="routine",
         originator="G=Ola; S=Dahl; OU1=LOG; O=FDF; P=MOD; A= ; C=GB"),
    dict(name="h2l-release-no-message-type", mtype=None),
    # -- refer -----------------------------------------------------------
    dict(name="h2l-refer-not-release-authority", sign="originator"),
    dict(name="h2l-refer-ec-originator", sign="originator-ec",
         label=NATO_SECRET_GBR),
    # -- quarantine ------------------------------------------------------
    dict(name="h2l-quarantine-leakage-body",
         body="Operation Nightfall begins at 0400."),
    dict(name="h2l-quarantine-leakage-subject",
         subject="Crypto key list for next week"),
    dict(name="h2l-quarantine-leakage-obfuscated",
         body="Send the C.R.Y.P.T.O K.E.Y L.I.S.T today."),
    dict(name="h2l-quarantine-leakage-sum",
         body="grid reference one, grid reference two, grid reference three"),
    dict(name="h2l-quarantine-leakage-list-file",
         body="Troop movement, order of battle, source reporting and "
              "national eyes only material; more troop movement."),
    dict(name="h2l-quarantine-leakage-instruction",
         extra_heading="message-instruction: OPERATION NIGHTFALL\n"),
    dict(name="h2l-quarantine-leakage-second-part",
         bodies="[body ia5-text]\nThe crypto key list is attached.\n"),
    dict(name="h2l-quarantine-label-disagreement",
         esslabel=f"policy={FD}; classification=3; {FD_REL}:826"),
    dict(name="h2l-quarantine-heading-label-disagreement",
         info_label=f"policy={FD}; classification=2"),
    dict(name="h2l-quarantine-over-refer", sign="originator",
         body="Operation Nightfall begins at 0400."),
    # -- reject: signatures ---------------------------------------------
    dict(name="h2l-reject-unsigned", sign=None),
    dict(name="h2l-reject-revoked", sign="revoked"),
    dict(name="h2l-reject-expired", sign="expired"),
    dict(name="h2l-reject-wrong-key-usage", sign="wrong-usage"),
    dict(name="h2l-reject-weak-key", sign="weak"),
    dict(name="h2l-reject-tampered", tamper=True),
    # -- reject: labels ---------------------------------------------------
    dict(name="h2l-reject-no-label", label=None, esslabel=None),
    dict(name="h2l-reject-unknown-policy",
         label="policy=2.999.77.1; classification=4"),
    dict(name="h2l-reject-invalid-classification",
         label=f"policy={FD}; classification=9"),
    dict(name="h2l-reject-top-secret-unmappable",
         label=f"policy={FD}; classification=5; {FD_REL}:826"),
    dict(name="h2l-reject-nato-top-secret",
         label=f"policy={NATO}; classification=5; {NATO_REL}:826"),
    dict(name="h2l-reject-personal-handling",
         label=f"policy={FD}; classification=3; {FD_REL}:826; "
               f"{FD_HANDLING}:2"),
    dict(name="h2l-reject-releasable-to-freedonia-only",
         label=f"policy={FD}; classification=4; {FD_REL}:1"),
    dict(name="h2l-reject-special-b",
         label=f"policy={NATO}; classification=4; {NATO_ADD}:2; "
               f"{NATO_REL}:826"),
    dict(name="h2l-reject-releasable-to-usa-only",
         label=f"policy={NATO}; classification=4; {NATO_REL}:840"),
    # -- reject: content rules ---------------------------------------------
    dict(name="h2l-reject-sic-denied", sics=["AAA", "ZKB12"]),
    dict(name="h2l-reject-sic-not-allowed", sics=["QQQ"]),
    dict(name="h2l-reject-body-part-type",
         bodies="[body g3-facsimile]\n30 07 03 02 00 ff 03 01 00\n"),
    dict(name="h2l-reject-too-many-recipients",
         recipients=[f"S=Ops{i}; O=SHAPE; P=NATO; A= ; C=BE"
                     for i in range(65)]),
    dict(name="h2l-reject-originator-denied",
         originator="G=Tom; S=Intern; O=FDF; P=MOD; A= ; C=GB"),
    dict(name="h2l-reject-originator-not-allowed",
         originator="S=Smith; O=DOD; P=US; A= ; C=US"),
    dict(name="h2l-reject-recipient-not-allowed",
         recipients=[RCPT, "S=Press; O=NEWS; P=MEDIA; A= ; C=US"]),
    dict(name="h2l-reject-message-type-drill", mtype="drill"),
    dict(name="h2l-reject-precedence-override", prec="override"),
    dict(name="h2l-reject-precedence-cap", prec="flash",
         originator="G=Ola; S=Dahl; OU1=LOG; O=FDF; P=MOD; A= ; C=GB"),
    # -- reject: the guard's own checks -----------------------------------
    dict(name="h2l-reject-critical-extension",
         extra_env="extension: type=1.2.826.0.1.999.1; "
                   "critical=transfer,delivery; value=0c 05 68 65 6c 6c 6f\n"),
    dict(name="h2l-reject-garbage", raw="garbage"),
    dict(name="h2l-reject-probe", raw="probe"),
    dict(name="h2l-reject-report", raw="report"),
    dict(name="h2l-reject-ipm-unsigned", raw="ipm"),
    # -- low to high -------------------------------------------------------
    dict(name="l2h-release", dir="low-to-high", sign="originator",
         label=NATO_SECRET_GBR, originator=NATO_ORIG,
         recipients=[NATIONAL_RCPT]),
    dict(name="l2h-release-alpha", dir="low-to-high", sign="originator",
         label=f"policy={NATO}; classification=4; {NATO_ADD}:1; "
               f"{NATO_REL}:528", originator=NATO_ORIG,
         recipients=[NATIONAL_RCPT]),
    dict(name="l2h-reject-above-clearance", dir="low-to-high",
         sign="originator",
         label=f"policy={NATO}; classification=5; {NATO_REL}:826",
         originator=NATO_ORIG, recipients=[NATIONAL_RCPT]),
    dict(name="l2h-reject-unmappable-release", dir="low-to-high",
         sign="originator",
         label=f"policy={NATO}; classification=4; {NATO_REL}:840",
         originator=NATO_ORIG, recipients=[NATIONAL_RCPT]),
    dict(name="l2h-reject-override", dir="low-to-high", sign="originator",
         label=NATO_SECRET_GBR, prec="override", originator=NATO_ORIG,
         recipients=[NATIONAL_RCPT]),
    dict(name="l2h-reject-unsigned", dir="low-to-high", sign=None,
         label=NATO_SECRET_GBR, originator=NATO_ORIG,
         recipients=[NATIONAL_RCPT]),
    dict(name="l2h-reject-label-disagreement", dir="low-to-high",
         sign="originator", label=NATO_SECRET_GBR,
         esslabel=f"policy={NATO}; classification=3; {NATO_REL}:826",
         originator=NATO_ORIG, recipients=[NATIONAL_RCPT]),
    dict(name="l2h-signed-receipt", dir="low-to-high", receipt=True),
    dict(name="l2h-reject-attachment", dir="low-to-high",
         sign="originator", label=NATO_SECRET_GBR, originator=NATO_ORIG,
         recipients=[NATIONAL_RCPT],
         bodies="[body file-transfer]\n30 00\n"),
]


def spec_text(c, n):
    lines = ["message-id: C=GB; A= ; P=MOD; L=CASE-%04d" % n,
             "originator: " + c["originator"]]
    lines += ["recipient: " + r for r in c["recipients"]]
    lines += ["content-type: p772",
              "trace: C=GB; A= ; P=MOD; arrival=20261129084600Z; "
              "action=relayed"]
    if c["priority"]:
        lines.append("priority: " + c["priority"])
    if c["label"]:
        lines.append("security-label: " + c["label"])
    text = "\n".join(lines) + "\n" + c["extra_env"]
    h = ["", "[heading]", "this-ipm: local=CASE-%04d" % n,
         "originator: " + c["originator"]]
    h += ["to: " + r for r in c["recipients"]]
    h.append("subject: " + c["subject"])
    if c["prec"]:
        h.append("primary-precedence: " + c["prec"])
    if c["mtype"]:
        h.append("message-type: %s; id=CASE" % c["mtype"])
    h += ["sic: " + s for s in c["sics"]]
    if c["info_label"]:
        h.append("information-label: " + c["info_label"])
    text += "\n".join(h) + "\n" + c["extra_heading"]
    text += "\n[body ia5-text]\n" + c["body"] + "\n" + c["bodies"]
    return text


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def main():
    build, results = sys.argv[1], sys.argv[2]
    update = "--update" in sys.argv[3:]
    bindir = os.path.join(build, "bin")
    msgtool = os.path.join(bindir, "mmguard-msg")
    ctl = os.path.join(bindir, "mmguardctl")
    work = os.path.join(build, "policy-cases")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    pki = os.path.join(work, "pki")
    r = run(["sh", "tests/pki/make-pki.sh", pki])
    if r.returncode != 0:
        sys.exit("make-pki: " + r.stderr)
    golden = "tests/data/policy/explain"
    os.makedirs(golden, exist_ok=True)
    passed = failed = 0
    verdicts, rules = set(), set()

    def fail(name, why):
        nonlocal failed
        failed += 1
        print("policy-cases: %s FAILED: %s" % (name, why))

    for n, case in enumerate(CASES, 1):
        c = dict(BASE)
        c.update(case)
        name = c["name"]
        msg = os.path.join(work, name + ".p1")
        if c["raw"] == "garbage":
            with open(msg, "wb") as f:
                f.write(b"\x30\x80" + b"not a message" * 8)
        elif c["raw"] in ("probe", "report", "ipm"):
            src = {"probe": "probe.spec", "report": "report.spec",
                   "ipm": "routine-ipm.spec"}[c["raw"]]
            r = run([msgtool, "compose", "tests/data/msg/" + src, "-o",
                     msg])
            if r.returncode != 0:
                fail(name, "compose: " + r.stderr)
                continue
        else:
            spec = os.path.join(work, name + ".spec")
            with open(spec, "w") as f:
                f.write(spec_text(c, n))
            plain = os.path.join(work, name + ".plain.p1")
            r = run([msgtool, "compose", spec, "-o",
                     plain if c["sign"] else msg])
            if r.returncode != 0:
                fail(name, "compose: " + r.stderr)
                continue
            if c["sign"]:
                cmd = [msgtool, "sign", "--cert",
                       os.path.join(pki, c["sign"] + ".pem"), "--key",
                       os.path.join(pki, c["sign"] + ".key"), "--chain",
                       os.path.join(pki, "int.pem")]
                ess = c["label"] if c["esslabel"] == "same" else \
                    c["esslabel"]
                if ess:
                    cmd += ["--label", ess]
                if c["receipt"]:
                    cmd.append("--receipt-request")
                r = run(cmd + [plain, "-o", msg])
                if r.returncode != 0:
                    fail(name, "sign: " + r.stderr)
                    continue
            if c["receipt"]:
                r = run([msgtool, "receipt", "--cert",
                         os.path.join(pki, "recipient.pem"), "--key",
                         os.path.join(pki, "recipient.key"), "--chain",
                         os.path.join(pki, "int.pem"), msg, "-o",
                         msg + ".receipt"])
                if r.returncode != 0:
                    fail(name, "receipt: " + r.stderr)
                    continue
                os.replace(msg + ".receipt", msg)
            if c["tamper"]:
                data = bytearray(open(msg, "rb").read())
                i = data.find(c["body"].encode())
                data[i] ^= 0x20
                open(msg, "wb").write(bytes(data))
        r = run([ctl, "explain", "--policy", "policy/examples/guard.xml",
                 "--pki", pki, "--direction", c["dir"], msg])
        if r.returncode != 0:
            fail(name, "explain exit %d: %s" % (r.returncode, r.stderr))
            continue
        out = r.stdout.replace(msg, name)
        gold = os.path.join(golden, name + ".out")
        if update:
            with open(gold, "w") as f:
                f.write(out)
        try:
            want = open(gold).read()
        except OSError:
            fail(name, "no golden file " + gold)
            continue
        if out != want:
            fail(name, "explain output differs from %s:\n%s\n--- want\n%s"
                 % (gold, out, want))
            continue
        r = run([ctl, "explain", "--policy", "policy/examples/guard.xml",
                 "--pki", pki, "--direction", c["dir"], "--json", msg])
        try:
            j = json.loads(r.stdout)
        except ValueError as e:
            fail(name, "--json: %s" % e)
            continue
        first = out.splitlines()[0]
        if not first.startswith("%s: %s (" % (name, j["verdict"])):
            fail(name, "--json verdict %s, text says %s" %
                 (j["verdict"], first))
            continue
        text_rules = [l.split()[1] for l in out.splitlines()
                      if l.startswith("  reason ")]
        if text_rules != [x["rule"] for x in j["reasons"]]:
            fail(name, "--json reasons differ from the text")
            continue
        for k in ("label", "signer", "hits"):
            if k not in j:
                fail(name, "--json lacks " + k)
                break
        else:
            verdicts.add(j["verdict"])
            rules.update(text_rules)
            passed += 1
    # Coverage of the policy: every verdict and rule kind exercised.
    want_verdicts = {"release", "refer", "quarantine", "reject"}
    if verdicts >= want_verdicts:
        passed += 1
    else:
        fail("coverage", "verdicts never produced: %s" %
             sorted(want_verdicts - verdicts))
    kinds = {"signed", "label", "boundary", "clearance", "release",
             "words", "sics", "bodyparts", "size", "originators",
             "recipients", "types", "precedence"}
    seen = {r.split("-", 1)[1] for r in rules if "-" in r}
    if kinds - seen:
        fail("coverage", "rule kinds never refusing: %s" %
             sorted(kinds - seen))
    else:
        passed += 1
    print("policy-cases: %d passed, %d failed (%d cases)" %
          (passed, failed, len(CASES)))
    with open(results, "w") as f:
        f.write("%d %d\n" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
