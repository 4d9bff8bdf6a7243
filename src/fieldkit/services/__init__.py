"""Use cases: the only entry points the UI and CLI call.

Each write use case checks the domain rule, writes the change, its outbox mutation and an
audit entry in one SQLite transaction, and returns a small result saying what changed.
"""
