"""Stage 4, render: which pages exist, what each is given (views), and their Markdown through the Jinja2 templates."""
