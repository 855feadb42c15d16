"""Organization benchmark: `tomscan scan --org` over organizations of growing size.

For each size N it starts a fresh moto, creates an organization of N member accounts
through the Organizations API, seeds every member through the role the scan assumes
(a few users, buckets, instances and an open security group each), and scans the whole
organization with the release binary, through a local proxy that adds a fixed latency to
every request (a model of real AWS round trips; moto answers in about a millisecond).

It prints wall time, peak memory and requests per account count, as a Markdown table.
Figures only, never assertions. Run it with bench/org.sh, which builds the release binary
and finds (or installs) moto.

    bench/org.sh                                  # 1, 5, 20, 50 members, 50 ms
    bench/org.sh --sizes 1,5 --latency-ms 100 --concurrency 8
    bench/org.sh --fake --sizes 10,100,1000 --concurrency 32   # bench/fakeaws.py, not moto
    bench/org.sh --fake --resource-explorer --sizes 1000 --concurrency 32   # with an index
"""

import argparse
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROLE = "OrganizationAccountAccessRole"
AMI = "ami-0tomscan0000001"  # tests/support/amis.json: the one AMI moto loads
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Moto:
    """moto_server through the project's launcher, on a free port; stopped on exit."""

    def __init__(self):
        self.port = free_port()
        env = dict(os.environ)
        env["MOTO_AMIS_PATH"] = os.path.join(PROJECT, "tests/support/amis.json")
        env["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
        launcher = os.path.join(PROJECT, "tests/support/moto_server.py")
        self.proc = subprocess.Popen(
            [sys.executable, launcher, "-H", "127.0.0.1", "-p", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"moto_server did not start on port {self.port}")
                time.sleep(0.1)
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.kill()
        self.proc.wait()


class LatencyProxy:
    """An HTTP/1.1 proxy that holds every request `delay` seconds before forwarding it.

    The delay is per request, not per packet, so a keep-alive connection pays it once per
    call, as a real round trip to AWS does; requests on different connections wait in
    parallel, as they would over a network."""

    def __init__(self, upstream_port, delay):
        local = threading.local()
        self.requests = 0
        lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                time.sleep(delay)
                with lock:
                    proxy.requests += 1
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                for attempt in (1, 2):
                    conn = getattr(local, "conn", None)
                    if conn is None:
                        conn = local.conn = http.client.HTTPConnection("127.0.0.1", upstream_port)
                    try:
                        conn.request(self.command, self.path, body=body, headers=headers)
                        answer = conn.getresponse()
                        data = answer.read()
                        break
                    except (http.client.HTTPException, OSError):
                        conn.close()
                        local.conn = None
                        if attempt == 2:
                            raise
                self.send_response_only(answer.status, answer.reason)
                for k, v in answer.getheaders():
                    if k.lower() not in HOP_BY_HOP:
                        self.send_header(k, v)
                if self.command == "HEAD":
                    self.send_header("Content-Length", answer.getheader("Content-Length", "0"))
                    self.end_headers()
                else:
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = forward

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def client(service, url, region="us-east-1", **creds):
    return boto3.client(service, endpoint_url=url, region_name=region, **(creds or KEYS))


def seed_member(url, account, regions, n):
    """Through the organization's role in `account`, as `tomscan scan --org` reads it."""
    assumed = client("sts", url).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{ROLE}", RoleSessionName="seed"
    )["Credentials"]
    creds = {
        "aws_access_key_id": assumed["AccessKeyId"],
        "aws_secret_access_key": assumed["SecretAccessKey"],
        "aws_session_token": assumed["SessionToken"],
    }
    seed_account(url, account, regions, n, creds)


def seed_account(url, account, regions, n, creds):
    """Users, buckets, a multi-region trail, and per region an open security group and
    instances."""
    iam = client("iam", url, **creds)
    for i in range(n["users"]):
        user = f"user-{i}"
        iam.create_user(UserName=user)
        if i % 2 == 0:  # a console password and no MFA: IAM-06 fails in every member
            iam.create_login_profile(UserName=user, Password="Correct-Horse-9")
        if i % 3 == 0:
            iam.create_access_key(UserName=user)
    for i in range(n["buckets"]):
        region = regions[i % len(regions)]
        s3 = client("s3", url, region, **creds)
        bucket = f"bench-{account}-{i}"
        if region == "us-east-1":
            s3.create_bucket(Bucket=bucket)
        else:
            s3.create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region}
            )
    trail_bucket = f"bench-{account}-0"
    client("cloudtrail", url, regions[0], **creds).create_trail(
        Name="org-trail", S3BucketName=trail_bucket, IsMultiRegionTrail=True
    )
    for region in regions:
        ec2 = client("ec2", url, region, **creds)
        group = ec2.create_security_group(GroupName="ssh", Description="ssh from anywhere")
        ec2.authorize_security_group_ingress(
            GroupId=group["GroupId"],
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 22,
                    "ToPort": 22,
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                }
            ],
        )
        ec2.run_instances(
            ImageId=AMI,
            MinCount=n["instances"],
            MaxCount=n["instances"],
            InstanceType="t3.micro",
            SecurityGroupIds=[group["GroupId"]],
        )


