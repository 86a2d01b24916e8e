"""Zongji (总机): switchboard and service-hotline platform."""

__version__ = "0.1.0"
