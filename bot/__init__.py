"""The running service: config, CLI, aiohttp app, channel adapters, scheduler, inbox, outbox."""
