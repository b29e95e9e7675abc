"""The review's own configuration: the review file, and the extensions it names."""
