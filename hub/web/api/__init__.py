"""The JSON API under /api: the console's operations for scripts, token-authenticated."""
