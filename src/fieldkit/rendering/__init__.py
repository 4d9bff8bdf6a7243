"""Turning drawings (PDF pages, large images) into pixels, tile by tile; no Qt."""
