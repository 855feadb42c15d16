"""A synthetic AWS for benchmarks: a whole organization answered from one recorded account.

moto answers about 120 requests a second, so it cannot show how tomscan scales past a few
dozen accounts. This server answers thousands a second, with a fixed latency per request
(a model of AWS round trips), for an organization of any size:

    record  a proxy in front of moto: every request of a scan and moto's answer, stored
            in a cassette (JSON) keyed by region, service, method, path, target and body;
    serve   answers from the cassette for N member accounts. A request is made by the
            account its access key names (`ASIA` + 12 digits, as AssumeRole hands out
            here); the recorded account's id is replaced by it in the question and the
            answer. Other credentials are the management account, the recorded one. STS
            (a member's GetCallerIdentity, AssumeRole) and Organizations (ListAccounts)
            are answered from the organization itself.

So every member is the recorded account under its own id: the same resources, the same
findings (tests/bench.rs holds the replay to moto's findings). A request the cassette
does not hold is answered HTTP 500 and counted; the count is printed on exit.

`serve --resource-explorer` gives every account a Resource Explorer aggregator index
(moto has none to record): active in us-east-1, replicating from every region, its
default view unfiltered, and in each region the default VPC only. That is what the
recorded account holds outside the regions the benchmark seeds and scans, so a scan
takes the index's word for those regions' data stores (collect::resource_explorer) and
finds what it finds without it.

    python3 bench/fakeaws.py record --upstream http://127.0.0.1:5000 --cassette c.json
    python3 bench/fakeaws.py serve --cassette c.json --accounts 1000 --latency-ms 50

Each prints `listening on http://127.0.0.1:PORT` on stdout once ready; SIGTERM or Ctrl-C
stops it (record writes the cassette then).
"""

import argparse
import asyncio
import base64
import http.client
import json
import re
import signal
import sys
import time

# moto's account: the one recorded, and the organization's management account when
# serving (the credentials that are not a member's are its own, answered as recorded).
TEMPLATE = "123456789012"
SCOPE = re.compile(rb"Credential=([A-Za-z0-9]+)/\d{8}/([a-z0-9-]+)/([a-z0-9-]+)/")
ROLE_ARN = re.compile(r"arn:aws:iam::(\d{12}):role/([A-Za-z0-9+=,.@_/-]+)")
DROPPED = {"connection", "keep-alive", "transfer-encoding", "content-length", "date", "server"}


def account_of(access_key):
    """The member an access key belongs to (`ASIA` + its id), else None."""
    if access_key.startswith("ASIA") and access_key[4:].isdigit() and len(access_key) == 16:
        return access_key[4:]
    return None


def key_of(method, target, headers, body, account):
    """What identifies a question, with `account` written as the recorded one."""
    auth = headers.get(b"authorization", b"")
    m = SCOPE.search(auth)
    region, service = (m.group(2).decode(), m.group(3).decode()) if m else ("", "")
    swap = lambda b: b.replace(account.encode(), TEMPLATE.encode()) if account else b
    return "|".join(
        [
            region,
            service,
            method,
            swap(target).decode("latin-1"),
            headers.get(b"x-amz-target", b"").decode(),
            # Account-scoped APIs (S3 Control) name the account in a header.
            swap(headers.get(b"x-amz-account-id", b"")).decode(),
            base64.b64encode(swap(body)).decode(),
        ]
    )


async def read_request(reader):
    """(method, target, headers, body), or None at the end of the connection."""
    line = await reader.readline()
    if not line:
        return None
    method, target, _ = line.split(b" ", 2)
    headers = {}
    while True:
        h = await reader.readline()
        if h in (b"\r\n", b"\n", b""):
            break
        name, _, value = h.partition(b":")
        headers[name.strip().lower()] = value.strip()
    body = b""
    if b"content-length" in headers:
        body = await reader.readexactly(int(headers[b"content-length"]))
    elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
    return method.decode(), target, headers, body


def response(status, headers, body):
    head = [f"HTTP/1.1 {status} X"]
    head += [f"{k}: {v}" for k, v in headers]
    head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def handler_of(answer):
    """An asyncio connection handler: each request, in turn, gets `await answer(request)`."""

    async def handler(reader, writer):
        try:
            while (req := await read_request(reader)) is not None:
                status, headers, body = await answer(*req)
                writer.write(response(status, headers, body))
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    return handler


