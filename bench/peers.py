#!/usr/bin/env python3
"""tomscan beside Prowler: one seeded moto account, the same 13 checks, side by side.

Both tools scan the same account, in the same regions, through the same counting proxy
(bench/org.py's LatencyProxy), each under `/usr/bin/time -v`: wall time, CPU, peak
memory and the AWS requests each sent. Figures, never assertions.

    bench/peers.sh                       # builds tomscan, installs moto and Prowler once
    bench/peers.sh --latency-ms 50 --users 20 --buckets 10 --instances 4

The 13 pairs are checks that ask the same question of the same API. Their verdicts are
printed as totals only: the tools count in different units (Prowler a finding per
bucket, tomscan per bucket and per region, say).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import org  # noqa: E402
from org import KEYS, PROJECT, LatencyProxy, Moto, seed_account  # noqa: E402

# tomscan check id -> Prowler check: the same question asked of the same API.
PAIRS = [
    ("IAM-01", "iam_no_root_access_key"),
    ("IAM-03", "iam_root_mfa_enabled"),
    ("IAM-04", "iam_user_two_active_access_key"),
    ("IAM-06", "iam_user_mfa_enabled_console_access"),
    ("IAM-07", "iam_password_policy_minimum_length_14"),
    ("S3-01", "s3_bucket_default_encryption"),
    ("S3-05", "s3_bucket_server_access_logging_enabled"),
    ("S3-06", "s3_bucket_secure_transport_policy"),
    ("S3-08", "s3_bucket_object_versioning"),
    ("CT-01", "cloudtrail_multi_region_enabled"),
    ("CT-02", "cloudtrail_log_file_validation_enabled"),
    ("EC2-03", "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22"),
    ("EC2-05", "ec2_ebs_default_encryption"),
]


def measured(cmd, env, workdir):
    """`cmd` run under `/usr/bin/time -v`: its figures as bench/org.py reads them, its
    exit code and what it printed on stderr."""
    out = subprocess.run(
        ["/usr/bin/time", "-v", *cmd], env=env, cwd=workdir, capture_output=True, text=True
    )
    return (*org.measured(out.stderr), out.returncode, out.stderr)


def scan_env(endpoint, region):
    env = dict(os.environ)
    env.update(
        AWS_ACCESS_KEY_ID=KEYS["aws_access_key_id"],
        AWS_SECRET_ACCESS_KEY=KEYS["aws_secret_access_key"],
        AWS_ENDPOINT_URL=endpoint,
        AWS_DEFAULT_REGION=region,
        AWS_REGION=region,
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
    )
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        env.pop(name, None)
    return env


def tomscan(binary, endpoint, regions, workdir):
    report = os.path.join(workdir, "tomscan.json")
    cmd = [binary, "--quiet", "scan", "--format", "json", "-o", report]
    cmd += ["--checks", ",".join(t for t, _ in PAIRS)]
    for r in regions:
        cmd += ["--region", r]
    wall, cpu, peak, code, err = measured(cmd, scan_env(endpoint, regions[0]), workdir)
    if not os.path.exists(report):
        raise SystemExit(f"tomscan wrote no report (exit {code}):\n{err[-2000:]}")
    with open(report) as f:
        report = json.load(f)
    verdicts = {}
    for f in report["findings"]:
        verdicts[f["status"]] = verdicts.get(f["status"], 0) + 1
    return wall, cpu, peak, code, verdicts, report["stats"]["operations"]


def prowler(binary, endpoint, regions, workdir):
    out = os.path.join(workdir, "prowler")
    cmd = [binary, "aws", "--no-banner", "--ignore-exit-code-3"]
    cmd += ["--checks", *[p for _, p in PAIRS]]
    cmd += ["--region", *regions]
    cmd += ["--output-formats", "json-ocsf", "--output-directory", out]
    wall, cpu, peak, code, err = measured(cmd, scan_env(endpoint, regions[0]), workdir)
    events = []
    for root, _, files in os.walk(out):
        for name in files:
            if name.endswith(".ocsf.json"):
                with open(os.path.join(root, name)) as f:
                    events += json.load(f)
    if not events:
        raise SystemExit(f"Prowler wrote no findings (exit {code}):\n{err[-3000:]}")
    verdicts = {}
    for e in events:
        status = e.get("status_code", "?").lower()
        verdicts[status] = verdicts.get(status, 0) + 1
    return wall, cpu, peak, code, verdicts, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tomscan", default=os.path.join(PROJECT, "target/release/tomscan"))
    ap.add_argument("--prowler", required=True, help="the prowler executable")
    ap.add_argument("--regions", default="us-east-1,eu-west-1")
    ap.add_argument("--users", type=int, default=10)
    ap.add_argument("--buckets", type=int, default=6)
    ap.add_argument("--instances", type=int, default=2, help="per region")
    ap.add_argument("--latency-ms", type=float, default=0, help="held per request by the proxy")
    args = ap.parse_args()
    regions = args.regions.split(",")
    # Both run in a scratch directory (Prowler writes beside itself otherwise).
    args.tomscan, args.prowler = os.path.abspath(args.tomscan), os.path.abspath(args.prowler)
    n = {"users": args.users, "buckets": args.buckets, "instances": args.instances}
    rows = []
    with Moto() as moto, tempfile.TemporaryDirectory() as workdir:
        seed_account(moto.url, "123456789012", regions, n, KEYS)
        # moto builds a service's backend in a region on its first request there (EC2's
        # loads its instance types and AMIs): one scan first, unmeasured, so that neither
        # tool is timed paying for it.
        tomscan(args.tomscan, moto.url, regions, workdir)
        for name, run, binary in (("tomscan", tomscan, args.tomscan), ("Prowler", prowler, args.prowler)):
            proxy = LatencyProxy(moto.port, args.latency_ms / 1000)
            try:
                wall, cpu, peak, code, verdicts, operations = run(binary, proxy.url, regions, workdir)
            finally:
                proxy.close()
            rows.append((name, wall, cpu, peak, proxy.requests, code, verdicts))
            if operations:
                asked = operations
    version = subprocess.run([args.prowler, "--version"], capture_output=True, text=True).stdout.strip()
    print(
        f"{len(PAIRS)} checks, {args.users} users, {args.buckets} buckets, "
        f"{args.instances} instances in each of {', '.join(regions)}; "
        f"{args.latency_ms:g} ms per request; {version}"
    )
    print()
    print("| tool | wall time | CPU | peak memory | requests | exit | verdicts |")
    print("|---|--:|--:|--:|--:|--:|---|")
    for name, wall, cpu, peak, requests, code, verdicts in rows:
        said = ", ".join(f"{v} {k}" for k, v in sorted(verdicts.items()))
        print(f"| {name} | {wall:.2f} s | {cpu:.2f} s | {peak:.0f} MiB | {requests} | {code} | {said} |")
    (_, tw, tc, tp, tr, _, _), (_, pw, pc, pp, pr, _, _) = rows
    print()
    print("tomscan's requests: " + ", ".join(f"{op} {k}" for op, k in sorted(asked.items())))
    print()
    print(
        f"tomscan: {pw / tw:.1f}x faster, {pc / tc:.1f}x less CPU, {pp / tp:.1f}x less memory, "
        f"{pr / max(tr, 1):.1f}x fewer requests"
    )


if __name__ == "__main__":
    main()
