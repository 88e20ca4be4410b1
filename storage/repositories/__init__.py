"""Repositories: functions taking a Session that add and select; the caller owns the transaction."""
