#!/usr/bin/env python3
# Second by second, where the machine's CPU went during a benchmark: cores used in each second by
# each thread name of the platform's JVM and of the load generator's JVM, by PostgreSQL and by every
# other process (named), read from /proc — nothing attached to the JVMs. load-tests/thread-cpu.py
# gives one window's average; this is for lining up a slow second (the generator's "worst seconds",
# a GC log) with what ran then — e.g. the generator's own threads waking at once after a stall, or
# something else on the machine taking half a core. Costs ~0.02 of a core itself.
# Usage: load-tests/cpu-seconds.py record FILE            (until stopped; one JSON line per second)
#        load-tests/cpu-seconds.py show FILE FROM TO [N]  (HH:MM:SS in UTC: the window's average per
#                                                          name, then each second's top N names)
import collections, json, os, re, sys, time

HZ = os.sysconf('SC_CLK_TCK')


def kind(pid):
    try:
        c = open(f'/proc/{pid}/cmdline', 'rb').read().decode(errors='ignore')
    except OSError:
        return None
    if 'Capacity' in c:
        return 'generator'
    if 'hotswap' in c and 'java' in c:
        return 'platform'
    if 'postgres' in c:
        return 'postgres'
    return 'other'


def machine():
    v = list(map(int, open('/proc/stat').readline().split()[1:]))
    return sum(v), v[3] + v[4]


def record(path):
    out = open(path, 'w')
    prev, last = {}, machine()
    cores = os.cpu_count()
    while True:
        t0 = time.time()
        cur, second = {}, collections.Counter()
        for pid in filter(str.isdigit, os.listdir('/proc')):
            k = kind(pid)
            if k is None:
                continue
            try:
                tids = os.listdir(f'/proc/{pid}/task')
            except OSError:
                continue
            for tid in tids:
                try:
                    s = open(f'/proc/{pid}/task/{tid}/stat').read()
                except OSError:
                    continue
                r = s.rfind(')')
                f = s[r + 2:].split()
                ticks = int(f[11]) + int(f[12])
                cur[tid] = ticks
                if tid in prev and ticks > prev[tid]:
                    # postgres forks a process per connection: one name for all of them
                    name = k if k == 'postgres' else k + ':' + re.sub(r'\d+', 'N', s[s.find('(') + 1:r])
                    second[name] += ticks - prev[tid]
        prev = cur
        now = machine()
        total, idle = now[0] - last[0], now[1] - last[1]
        last = now
        out.write(json.dumps({'t': time.strftime('%H:%M:%S', time.gmtime(t0)),
                              'busy': round((total - idle) / max(total, 1) * cores, 2),
                              'cores': {k: round(v / HZ, 3) for k, v in second.items()}}) + '\n')
        out.flush()
        time.sleep(max(0, 1 - (time.time() - t0)))


def show(path, lo, hi, top):
    rows = [r for r in map(json.loads, open(path)) if lo <= r['t'] <= hi]
    if not rows:
        sys.exit('no seconds between %s and %s' % (lo, hi))
    avg = collections.Counter()
    for r in rows:
        for k, v in r['cores'].items():
            avg[k] += v / len(rows)
    print('%d s, machine busy %.2f cores on average' % (len(rows), sum(r['busy'] for r in rows) / len(rows)))
    for side in ('platform', 'generator', 'postgres', 'other'):
        print('  %-10s %.2f' % (side, sum(v for k, v in avg.items() if k.split(':')[0] == side)))
    for k, v in avg.most_common(12):
        print('  %.3f %s' % (v, k))
    for r in rows:
        names = sorted(r['cores'].items(), key=lambda kv: -kv[1])[:top]
        print('%s %4.2f  %s' % (r['t'], r['busy'], '  '.join('%s %.2f' % (k, v) for k, v in names)))


if __name__ == '__main__':
    if len(sys.argv) >= 3 and sys.argv[1] == 'record':
        record(sys.argv[2])
    elif len(sys.argv) >= 5 and sys.argv[1] == 'show':
        show(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]) if len(sys.argv) > 5 else 5)
    else:
        sys.exit(__doc__ or 'usage: cpu-seconds.py record FILE | show FILE FROM TO [N]')
