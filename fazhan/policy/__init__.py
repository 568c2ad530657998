"""The rules as pure functions over data. Nothing in this package imports Django."""
