"""Status notifications: the outbox, email, SMS and the in-app centre (issue 7)."""