async def serve_forever(answer, port):
    handler = handler_of(answer)
    server = await asyncio.start_server(handler, "127.0.0.1", port, limit=1 << 24, backlog=4096)
    print(f"listening on http://127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


def record(args):
    upstream = args.upstream.removeprefix("http://")
    cassette = {}

    def forward(method, target, headers, body):
        conn = http.client.HTTPConnection(upstream, timeout=120)
        sent = {k.decode(): v.decode("latin-1") for k, v in headers.items() if k != b"host"}
        conn.request(method, target.decode("latin-1"), body=body, headers=sent)
        r = conn.getresponse()
        answer = r.read()
        kept = [(k, v) for k, v in r.getheaders() if k.lower() not in DROPPED]
        conn.close()
        return r.status, kept, answer

    async def recorded(method, target, headers, body):
        status, kept, answer = await asyncio.get_running_loop().run_in_executor(
            None, forward, method, target, headers, body
        )
        cassette[key_of(method, target, headers, body, None)] = {
            "status": status,
            "headers": kept,
            "body": base64.b64encode(answer).decode(),
        }
        return status, kept, answer

    asyncio.run(serve_forever(recorded, args.port))
    with open(args.cassette, "w") as f:
        json.dump(cassette, f)
    print(f"recorded {len(cassette)} answers into {args.cassette}", file=sys.stderr)


def serve(args):
    with open(args.cassette) as f:
        cassette = {
            k: (v["status"], v["headers"], base64.b64decode(v["body"])) for k, v in json.load(f).items()
        }
    members = [f"{100000000000 + i:012d}" for i in range(1, args.accounts + 1)]
    delay = args.latency_ms / 1000
    counts = {"requests": 0, "missing": 0, "in_flight": 0, "most_in_flight": 0}
    missing = {}

    def xml(body):
        return 200, [("Content-Type", "text/xml")], body.encode()

    def sts(form, account):
        action = re.search(rb"Action=(\w+)", form)
        action = action.group(1).decode() if action else ""
        if action == "GetCallerIdentity" and account:
            return xml(
                '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
                f"<GetCallerIdentityResult><Arn>arn:aws:sts::{account}:assumed-role/{args.role}/tomscan</Arn>"
                f"<UserId>AROAFAKE:tomscan</UserId><Account>{account}</Account></GetCallerIdentityResult>"
                "<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
            )
        if action == "AssumeRole":
            from urllib.parse import unquote_plus

            m = ROLE_ARN.search(unquote_plus(form.decode()))
            if not m or m.group(1) not in member_set:
                return 403, [("Content-Type", "text/xml")], (
                    '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>'
                    "<Message>no such member</Message></Error><RequestId>1</RequestId></ErrorResponse>"
                ).encode()
            acct, role = m.group(1), m.group(2)
            return xml(
                '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>'
                f"<Credentials><AccessKeyId>ASIA{acct}</AccessKeyId><SecretAccessKey>fake</SecretAccessKey>"
                "<SessionToken>fake</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>"
                f"<AssumedRoleUser><AssumedRoleId>AROAFAKE:tomscan</AssumedRoleId>"
                f"<Arn>arn:aws:sts::{acct}:assumed-role/{role}/tomscan</Arn></AssumedRoleUser>"
                "</AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>"
            )
        return None

    member_set = set(members)
    # Every region of the partition the recording swept (each is named in a request's scope).
    explorer_regions = sorted({k.split("|", 1)[0] for k in cassette} - {""})
    accounts_page = json.dumps(
        {
            "Accounts": [
                {
                    "Id": a,
                    "Arn": f"arn:aws:organizations::{TEMPLATE}:account/o-fake/{a}",
                    "Email": f"{a}@example.com",
                    "Name": f"member-{a}",
                    "Status": "ACTIVE",
                    "JoinedMethod": "CREATED",
                    "JoinedTimestamp": 1700000000,
                }
                for a in members
            ]
        }
    ).encode()

    def json_answer(value):
        return 200, [("Content-Type", "application/json")], json.dumps(value).encode()

    def resource_explorer(target, body, region, account):
        """The index `--resource-explorer` gives every account: see the module's doc."""
        operation = target.decode("latin-1").split("?")[0].rstrip("/").rsplit("/", 1)[-1]
        view = f"arn:aws:resource-explorer-2:us-east-1:{account}:view/all/1"
        if operation == "ListIndexes":
            index = f"arn:aws:resource-explorer-2:us-east-1:{account}:index/1"
            return json_answer({"Indexes": [{"Region": "us-east-1", "Arn": index, "Type": "AGGREGATOR"}]})
        if operation == "GetIndex":
            return json_answer(
                {"Type": "AGGREGATOR", "State": "ACTIVE", "ReplicatingFrom": explorer_regions}
            )
        if operation == "GetDefaultView":
            return json_answer({"ViewArn": view})
        if operation == "GetView":
            return json_answer({"View": {"ViewArn": view, "Filters": {"FilterString": ""}}})
        if operation == "ListResources":
            asked = json.loads(body or b"{}").get("Filters", {}).get("FilterString", "")
            where = asked.removeprefix("region:")
            vpc = f"arn:aws:ec2:{where}:{account}:vpc/vpc-default"
            return json_answer(
                {
                    "Resources": [
                        {"Arn": vpc, "OwningAccountId": account, "Region": where,
                         "ResourceType": "ec2:vpc", "Service": "ec2"}
                    ],
                    "ViewArn": view,
                }
            )
        return None

    def answer(method, target, headers, body):
        m = SCOPE.search(headers.get(b"authorization", b""))
        access_key = m.group(1).decode() if m else ""
        service = m.group(3).decode() if m else ""
        account = account_of(access_key)
        if service == "resource-explorer-2" and args.resource_explorer:
            synthesized = resource_explorer(target, body, m.group(2).decode(), account or TEMPLATE)
            if synthesized:
                return synthesized
        if service == "sts":
            synthesized = sts(body, account)
            if synthesized:
                return synthesized
        if service == "organizations":
            if headers.get(b"x-amz-target", b"").endswith(b".ListAccounts"):
                return 200, [("Content-Type", "application/x-amz-json-1.1")], accounts_page
        key = key_of(method, target, headers, body, account)
        found = cassette.get(key)
        if found is None:
            counts["missing"] += 1
            what = f"{service} {method} {target.decode('latin-1')[:80]} {headers.get(b'x-amz-target', b'').decode()}"
            missing[what] = missing.get(what, 0) + 1
            return 500, [("Content-Type", "text/html")], b"<title>not recorded</title>"
        status, kept, body = found
        if account:
            body = body.replace(TEMPLATE.encode(), account.encode())
            kept = [(k, v.replace(TEMPLATE, account)) for k, v in kept]
        return status, kept, body

    async def served(*request):
        counts["requests"] += 1
        counts["in_flight"] += 1
        counts["most_in_flight"] = max(counts["most_in_flight"], counts["in_flight"])
        try:
            if delay:
                await asyncio.sleep(delay)
            return answer(*request)
        finally:
            counts["in_flight"] -= 1

    asyncio.run(serve_forever(served, args.port))
    print(
        f"answered {counts['requests']} requests; {counts['missing']} not in the cassette; "
        f"at most {counts['most_in_flight']} at once; {time.process_time():.1f} s of CPU",
        file=sys.stderr,
    )
    for what, n in sorted(missing.items(), key=lambda kv: -kv[1])[:20]:
        print(f"  not recorded ({n}x): {what}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="mode", required=True)
    r = sub.add_parser("record", help="record a scan against moto")
    r.add_argument("--upstream", required=True, help="moto's URL")
    r.add_argument("--cassette", required=True)
    r.add_argument("--port", type=int, default=0)
    s = sub.add_parser("serve", help="answer an organization from a cassette")
    s.add_argument("--cassette", required=True)
    s.add_argument("--accounts", type=int, default=1, help="member accounts")
    s.add_argument("--latency-ms", type=float, default=0)
    s.add_argument("--role", default="OrganizationAccountAccessRole")
    s.add_argument("--port", type=int, default=0)
    s.add_argument(
        "--resource-explorer",
        action="store_true",
        help="give every account a Resource Explorer aggregator index (see the module's doc)",
    )
    args = ap.parse_args()
    record(args) if args.mode == "record" else serve(args)


if __name__ == "__main__":
    main()
