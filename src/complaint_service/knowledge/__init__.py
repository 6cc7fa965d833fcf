"""The knowledge base: solutions, text search that works for Chinese, and suggestions for a complaint."""
