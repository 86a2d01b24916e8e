"""Pure rules: no I/O, no framework imports. Everything here is testable with plain values."""
