"""Labelled 12345 dispatch requests and the generator of the demo responsibility catalogue."""
