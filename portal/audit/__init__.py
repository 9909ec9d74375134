"""Audit log: who did what sensitive thing, with readable details (names, not ids)."""

from portal.audit.models import AuditEntry, record

__all__ = ["AuditEntry", "record"]
