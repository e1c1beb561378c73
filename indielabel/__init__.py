"""IndieLabel: end-user audits of a text classifier."""

__version__ = "0.1.0"
