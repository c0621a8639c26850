#!/usr/bin/env python3
# Request-thread allocation samples of a flight recording, summed by the innermost owning frame
# (direct path, HTTP observation, Tomcat, ...). Samples weigh up to ~50 MB each: trust large
# differences only; use heap-allocated.py for totals.
# Usage: jfr print --events jdk.ObjectAllocationSample --stack-depth 200 f.jfr | load-tests/jfr/allocation-owners.py
import sys, re, collections

OWNERS = [("FastConfigReads", "direct path"), ("ServerHttpObservationFilter", "observation"),
          ("org.springframework.security", "security chain"), ("DispatcherServlet", "mvc"),
          ("org.apache.coyote", "tomcat"), ("org.apache.tomcat", "tomcat"), ("org.apache.catalina", "tomcat")]
def unit(v, u):
    return float(v) * {"bytes":1, "byte":1, "kB":1e3, "MB":1e6, "GB":1e9}[u]
tot = collections.Counter(); owner = collections.Counter(); sub = collections.Counter()
ev = None
def finish(e):
    if not e or "tomcat-handler" not in e.get("thread", ""): 
        if e: tot["other threads"] += e["w"]
        return
    tot["request threads"] += e["w"]
    frames = e["frames"]
    cat = "other"
    for f in frames:  # innermost first
        hit = next((c for p, c in OWNERS if p in f), None)
        if hit: cat = hit; break
    owner[cat] += e["w"]
    # first non-JDK frame, by package (3 parts)
    inner = next((f for f in frames if not f.startswith(("java.", "jdk.", "sun."))), "?")
    pkg = ".".join(inner.split("(")[0].split(".")[:4])
    sub[(cat, pkg)] += e["w"]
for line in sys.stdin:
    s = line.strip()
    if s.startswith("jdk.ObjectAllocationSample"):
        finish(ev); ev = {"frames": [], "w": 0, "thread": ""}
    elif ev is None: continue
    elif s.startswith("weight ="):
        m = re.match(r"weight = ([\d.]+) (\w+)", s); ev["w"] = unit(m.group(1), m.group(2))
    elif s.startswith("eventThread ="): ev["thread"] = s
    elif re.match(r"^[\w$.<>]+\(.*\)", s) and "line:" in s: ev["frames"].append(s)
finish(ev)
T = tot["request threads"]
print({k: "%.2f GB" % (v/1e9) for k, v in tot.items()})
for k, v in owner.most_common(): print("%-16s %5.1f %%  %.2f GB" % (k, 100*v/T, v/1e9))
print("--- top inner packages per owner")
for (c, p), v in sub.most_common(40): print("%-16s %-50s %5.1f %%" % (c, p, 100*v/T))
