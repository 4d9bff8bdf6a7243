"""What the engineer is told when a drawing cannot be shown."""

from __future__ import annotations

from typing import Any

from fieldkit.domain.messages import Message


class DrawingError(Exception):
    """A drawing that cannot be opened or drawn; ``message`` is translatable."""

    def __init__(self, template: str, **params: Any) -> None:
        self.message = Message(template, **params)
        super().__init__(str(self.message))
