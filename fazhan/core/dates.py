"""The one `today()`: the calendar day in Asia/Shanghai, where every rule's dates live (the
server's clock may run in UTC). `fazhan.policy` keeps its own copy of the definition because it
imports nothing outside itself; this is that function."""

from __future__ import annotations

from fazhan.policy.engine import today_in_shanghai as today

__all__ = ["today"]
