"""The engineer's app (PySide6). Widgets, item models and workers only: no SQL, no HTTP."""
