"""moto_server, with the root account a real AWS account has.

moto cannot model two root-account facts that real AWS reports: its credential report
has no `<root_account>` row, and `GetAccountSummary` always says root has no MFA
(no API can enable root MFA). Tests that need the real-AWS shape set TOMSCAN_MOTO_ROOT
to a JSON object before starting this launcher:

    {"mfa": true, "access_keys": false, "password_last_used": "2025-01-01T00:00:00+00:00"}

Without it, this is plain `moto_server` (the moto shape). Arguments pass through.

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

from moto.server import main  # noqa: E402

main(sys.argv[1:])
