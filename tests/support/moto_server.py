"""moto_server, with the root account a real AWS account has.

moto cannot model two root-account facts that real AWS reports: its credential report
has no `<root_account>` row, and `GetAccountSummary` always says root has no MFA
(no API can enable root MFA). Tests that need the real-AWS shape set TOMSCAN_MOTO_ROOT
to a JSON object before starting this launcher:

    {"mfa": true, "access_keys": false, "password_last_used": "2025-01-01T00:00:00+00:00"}

Without it, this is plain `moto_server` (the moto shape). Arguments pass through.

CloudTrail's GetTrailStatus also reports CloudWatch Logs delivery, as AWS does (see
below): moto leaves it out, and CT-03 judges by it.

TOMSCAN_MOTO_ENFORCE_WHEN=PATH turns IAM enforcement on (every request checked against
the caller's policies, as INITIAL_NO_AUTH_ACTION_COUNT does) from the moment PATH exists:
a test seeds freely, creates the scanner's user, then creates PATH and scans.
"""

import json
import os
import sys

root = os.environ.get("TOMSCAN_MOTO_ROOT")
if root:
    root = json.loads(root)
    from moto.iam import models

    summary_init = models.AccountSummary.__init__

    def patched_summary_init(self, *args, **kwargs):
        summary_init(self, *args, **kwargs)
        self._account_mfa_enabled = 1 if root.get("mfa") else 0
        self._account_access_keys_present = 1 if root.get("access_keys") else 0

    models.AccountSummary.__init__ = patched_summary_init

    get_report = models.IAMBackend.get_credential_report

    def patched_get_report(self):
        report = get_report(self)
        header, _, users = report.partition("\n")
        keys = "true" if root.get("access_keys") else "false"
        row = ",".join(
            [
                "<root_account>",
                f"arn:aws:iam::{self.account_id}:root",
                "2020-01-01T00:00:00+00:00",
                "not_supported",
                root.get("password_last_used", "no_information"),
                "not_supported",
                "not_supported",
                "true" if root.get("mfa") else "false",
                keys, "N/A", "N/A", "N/A", "N/A",
                "false", "N/A", "N/A", "N/A", "N/A",
                "false", "N/A", "false", "N/A",
            ]
        )
        return f"{header}\n{row}\n{users}"

    models.IAMBackend.get_credential_report = patched_get_report

enforce_when = os.environ.get("TOMSCAN_MOTO_ENFORCE_WHEN")
if enforce_when:
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    authorize = ActionAuthenticatorMixin._authenticate_and_authorize_action

    def gated(self, *args, **kwargs):
        settings.INITIAL_NO_AUTH_ACTION_COUNT = 0 if os.path.exists(enforce_when) else float("inf")
        return authorize(self, *args, **kwargs)

    ActionAuthenticatorMixin._authenticate_and_authorize_action = gated

# CloudTrail reports when it last delivered to the trail's CloudWatch Logs group
# (GetTrailStatus LatestCloudWatchLogsDeliveryTime); moto reports nothing. Emulate it: a
# logging trail whose log group exists has just delivered; one whose group is gone has
# never delivered, and says why, as AWS does.
import time  # noqa: E402

from moto.cloudtrail import models as cloudtrail_models  # noqa: E402

trail_init = cloudtrail_models.Trail.__init__


def patched_trail_init(self, *args, **kwargs):
    trail_init(self, *args, **kwargs)
    self.status.trail = self


cloudtrail_models.Trail.__init__ = patched_trail_init

status_description = cloudtrail_models.TrailStatus.description


def patched_status_description(self):
    desc = status_description(self)
    trail = getattr(self, "trail", None)
    arn = getattr(trail, "cw_log_group_arn", None)
    if arn and self.is_logging:
        from moto.logs.models import logs_backends

        parts = arn.split(":")
        region, account, name = parts[3], parts[4], parts[6]
        if name in logs_backends[account][region].groups:
            desc["LatestCloudWatchLogsDeliveryTime"] = int(time.time())
        else:
            desc["LatestCloudWatchLogsDeliveryError"] = (
                "ResourceNotFoundException: The specified log group does not exist."
            )
    return desc


cloudtrail_models.TrailStatus.description = patched_status_description

from moto.server import main  # noqa: E402

main(sys.argv[1:])
