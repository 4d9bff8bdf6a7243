"""The center's mutation handlers, one module per area; each registers with ``@handles``."""
