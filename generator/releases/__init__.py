"""Releases: when records changed (git history), what changed between release tags (changelog), and its feed."""
