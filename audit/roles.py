"""Editors and moderators may read the audit log; nobody may write it but the code that acts."""

READER = [("audit", "view_auditentry")]

ROLES = {"Editor": READER, "Moderator": READER}
