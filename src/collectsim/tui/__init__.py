"""The Textual shell over the engine: home, briefing, call, scorecard, help and diagnostics.

Importing this package is cheap on purpose: the engine, loader and scorer are imported inside
workers or on first use so the first screen paints before pydantic and the rules are loaded.
"""
