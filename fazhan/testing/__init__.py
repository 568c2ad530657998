"""Test support shared by every app's tests: factories (`factories`) and the fixed cast of users
(`cast`) that every permission test runs against, the outsider included (DESIGN.md Conventions)."""
