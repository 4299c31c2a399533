"""Import and export engine: one engine for every kind, used by pages, API and command."""
