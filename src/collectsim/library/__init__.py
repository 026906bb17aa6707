"""The built-in persona and scenario library (mapped from the repository root at install)."""
