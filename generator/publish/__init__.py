"""Stage 5, emit, and publishing: the generated tree written safely, the generator beside MkDocs, the built site
published all or nothing."""
