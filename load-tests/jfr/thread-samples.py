#!/usr/bin/env python3
# Where a flight recording's CPU samples went: by thread group (request threads, stream threads by
# service, broker, producers), then the frames most often on the stack in one group.
# Usage: jfr print --json --events jdk.ExecutionSample --stack-depth 256 f.jfr > f.json
#        load-tests/jfr/thread-samples.py f.json [group or name parts joined by + (e.g. rollout+StreamThread)] [frames]
import json, sys, collections, re
GROUPS = [("tomcat", "request"), ("data-plane-kafka-request-handler", "broker-handler"),
          ("data-plane-kafka-network", "broker-net"), ("kafka-producer-network-thread", "producer-net"),
          ("StreamThread", "stream"), ("C2", "jit"), ("C1", "jit")]
def name(e):
    t = e["values"].get("sampledThread") or {}
    return t.get("javaName") or t.get("osName") or "?"
def group(n):
    return next((g for p, g in GROUPS if p in n), n[:40])
events = json.load(open(sys.argv[1]))["recording"]["events"]
focus = sys.argv[2] if len(sys.argv) > 2 else "request"
top = int(sys.argv[3]) if len(sys.argv) > 3 else 40
groups, streams, frames, n = collections.Counter(), collections.Counter(), collections.Counter(), 0
for e in events:
    t = name(e); g = group(t); groups[g] += 1
    if g == "stream":
        streams[re.sub(r"-[0-9a-f-]{36}", "", t)] += 1
    if g == focus or all(p in t for p in focus.split("+")):
        n += 1
        for f in {f["method"]["type"]["name"] + "." + f["method"]["name"] for f in e["values"]["stackTrace"]["frames"]}:
            frames[f] += 1
total = sum(groups.values())
for g, v in groups.most_common(15):
    print("%6d %5.1f%% %s" % (v, 100 * v / total, g))
for s, v in streams.most_common(8):
    print("        stream %s: %d" % (s, v))
print("-- frames on the stack in %s (%d samples)" % (focus, n))
for f, v in frames.most_common(top):
    print("%5d %5.1f%% %s" % (v, 100 * v / max(n, 1), f))
