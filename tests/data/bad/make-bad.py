#!/usr/bin/env python3
"""make-bad.py - regenerate the negative corpus from the example messages.

    python3 tests/data/bad/make-bad.py BUILD

Composes samples with BUILD/bin/mmguard-msg, then damages them one way
each, writing NAME.p1 (or NAME.p772 for bare content) and NAME.expect:
the text the decoder's error must contain (or, for inputs that decode,
"decodes: " and a fragment of the JSON).  tests/bad.sh checks them.
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))


def parse(d, i=0):
    """One TLV at d[i:], definite lengths only: (node, next index)."""
    start = i
    t = d[i]; i += 1
    tag = bytes([t])
    if t & 0x1f == 0x1f:
        while d[i] & 0x80:
            tag += bytes([d[i]]); i += 1
        tag += bytes([d[i]]); i += 1
    ln = d[i]; i += 1
    if ln & 0x80:
        n = ln & 0x7f
        ln = int.from_bytes(d[i:i + n], 'big'); i += n
    val = d[i:i + ln]
    node = {'tag': tag, 'cons': bool(t & 0x20)}
    if node['cons']:
        kids, j = [], 0
        while j < len(val):
            k, j = parse(val, j)
            kids.append(k)
        node['kids'] = kids
    else:
        node['val'] = val
    return node, i + ln


def length(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, 'big')
    return bytes([0x80 | len(b)]) + b


def ser(node):
    if node['cons']:
        v = b''.join(ser(k) for k in node['kids'])
    else:
        v = node['val']
    return node['tag'] + length(len(v)) + v


def compose(spec):
    out = os.path.join('/tmp', 'mmguard-bad-' + os.path.basename(spec) + '.der')
    subprocess.run([os.path.join(BUILD, 'bin', 'mmguard-msg'), 'compose',
                    os.path.join(ROOT, 'tests', 'data', 'msg', spec), '-o', out],
                   check=True)
    with open(out, 'rb') as f:
        d = f.read()
    os.unlink(out)
    return d


def write(name, data, expect, ext='p1'):
    with open(os.path.join(HERE, name + '.' + ext), 'wb') as f:
        f.write(data)
    with open(os.path.join(HERE, name + '.expect'), 'w') as f:
        f.write(expect + '\n')


def envelope(msg):
    return msg['kids'][0]


def find(kids, tag):
    for k in kids:
        if k['tag'] == tag:
            return k
    raise KeyError(tag)


BUILD = sys.argv[1] if len(sys.argv) > 1 else 'build'

flash = compose('flash-p772.spec')
routine = compose('routine-ipm.spec')
fwd = compose('forwarded.spec')

# Wrong outer tag: not an MTS-APDU.
write('wrong-apdu-tag', b'\xa5' + flash[1:], 'offset 0: not an MTS-APDU')

# Duplicate SET component: a second priority in the envelope.
m, _ = parse(flash)
env = envelope(m)
env['kids'].append({'tag': b'\x47', 'cons': False, 'val': b'\x01'})
write('duplicate-priority', ser(m), 'priority ([APPLICATION 7]) appears twice')

# Missing mandatory component: no trace information.
m, _ = parse(flash)
env = envelope(m)
env['kids'] = [k for k in env['kids'] if k['tag'] != b'\x69']
write('missing-trace', ser(m), 'mandatory component trace-information absent')

# Unknown envelope component.
m, _ = parse(flash)
envelope(m)['kids'].append({'tag': b'\x9f\x1f', 'cons': False, 'val': b''})
write('unknown-component', ser(m), '[31] is not a component of this SET')

# Overlong length: the content OCTET STRING claims more than there is.
m, _ = parse(routine)
d = ser(m)
cont = ser(m['kids'][1])
at = d.rindex(cont)
bad = bytearray(d)
bad[at + 1:at + 1 + len(length(len(m['kids'][1]['val'])))] = \
    length(len(m['kids'][1]['val']) + 40)[:len(length(len(m['kids'][1]['val'])))]
write('overlong-length', bytes(bad), 'runs past its container')

# Per-recipient indicators of 7 bits (SIZE (8..)).
m, _ = parse(routine)
rcpt = find(envelope(m)['kids'], b'\xa2')['kids'][0]
ind = find(rcpt['kids'], b'\x81')
ind['val'] = b'\x01\xa0'
write('short-indicators', ser(m), 'per-recipient-indicators of 7 bits')

# Non-minimal INTEGER: recipient number 00 01.
m, _ = parse(routine)
rcpt = find(envelope(m)['kids'], b'\xa2')['kids'][0]
find(rcpt['kids'], b'\x80')['val'] = b'\x00\x01'
write('nonminimal-integer', ser(m), 'INTEGER not in minimal form')

# Charset violation: '@' in the organization name (PrintableString).
d = flash.replace(b'PJHQ', b'PJ@Q', 1)
write('charset-printable', d, 'character outside PrintableString')

# Bad UTCTime: month 13 in the trace arrival time.
d = flash.replace(b'261129084600Z', b'261329084600Z', 1)
write('bad-time', d, 'UTCTime date or time out of range')

# Unknown extension critical for transfer: decodes, flagged.
write('unknown-critical-extension', compose('unknown-critical.spec'),
      'decodes: "unknown_critical_extensions":1')

# Content: the P772 inside the flash message, damaged.
m, _ = parse(flash)
content = m['kids'][1]['val']
c, _ = parse(content)


def heading(c):
    return c['kids'][0]


def mm_ext(c, arc):
    exts = find(heading(c)['kids'], b'\xaf')
    oid = bytes.fromhex('2b1a00a2360002') + bytes([arc])
    for e in exts['kids']:
        if e['kids'][0]['val'] == oid:
            return exts, e
    raise KeyError(arc)


# Two primary-precedence extensions.
c, _ = parse(content)
exts, e = mm_ext(c, 0)
exts['kids'].append(e)
write('duplicate-precedence', ser(c), 'primary-precedence appears twice',
      'p772')

# A SIC of two characters (3 to 8).
c, _ = parse(content)
exts, e = mm_ext(c, 6)
sics = e['kids'][1]['kids'][0]
sics['kids'][0]['val'] = b'AB'
write('short-sic', ser(c), 'SIC "AB" shorter than 3 characters', 'p772')

# Nine SICs (at most 8).
c, _ = parse(content)
exts, e = mm_ext(c, 6)
sics = e['kids'][1]['kids'][0]
sics['kids'] = [{'tag': b'\x13', 'cons': False, 'val': b'SIC%d' % i}
                for i in range(9)]
write('too-many-sics', ser(c), 'more than 8 SICs', 'p772')

# Subject with a byte outside T.61.
c, _ = parse(content)
subj = find(heading(c)['kids'], b'\xa8')['kids'][0]
subj['val'] = b'FLASH # exercise'
write('charset-teletex', ser(c), 'byte not in the T.61 repertoire', 'p772')

# Forwarded messages nested five deep (the limit is four).
m, _ = parse(fwd)
inner, _ = parse(m['kids'][1]['val'])


def forward_once(ipm):
    """An IPM whose only body part is an mm-message holding ipm."""
    outer = {'tag': b'\xa0', 'cons': True,
             'kids': [heading(ipm), {'tag': b'\x30', 'cons': True, 'kids': []}]}
    for bp in heading_body(inner):
        if bp['tag'] == b'\xaf':        # extended: the mm-message part
            data = bp['kids'][1]
            data['kids'][1]['kids'] = [{'tag': b'\x30', 'cons': True,
                                        'kids': ipm['kids']}]
            outer['kids'][1]['kids'] = [bp]
            return outer
    raise KeyError('mm-message')


def heading_body(ipm):
    return ipm['kids'][1]['kids']


import copy
deep, _ = parse(m['kids'][1]['val'])
for _ in range(5):
    deep = forward_once(copy.deepcopy(deep))
write('nesting-too-deep', ser(deep), 'forwarded message nested more than 4 deep',
      'p772')

print('negative corpus written to', HERE)
