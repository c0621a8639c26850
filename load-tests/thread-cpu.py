#!/usr/bin/env python3
# Where the machine's CPU goes during a window of a benchmark: cores used by each thread group of the
# platform's JVM and of the load generator's JVM, by PostgreSQL, by everything else, and idle — read
# from /proc (utime + stime per thread, /proc/stat for the machine), so nothing is attached to the
# JVMs and the figures cost them nothing. Start it beside load-tests/capacity.sh; it waits for the
# line "<marker>" in the benchmark's output file, then for `delay` seconds, then measures `seconds`.
# Usage: python3 load-tests/thread-cpu.py capacity.log "write 1000/s" 20 30
# (a thread that ends inside the window takes its ticks with it, so a window in which many end reads low.)
import collections, os, re, sys, time

log, marker = sys.argv[1], sys.argv[2]
delay, seconds = float(sys.argv[3]), float(sys.argv[4])
HZ = os.sysconf('SC_CLK_TCK')
GROUPS = [("http-nio", "request (Tomcat)"), ("tomcat", "request (Tomcat)"), ("virtual", "request (virtual)"),
          ("ForkJoinPool", "virtual-thread carriers"),
          ("data-plane-kafka-request-handler", "broker request handlers"), ("data-plane-kafka-network", "broker network"),
          ("kafka-producer-network-thread", "producers' network"), ("StreamThread", "stream threads"),
          ("Compiler", "JIT"), ("GC", "GC"), ("VM Thread", "GC"), ("selector", "generator selector"),
          ("load-", "generator write connections"), ("push", "push clients")]

def group(n):
    return next((g for p, g in GROUPS if p in n), re.sub(r"[-_ #]*\d+$", "", n)[:32])

def cmdline(p):
    try:
        return open(f'/proc/{p}/cmdline', 'rb').read().decode(errors='ignore').replace('\0', ' ')
    except OSError:
        return ''

def kind(p):
    c = cmdline(p)
    if 'hotswap-standalone' in c:
        return 'platform'
    if 'io.hotswap.loadtests' in c:
        return 'generator'
    if 'postgres' in c:
        return 'postgres'
    return 'other'

def stream_name(n):
    m = re.match(r"hotswap-([a-z-]+?)(?:-[0-9a-f-]{36})?-StreamThread", n)
    return "stream " + m.group(1) if m else None

def snapshot():
    used = collections.Counter()
    for p in filter(str.isdigit, os.listdir('/proc')):
        k = kind(p)
        try:
            tasks = os.listdir(f'/proc/{p}/task')
        except OSError:
            continue
        for t in tasks:
            try:
                s = open(f'/proc/{p}/task/{t}/stat').read()
            except OSError:
                continue
            name, f = s[s.index('(') + 1:s.rindex(')')], s[s.rindex(')') + 2:].split()
            ticks = int(f[11]) + int(f[12])
            if k in ('platform', 'generator'):
                used[(k, stream_name(name) or group(name))] += ticks
            used[(k, 'total')] += ticks
    cpu = open('/proc/stat').readline().split()[1:]
    used[('machine', 'idle')] = int(cpu[3]) + int(cpu[4])
    used[('machine', 'all')] = sum(map(int, cpu[:8]))
    return used

while True:
    try:
        if marker in open(log, errors='ignore').read():
            break
    except OSError:
        pass
    time.sleep(1)
time.sleep(delay)
a, t0 = snapshot(), time.time()
time.sleep(seconds)
b, t1 = snapshot(), time.time()
span = t1 - t0
d = {k: (b[k] - a.get(k, 0)) / HZ / span for k in b}
cores = d.pop(('machine', 'all'))
print(f"window {span:.0f} s after '{marker}' + {delay:.0f} s: machine busy {cores - d.pop(('machine', 'idle')):.2f} of {cores:.2f} cores")
for k in ('platform', 'generator', 'postgres', 'other'):
    print(f"  {k:10s} {d.get((k, 'total'), 0):5.2f} cores")
    for (kk, g), v in sorted(d.items(), key=lambda e: -e[1]):
        if kk == k and g != 'total' and v >= 0.005:
            print(f"      {v:5.3f}  {g}")
