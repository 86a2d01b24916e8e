"""Use cases: each function is one transaction on the store, called by the API, CLI or worker."""
