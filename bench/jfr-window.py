#!/usr/bin/env python3
"""Where a service's CPU went during part of a benchmark, from a JFR recording (BENCH_JFR=1 records the whole run,
setup included, so a profile of the measured phase needs a time window).

  bench/jfr-window.py FILE                      samples per 5 s since the first one (find the measured phase)
  bench/jfr-window.py FILE FROM_S TO_S [N] [S]  the top N (40) frames of the samples in [FROM_S, TO_S): by the
                                                outermost dev.relay frame, and by the frame on top of the stack; only
                                                stacks with a frame containing S, if given

Needs the JDK's `jfr` tool (Temurin 25 under /usr/lib/jvm, or JAVA_HOME).
"""
import collections
import datetime
import json
import os
import subprocess
import sys
f = sys.argv[1]
jfr = os.path.join(os.environ.get('JAVA_HOME', '/usr/lib/jvm/temurin-25-jdk-amd64'), 'bin', 'jfr')
out = subprocess.run([jfr, 'print', '--json', '--stack-depth', '64', '--events', 'jdk.ExecutionSample', f], capture_output=True, text=True).stdout
events = json.loads(out)['recording']['events']
def t(e):
    s = e['values']['startTime']
    return datetime.datetime.fromisoformat(s.replace('Z', '+00:00')).timestamp()
t0 = min(t(e) for e in events)
if len(sys.argv) == 2:
    h = collections.Counter(int((t(e) - t0) // 5) * 5 for e in events)
    for k in sorted(h): print(k, h[k])
    sys.exit()
a, b = float(sys.argv[2]), float(sys.argv[3]); n = int(sys.argv[4]) if len(sys.argv) > 4 else 40
flt = sys.argv[5] if len(sys.argv) > 5 else None
selfc = collections.Counter(); owner = collections.Counter()
for e in events:
    x = t(e) - t0
    if not (a <= x < b): continue
    st = e['values'].get('stackTrace')
    if not st: continue
    names = [fr['method']['type']['name'].replace('/', '.') + '.' + fr['method']['name'] for fr in st['frames']]
    if flt and not any(flt in y for y in names): continue
    selfc[names[0]] += 1
    o = [y for y in names if y.startswith('dev.relay')]
    owner[o[-1] if o else 'no dev.relay frame: ' + '.'.join(names[-1].split('.')[:4])] += 1
N = sum(selfc.values()); print('samples', N)
print('--- outermost dev.relay frame'); [print(f'{c/N*100:5.1f}% {k}') for k, c in owner.most_common(n)]
print('--- self'); [print(f'{c/N*100:5.1f}% {k}') for k, c in selfc.most_common(n)]
