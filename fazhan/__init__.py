"""Fazhan: 发展党员工作 for a district organization department."""
