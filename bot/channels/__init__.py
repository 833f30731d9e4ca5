"""Channel adapters at the edge: verify, parse, send. They translate; they never decide policy."""
