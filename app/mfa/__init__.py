"""Two-step login for staff (therapists, job counsellors, admins): TOTP and recovery codes."""
