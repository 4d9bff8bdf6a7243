"""FieldKit: offline-first field service for engineers on site."""

__version__ = "0.1.0"