def organization(url, members, regions, n):
    orgs = client("organizations", url)
    orgs.create_organization(FeatureSet="ALL")
    ids = []
    for i in range(members):
        status = orgs.create_account(AccountName=f"member-{i}", Email=f"m{i}@example.test")
        ids.append(status["CreateAccountStatus"]["AccountId"])
    for account in ids:
        seed_member(url, account, regions, n)
    return ids


def rusage(text, label):
    for line in text.splitlines():
        line = line.strip()
        if line.startswith(label):
            return line[len(label):].strip()
    raise SystemExit(f"/usr/bin/time printed no {label!r}:\n{text}")


def seconds(clock):
    total = 0.0
    for part in clock.split(":"):
        total = total * 60 + float(part)
    return total


def scan(binary, endpoint, regions, concurrency, workdir, org=True):
    report_path = os.path.join(workdir, "report.json")
    cmd = ["/usr/bin/time", "-v", binary, "--quiet", "scan"]
    if org:
        cmd += ["--org", "--account-concurrency", str(concurrency)]
    cmd += ["--format", "json", "-o", report_path]
    for r in regions:
        cmd += ["--region", r]
    env = dict(os.environ)
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_ENDPOINT_URL=endpoint,
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
    )
    env.pop("AWS_PROFILE", None)
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    with open(report_path) as f:
        report = json.load(f)
    return out.returncode, out.stderr, report


