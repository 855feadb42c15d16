"""Validates OCSF Compliance Finding events with py-ocsf-models (Prowler's pydantic models).

Usage: ocsf_validate.py FILE  (a JSON array of events)
Prints one line per event, "ok" or "invalid: <path>: <error>; ...", and exits 0 only when all are valid.

py-ocsf-models is lenient where the OCSF schema is not, so the models are tightened here:
- class_uid and category_uid must be those of a Compliance Finding, type_uid must agree;
- unknown attributes are errors everywhere (a misspelt attribute would otherwise vanish);
- validation is strict (a string where an integer belongs is an error, not coerced);
- Compliance Finding does not carry the cloud profile in py-ocsf-models 0.10.0, yet the
  schema's profiles/cloud.json makes `cloud` required when the profile is declared;
- objects/compliance.json requires `standards` and defines `status`, `status_code` and
  `status_detail`, which the package leaves out.
"""

import inspect
import json
import sys
from typing import List, Optional

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from py_ocsf_models import OCSF_VERSION
from py_ocsf_models.events.findings.category_uid import CategoryUID
from py_ocsf_models.events.findings.class_uid import ClassUID
from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding
from py_ocsf_models.objects.cloud import Cloud
from py_ocsf_models.objects.compliance import Compliance


def forbid_unknown_attributes():
    """Every model of the package refuses attributes it does not define."""
    import pkgutil
    import importlib
    import py_ocsf_models

    models = set()
    for info in pkgutil.walk_packages(py_ocsf_models.__path__, "py_ocsf_models."):
        module = importlib.import_module(info.name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, BaseModel) and obj.__module__.startswith("py_ocsf_models"):
                models.add(obj)
    for model in models:
        model.model_config["extra"] = "forbid"
    # A model's schema embeds those of the models it holds: rebuild until the nesting
    # depth is covered, so the setting reaches the innermost object.
    for _ in range(8):
        for model in models:
            model.model_rebuild(force=True)


forbid_unknown_attributes()


class TomCompliance(Compliance):
    model_config = ConfigDict(extra="forbid")
    standards: List[str]
    status: Optional[str] = None
    status_code: Optional[str] = None
    status_detail: Optional[str] = None


class CloudComplianceFinding(ComplianceFinding):
    model_config = ConfigDict(extra="forbid")
    compliance: TomCompliance
    cloud: Cloud

    # The package types these as plain integers, so any class would pass.
    @model_validator(mode="after")
    def is_a_compliance_finding(self):
        if self.class_uid != ClassUID.ComplianceFinding.value:
            raise ValueError(f"class_uid {self.class_uid} is not Compliance Finding (2003)")
        if self.category_uid != CategoryUID.Findings.value:
            raise ValueError(f"category_uid {self.category_uid} is not Findings (2)")
        if self.type_uid != self.class_uid * 100 + self.activity_id:
            raise ValueError(f"type_uid {self.type_uid} is not class_uid * 100 + activity_id")
        return self


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        events = json.load(f)
    if not isinstance(events, list):
        print("invalid: the file is not a JSON array")
        return 1
    failed = 0
    for event in events:
        try:
            CloudComplianceFinding.model_validate_json(json.dumps(event), strict=True)
            print("ok")
        except ValidationError as e:
            failed += 1
            errors = [
                ".".join(str(part) for part in error["loc"]) + ": " + error["msg"]
                for error in e.errors(include_url=False)
            ]
            print("invalid: " + "; ".join(errors))
    print(f"ocsf_version {OCSF_VERSION}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
