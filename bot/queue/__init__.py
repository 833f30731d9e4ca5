"""The durable queues and their loops: inbox (store, then process per chat), outbox (send per
chat), the lanes both run on, and the gate that lets acknowledgements go first."""
