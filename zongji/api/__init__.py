"""HTTP API (FastAPI routers and schemas) and the application factory."""
