"""The demo district (contracts.md §6): `fazhan.demo.builder.build_demo` fills an empty database;
the `fazhan demo` command (fazhan/demo/management/commands/demo.py) builds it and serves it."""
