"""Reports of a million findings: what `evaluate`, `merge` and `diff` cost at that size.

It writes N copies of the demo account's inventory (mocks/inventories/demo.json, 147
findings each) under new account ids, in two halves, and times with /usr/bin/time:

- `evaluate` of all N inventories: the whole report, N x 183 findings;
- `evaluate` of each half, the two written as the shards 1/2 and 2/2 of one scan;
- `merge` of the two shards (its findings must be the whole report's);
- `diff` of the whole report against the merged one (no change) and against shard 1
  (half of the accounts gone);
- `evaluate` of all N again, writing an evidence bundle, and `verify` of that bundle,
  which judges every bundled inventory again and compares.

With --held it runs each step again with every finding held in memory
(TOMSCAN_SPILL_AFTER past the count), which is what the spill saves. It prints a Markdown
table: figures only, never assertions beyond the merge's findings being the whole's.
Run it with bench/findings.sh, which builds the release binary.

    bench/findings.sh                       # 5,465 accounts: 1,000,095 findings
    bench/findings.sh --accounts 700 --held
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

FINDINGS_PER_DEMO_ACCOUNT = 183


def write_inventories(demo, directory, ids):
    os.makedirs(directory)
    for account in ids:
        demo["account_id"] = account
        with open(os.path.join(directory, f"{account}.json"), "w") as f:
            json.dump(demo, f)


def as_shard(report, index, count):
    """The report as shard `index`/`count` of one scan: the field added after the opening
    brace (readers go by name, not place), the rest copied through unread."""
    shard = report + f".shard{index}"
    with open(report, "rb") as src, open(shard, "wb") as dst:
        head = src.read(1)
        assert head == b"{", report
        dst.write(b'{"shard":{"index":%d,"count":%d},' % (index, count))
        while chunk := src.read(1 << 20):
            dst.write(chunk)
    os.replace(shard, report)


def timed(binary, args, env):
    cmd = ["/usr/bin/time", "-v", binary, "--quiet", *args]
    started = time.monotonic()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.monotonic() - started
    figures = {}
    for line in out.stderr.splitlines():
        label, _, value = line.strip().rpartition(": ")
        figures[label] = value
    if "Maximum resident set size (kbytes)" not in figures:
        raise SystemExit(f"{' '.join(args)}: /usr/bin/time printed no figures:\n{out.stderr}")
    # evaluate exits 1 or 3 for a report with failures or errors, diff 1 with changes.
    if out.returncode not in (0, 1, 3):
        raise SystemExit(f"{' '.join(args)} exited {out.returncode}:\n{out.stderr}")
    cpu = float(figures["User time (seconds)"]) + float(figures["System time (seconds)"])
    return wall, cpu, int(figures["Maximum resident set size (kbytes)"]) / 1024


def findings_in(report):
    """The report's count of findings, from its head: the findings come after the counts,
    and a million of them are more than this script should load to count them."""
    head = []
    with open(report, "rb") as f:
        for line in f:
            if line.startswith(b'  "findings"'):
                break
            head.append(line)
    head = b"".join(head).rstrip().rstrip(b",") + b"}"
    return sum(json.loads(head)["counts"].values())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tomscan", required=True)
    parser.add_argument("--accounts", type=int, default=5465)
    parser.add_argument("--held", action="store_true", help="also with findings held in memory")
    parser.add_argument("--keep", help="work in this directory and leave it")
    args = parser.parse_args()

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(root, "mocks/inventories/demo.json")) as f:
        demo = json.load(f)
    work = args.keep or tempfile.mkdtemp(prefix="tomscan-findings-")
    os.makedirs(work, exist_ok=True)
    half = args.accounts // 2
    ids = [str(200_000_000_000 + i) for i in range(args.accounts)]
    one, two = os.path.join(work, "half-1"), os.path.join(work, "half-2")
    print(f"writing {args.accounts} inventories into {work} ...", file=sys.stderr)
    write_inventories(demo, one, ids[:half])
    write_inventories(demo, two, ids[half:])
    every = os.path.join(work, "all")
    os.makedirs(every)
    for directory in (one, two):
        for name in os.listdir(directory):
            os.link(os.path.join(directory, name), os.path.join(every, name))

    p = lambda name: os.path.join(work, name)
    # A bundle is never overwritten: each mode writes its own.
    steps = lambda mode: [
        ("evaluate, all accounts", ["evaluate", every, "--format", "json", "-o", p("whole.json")]),
        ("evaluate, half 1 (shard 1/2)", ["evaluate", one, "--format", "json", "-o", p("shard-1.json")]),
        ("evaluate, half 2 (shard 2/2)", ["evaluate", two, "--format", "json", "-o", p("shard-2.json")]),
        ("merge of the 2 shards", ["merge", p("shard-1.json"), p("shard-2.json"), "--format", "json", "-o", p("merged.json")]),
        ("diff whole / merged (no change)", ["diff", p("whole.json"), p("merged.json"), "--format", "json", "-o", p("same.json")]),
        ("diff whole / shard 1 (half gone)", ["diff", p("whole.json"), p("shard-1.json"), "--format", "json", "-o", p("gone.json")]),
        ("evaluate, all accounts, with an evidence bundle", [
            "evaluate", every, "--format", "json", "-o", p("bundled.json"), "--evidence", p(f"bundle-{mode}"),
        ]),
        ("verify of that bundle (every account judged again)", ["verify", p(f"bundle-{mode}")]),
    ]
    modes = [("spilled", {})]
    if args.held:
        modes.append(("held", {"TOMSCAN_SPILL_AFTER": str(10 * args.accounts * FINDINGS_PER_DEMO_ACCOUNT)}))
    rows = []
    for mode, extra in modes:
        env = {**os.environ, **extra}
        for name, step in steps(mode):
            print(f"{mode}: {name} ...", file=sys.stderr)
            wall, cpu, peak = timed(args.tomscan, step, env)
            if step[0] == "evaluate" and "shard" in step[-1]:
                as_shard(step[-1], int(step[-1][-6]), 2)
            rows.append((mode, name, wall, cpu, peak))
            print(f"  {wall:.1f} s wall, {cpu:.1f} s CPU, {peak:,.0f} MiB", file=sys.stderr)
        whole, merged = findings_in(p("whole.json")), findings_in(p("merged.json"))
        if whole != merged:
            raise SystemExit(f"merge gave {merged} findings, the whole report {whole}")

    size = os.path.getsize(p("whole.json")) / (1 << 20)
    print(f"\n{args.accounts} accounts, {whole:,} findings; the whole JSON report is {size:,.0f} MiB\n")
    print("| findings | step | wall | CPU | peak memory |")
    print("|---|---|--:|--:|--:|")
    for mode, name, wall, cpu, peak in rows:
        print(f"| {mode} | {name} | {wall:.1f} s | {cpu:.1f} s | {peak:,.0f} MiB |")
    if not args.keep:
        subprocess.run(["rm", "-rf", work], check=True)


if __name__ == "__main__":
    main()
