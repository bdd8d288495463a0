"""The clinician console (issue 18): server-rendered pages over the same services as the API."""
