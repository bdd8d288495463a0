"""Two-step login for therapists and admins: TOTP factors and one-time recovery codes."""
