"""Booking hotline (issue 17)."""
