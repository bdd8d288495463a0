"""Work-focused therapy: barriers check, communication plan, dialogue meetings, work goals."""
