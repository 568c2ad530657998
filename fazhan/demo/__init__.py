"""The demo district (contracts.md §6): `build_demo` fills an empty database; the `fazhan demo`
command (fazhan/web/management/commands/demo.py) builds it and serves it."""

from fazhan.demo.builder import DemoSummary, build_demo

__all__ = ["DemoSummary", "build_demo"]
