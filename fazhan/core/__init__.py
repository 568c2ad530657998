"""The small core every app may import: shared error types, the one `today()`, and the policy's
labels in the reader's language. It imports Django and `fazhan.policy` only, never an app."""
