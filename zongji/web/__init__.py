"""The operator console: Jinja templates and static files, no build step."""
