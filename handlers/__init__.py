"""What happens: the citizen intake dialog, staff actions, supervisor commands, SLA sweep.

Handlers take a database session, an `Inbound` and the time, and return `Outbound`s. They
never import a channel, `telegram` or `aiohttp`: a test walks them with `ast` to keep it so.
"""