class Fake:
    """bench/fakeaws.py in `record` or `serve` mode, until closed; says what it printed."""

    def __init__(self, *args):
        script = os.path.join(PROJECT, "bench/fakeaws.py")
        self.proc = subprocess.Popen(
            [sys.executable, script, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stdout.readline()
        if not line.startswith("listening on "):
            raise SystemExit(f"fakeaws.py did not start: {self.proc.stderr.read()}")
        self.url = line.split()[-1]

    def close(self):
        self.proc.terminate()
        _, err = self.proc.communicate(timeout=600)
        return err


def measured(err):
    wall = seconds(rusage(err, "Elapsed (wall clock) time (h:mm:ss or m:ss):"))
    cpu = float(rusage(err, "User time (seconds):")) + float(rusage(err, "System time (seconds):"))
    peak = int(rusage(err, "Maximum resident set size (kbytes):")) / 1024
    return wall, cpu, peak


def keep_report(args, members, report):
    """--keep: the report of an organization of `members` as DIR/org-N.json."""
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        with open(os.path.join(args.keep, f"org-{members}.json"), "w") as f:
            json.dump(report, f)


def fake_benchmark(args, regions, n):
    """One account seeded into moto and recorded once; then organizations of every size
    answered by the synthetic endpoint from that recording (bench/fakeaws.py)."""
    latency = args.latency_ms
    keep = tempfile.TemporaryDirectory()
    cassette = os.path.join(keep.name, "cassette.json")
    with Moto() as moto, tempfile.TemporaryDirectory() as workdir:
        seed_account(moto.url, "123456789012", regions, n, KEYS)
        recorder = Fake("record", "--upstream", moto.url, "--cassette", cassette)
        try:
            code, err, recorded = scan(args.tomscan, recorder.url, regions, 1, workdir, org=False)
        finally:
            print(f"  {recorder.close().strip()}", file=sys.stderr)
    with tempfile.TemporaryDirectory() as workdir:
        # The critical path of one account: a lone scan at the same latency is its chain
        # of dependent calls (wall / latency), as nothing else can hold it up.
        index = ["--resource-explorer"] if args.resource_explorer else []
        server = Fake(
            "serve", "--cassette", cassette, "--accounts", "1", "--latency-ms", str(latency), *index
        )
        try:
            _, err, _ = scan(args.tomscan, server.url, regions, 1, workdir, org=False)
        finally:
            server.close()
        one, _, one_peak = measured(err)
        chain = one / (latency / 1000) if latency else 0
        print(
            f"one account, recorded from moto: {recorded['stats']['requests']} requests, "
            f"{len(recorded['findings'])} findings; alone at {latency:g} ms per request: "
            f"{one:.2f} s, {one_peak:.0f} MiB (a chain of about {chain:.0f} dependent calls)"
        )
        print()
        print(
            "| accounts | wall time | critical path bound | wall / bound | tomscan CPU "
            "| endpoint CPU | peak memory | requests per account | findings | not recorded | exit |"
        )
        print("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
        for members in [int(s) for s in args.sizes.split(",")]:
            server = Fake(
                "serve", "--cassette", cassette, "--accounts", str(members),
                "--latency-ms", str(latency), *index,
            )
            try:
                code, err, report = scan(
                    args.tomscan, server.url, regions, args.concurrency, workdir
                )
            finally:
                served = server.close()
            keep_report(args, members, report)
            missing = served.split("requests; ")[1].split(" ")[0] if "requests; " in served else "?"
            # The endpoint's own CPU: both share the machine, so the sum is what it spent.
            endpoint = re.search(r"; ([0-9.]+) s of CPU", served)
            endpoint = f"{float(endpoint.group(1)):.1f} s" if endpoint else "?"
            wall, cpu, peak = measured(err)
            # ListAccounts, then each wave of --account-concurrency accounts: AssumeRole and
            # the account's own chain.
            waves = -(-members // args.concurrency)
            bound = latency / 1000 + waves * (latency / 1000 + one)
            accounts = len(report.get("account_summaries") or []) or 1
            print(
                f"| {members} | {wall:.1f} s | {bound:.1f} s | {wall / bound:.2f} | {cpu:.1f} s "
                f"| {endpoint} | {peak:.0f} MiB | {report['stats']['requests'] / accounts:.0f} "
                f"| {len(report['findings'])} | {missing} | {code} |",
                flush=True,
            )


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1,5,20,50", help="member counts, comma-separated")
    ap.add_argument("--latency-ms", type=float, default=50)
    ap.add_argument("--concurrency", type=int, default=4, help="--account-concurrency")
    ap.add_argument("--regions", default="us-east-1,eu-west-1")
    ap.add_argument("--users", type=int, default=3)
    ap.add_argument("--buckets", type=int, default=2)
    ap.add_argument("--instances", type=int, default=2, help="per region")
    ap.add_argument("--tomscan", default=os.path.join(PROJECT, "target/release/tomscan"))
    ap.add_argument("--keep", metavar="DIR", help="keep each size's report as DIR/org-N.json")
    ap.add_argument(
        "--fake",
        action="store_true",
        help="answer the organization from bench/fakeaws.py (one account recorded from "
        "moto), not moto: sizes of thousands",
    )
    ap.add_argument(
        "--resource-explorer",
        action="store_true",
        help="with --fake: every account has a Resource Explorer aggregator index, which "
        "stands in for the data-store listings of the regions not scanned",
    )
    args = ap.parse_args()
    regions = args.regions.split(",")
    n = {"users": args.users, "buckets": args.buckets, "instances": args.instances}
    if args.fake:
        return fake_benchmark(args, regions, n)

    print(
        f"{args.users} users, {args.buckets} buckets, {args.instances} instances per region "
        f"and an open security group per region in each member; regions {args.regions}; "
        f"{args.latency_ms:g} ms added to every request; --account-concurrency {args.concurrency}"
    )
    print()
    print(
        "| members | accounts scanned | wall time | tomscan CPU | peak memory | requests "
        "| requests per account | findings | exit |"
    )
    print("|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for members in [int(s) for s in args.sizes.split(",")]:
        with Moto() as moto, tempfile.TemporaryDirectory() as workdir:
            organization(moto.url, members, regions, n)
            proxy = LatencyProxy(moto.port, args.latency_ms / 1000)
            try:
                code, err, report = scan(
                    args.tomscan, proxy.url, regions, args.concurrency, workdir
                )
            finally:
                proxy.close()
            keep_report(args, members, report)
            accounts = len(report.get("account_summaries") or []) or 1
            wall = seconds(rusage(err, "Elapsed (wall clock) time (h:mm:ss or m:ss):"))
            cpu = float(rusage(err, "User time (seconds):")) + float(
                rusage(err, "System time (seconds):")
            )
            peak = int(rusage(err, "Maximum resident set size (kbytes):")) / 1024
            requests = report["stats"]["requests"]
            print(
                f"| {members} | {accounts} | {wall:.1f} s | {cpu:.1f} s | {peak:.0f} MiB | {requests} "
                f"| {requests / accounts:.0f} | {len(report['findings'])} | {code} |",
                flush=True,
            )
            if proxy.requests != requests:
                print(
                    f"  (the proxy forwarded {proxy.requests} requests; "
                    f"the report counts {requests})",
                    flush=True,
                )


if __name__ == "__main__":
    main()
