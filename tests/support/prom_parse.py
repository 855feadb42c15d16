"""Parses a Prometheus text-format file with prometheus_client's own parser.

Usage: prom_parse.py FILE. Prints the metric families as JSON:
[{"name", "type", "help", "samples": [{"name", "labels", "value"}]}]. A file the parser
refuses exits non-zero with its error.
"""

import json
import sys

from prometheus_client.parser import text_string_to_metric_families

with open(sys.argv[1], encoding="utf-8") as f:
    text = f.read()
families = [
    {
        "name": family.name,
        "type": family.type,
        "help": family.documentation,
        "samples": [
            {"name": s.name, "labels": s.labels, "value": s.value} for s in family.samples
        ],
    }
    for family in text_string_to_metric_families(text)
]
json.dump(families, sys.stdout)
