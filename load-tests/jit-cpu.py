#!/usr/bin/env python3
# Every 10 s, the cores the embedded platform's threads used, split into the JIT compilers
# (C1/C2 "CompilerThread"s), garbage collection (GC threads and the VM thread) and everything else,
# read from /proc/<pid>/task/*/stat. Start it before load-tests/capacity.sh: it waits for the
# platform's JVM (`./hotswap up`'s standalone jar) to appear and stops when it exits.
# (a thread that ends takes its ticks with it, so a period in which many end can read low.)
# Usage: python3 load-tests/jit-cpu.py > jit.log &
import collections, os, time

def platform_pid():
    for p in os.listdir('/proc'):
        if p.isdigit():
            try:
                cmd = open(f'/proc/{p}/cmdline', 'rb').read().decode(errors='ignore')
            except OSError:
                continue
            if 'java' in cmd and 'hotswap-standalone' in cmd and 'exec.jar' in cmd:
                return p

def category(thread):
    if 'Compiler' in thread:
        return 'jit'
    return 'gc' if 'GC' in thread or thread == 'VM Thread' else 'other'

def ticks(pid):
    used = collections.Counter()
    for t in os.listdir(f'/proc/{pid}/task'):
        try:
            s = open(f'/proc/{pid}/task/{t}/stat').read()
        except OSError:
            continue  # the thread ended
        name, fields = s[s.index('(') + 1:s.rindex(')')], s[s.rindex(')') + 2:].split()
        used[category(name)] += int(fields[11]) + int(fields[12])  # utime + stime
    return used

pid = None
while not pid:
    pid = platform_pid()
    time.sleep(0.5)
hz, t0, period = os.sysconf('SC_CLK_TCK'), time.time(), 10
print('platform pid', pid, flush=True)
prev = ticks(pid)
while os.path.exists(f'/proc/{pid}'):
    time.sleep(period)
    try:
        cur = ticks(pid)
    except OSError:
        break
    print('t=%4.0fs  cores: jit %.2f  gc %.2f  other %.2f' % ((time.time() - t0,) + tuple((cur[k] - prev[k]) / hz / period for k in ('jit', 'gc', 'other'))), flush=True)
    prev = cur
