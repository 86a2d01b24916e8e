"""Timers and background jobs: a worker claims due jobs and runs their handlers exactly once."""
