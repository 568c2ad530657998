"""The `fazhan` command: `check` and `plan` are pure (no Django); the rest runs Django.

fazhan check FILE.json [...] [--json] [--policy NAME] [--as-of DATE]
fazhan plan evaluate COUNTS.json [--plan NAME|FILE] [--json]
fazhan plan lint [--plan NAME|FILE] [--json]
fazhan audit verify [--json] [--anchor FILE]
fazhan audit anchor [--to FILE]
fazhan demo [--port N] [--no-serve]
fazhan import orgs|members FILE [--confirm] [--json]
fazhan import roster FILE --scope CODE [--confirm] [--json]
fazhan import files FILE [FILE ...] --branch CODE [--confirm] [--json]
fazhan serve [--port N] [--workers N] [--host H]
fazhan worker [--batch] [--interval S]
fazhan backup [--to PATH]
fazhan restore PATH [--force]
fazhan report counts --as-of DATE [--from DATE] [--org CODE] [--json]
fazhan keys rotate [--batch N]
fazhan <any Django management command>
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args else "help"
    if command == "check":
        from fazhan.check_cli import main as check_main

        return check_main(args[1:])
    if command == "plan":
        from fazhan.plan_cli import main as plan_main

        return plan_main(args[1:])
    if command in {"help", "-h", "--help"}:
        print(__doc__)
        return 0
    return _django(args)


def _django(args: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fazhan.settings")
    from django.core.management import execute_from_command_line

    # `fazhan audit verify` and `fazhan audit anchor` are `audit_verify` and `audit_anchor`.
    if len(args) >= 2 and args[0] == "audit" and args[1] in {"verify", "anchor"}:
        args = [f"audit_{args[1]}", *args[2:]]
    try:
        execute_from_command_line(["fazhan", *args])
    except SystemExit as stop:
        return int(stop.code or 0) if not isinstance(stop.code, str) else 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
