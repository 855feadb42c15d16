"""Validates an OSCAL 1.1.x JSON document with compliance-trestle's OSCAL models, the real reader of OSCAL.

Usage: oscal_validate.py FILE  (one document whose single top-level key is `assessment-results` or `catalog`)
Prints "ok <root> <oscal-version>" and exits 0, or one line "invalid: <path>: <error>" per error and exits 1.

Needs compliance-trestle 3.12.x (the last release for OSCAL 1.1.x; 4.0 moved to OSCAL 1.2). Its models
use the pydantic v1 API (pydantic.v1 under pydantic 2) and forbid unknown fields, but read more than OSCAL
allows, so they are tightened here:
- only OSCAL's own names are keys (trestle also takes its Python field names, so `oscal_version` would pass);
- oscal-version must be 1.1.x (trestle ships that check switched off);
- no value is coerced: a number where a string belongs, or a string where a number belongs, is an error;
- date-times carry a timezone (OSCAL's date-time-with-timezone; trestle takes naive ones and Unix numbers);
- no null and no empty array anywhere (the OSCAL JSON schemas have no null and give every array minItems 1).
"""

import datetime
import enum
import json
import re
import sys

from pydantic.v1 import BaseModel, ValidationError
from trestle.core.base_model import OscalBaseModel
from trestle.oscal import OSCAL_VERSION_REGEX, assessment_results, catalog

ROOTS = {"assessment-results": assessment_results.Model, "catalog": catalog.Model}


def subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)


for model in subclasses(OscalBaseModel):
    model.__config__.allow_population_by_field_name = False


def check(src, val, path, errors):
    """Compares what the file holds with what trestle read from it."""
    where = ".".join(map(str, path))
    if src is None:
        errors.append(f"{where}: null is not an OSCAL value")
    elif isinstance(val, BaseModel):
        if "__root__" in val.__fields__:
            return check(src, val.__root__, path, errors)
        if not isinstance(src, dict):
            return errors.append(f"{where}: {json.dumps(src)} is not an object")
        names = {field.alias: field.name for field in val.__fields__.values()}
        for key, item in src.items():
            check(item, getattr(val, names[key]), path + [key], errors)
    elif isinstance(val, list):
        if not src:
            errors.append(f"{where}: an array may not be empty")
        for i, (s, v) in enumerate(zip(src, val)):
            check(s, v, path + [i], errors)
    elif isinstance(val, (datetime.datetime, str, enum.Enum)):
        if not isinstance(src, str):
            errors.append(f"{where}: {json.dumps(src)} is not a string")
        elif isinstance(val, datetime.datetime) and val.utcoffset() is None:
            errors.append(f"{where}: date-time {src} has no timezone")
    elif type(src) is not type(val):
        errors.append(f"{where}: {json.dumps(src)} is not of type {type(val).__name__}")


def main():
    try:
        with open(sys.argv[1], encoding="utf-8") as f:
            document = json.load(f)
    except json.JSONDecodeError as e:
        print(f"invalid: not JSON: {e}")
        return 1
    if not isinstance(document, dict) or len(document) != 1 or next(iter(document)) not in ROOTS:
        print(f"invalid: the document must have one top-level key, one of {', '.join(ROOTS)}")
        return 1
    root = next(iter(document))
    try:
        # Not trestle's parse_obj: it reduces any error that touches oscal-version to that one message.
        parsed = getattr(ROOTS[root](**document), root.replace("-", "_"))
    except ValidationError as e:
        for error in e.errors():
            path = ".".join(str(part) for part in error["loc"] if part != "__root__")
            print(f"invalid: {path}: {error['msg']}")
        return 1
    errors = []
    check(document[root], parsed, [root], errors)
    version = parsed.metadata.oscal_version.__root__
    if not re.match(OSCAL_VERSION_REGEX, version):
        errors.append(f"{root}.metadata.oscal-version: {version} does not match {OSCAL_VERSION_REGEX}")
    for error in errors:
        print(f"invalid: {error}")
    if errors:
        return 1
    print(f"ok {root} {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
