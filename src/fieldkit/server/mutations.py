"""Applying pushed mutations with the conflict policy of ARCHITECTURE.md.

- every mutation is parsed once into its typed contract (``protocol.mutations``); a payload
  that does not fit is a recorded rejection, a bug in a handler is a logged 500 the device
  retries (never a permanent rejection of the engineer's work);
- status moves only through the domain state machine, run here on the server's state, and
  every gate the app applies comes from the same ``domain`` function (``domain.rules``);
- notes, checklist answers and part replacements are append-only; a former assignee's are
  kept only for the window in which they held the job; a slip is signed only by the engineer
  who holds the job now;
- quotes use optimistic versions; a signed slip with the same id and another hash is refused.

The handlers live in ``server/handlers/<area>.py``; importing them here registers them.
"""

from __future__ import annotations

from fieldkit.protocol.mutations import MalformedMutation, MutationArgs, parse_args
from fieldkit.server.handlers import checklists, jobs, quotes, slips
from fieldkit.server.handlers.base import HANDLERS, Ctx, Rejected

_REGISTERED = (checklists, jobs, quotes, slips)


def parse(ctx: Ctx) -> MutationArgs:
    """The mutation's typed args, or a clean ``Rejected`` with the contract's code."""
    if ctx.mutation.name not in HANDLERS:
        raise Rejected(
            "mutation.unknown", f"Unknown change type {ctx.mutation.name[:80]}; update the app"
        )
    try:
        return parse_args(ctx.mutation.name, ctx.mutation.args)
    except MalformedMutation as exc:
        raise Rejected(exc.code, exc.reason) from None


def apply_mutation(ctx: Ctx, args: MutationArgs | None = None) -> None:
    """Run the handler; anything but ``Rejected`` is a bug and propagates (HTTP 500)."""
    args = parse(ctx) if args is None else args
    _, handler = HANDLERS[ctx.mutation.name]
    handler(ctx, args)


__all__ = ["HANDLERS", "Ctx", "Rejected", "apply_mutation", "parse"]
