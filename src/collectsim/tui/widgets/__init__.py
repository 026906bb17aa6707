"""Widgets shared by the screens; each takes plain data in and posts messages out."""
