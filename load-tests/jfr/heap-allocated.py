#!/usr/bin/env python3
# What the platform allocated during a flight recording, from its heap summaries: heap used before
# each collection minus heap used after the one before (exact, unlike allocation samples).
# Usage: load-tests/jfr/heap-allocated.py recording.jfr   (needs `jfr` of a JDK >= 21 on PATH or JAVA_HOME)
import json, os, shutil, subprocess, sys
JFR = os.path.join(os.environ["JAVA_HOME"], "bin", "jfr") if os.environ.get("JAVA_HOME") else shutil.which("jfr")
# total allocated = sum over GCs of (heapUsed at "Before GC" - heapUsed at previous "After GC")
f=sys.argv[1]
out=subprocess.run([JFR,"print","--json","--events","jdk.GCHeapSummary",f],capture_output=True,text=True).stdout
ev=json.loads(out)["recording"]["events"]
ev.sort(key=lambda e:(e["values"]["startTime"], e["values"]["when"]!="Before GC"))
alloc=0; last_after=None; n=0; t0=t1=None
for e in ev:
    v=e["values"]; used=v["heapUsed"]
    if v["when"]=="Before GC":
        if last_after is not None: alloc+=used-last_after; n+=1
        t0=t0 or v["startTime"]; t1=v["startTime"]
    else: last_after=used
print(f, "GCs", n, "allocated %.2f GB between first and last GC" % (alloc/1e9), t0, t1)
