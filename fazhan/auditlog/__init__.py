"""The auditor's pages (安全审计员, 三员分立): the chain verified from the page as a queued task,
and the log of every chain event and sign-in, filtered, read in words and exported
(docs/audit-log.md)."""
