"""Stages 1 and 2, load and link: seed YAML → typed records (the schema), resolved against one another and the review file."""
