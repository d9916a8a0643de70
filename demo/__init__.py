"""The demo: deterministic demo data for the directory and its source files, and the demo admin. The one app allowed
to know both `directory` and `verification` (a new seed wipes what both hold)."""
