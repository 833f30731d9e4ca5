"""HTTP: the aiohttp application, its routes and typed keys; webhooks store and acknowledge."""
