"""Plain SQL migrations: which files a tool applies and in what order (files), their statements
(statements) and the events read from them (reader, tree_events)."""
