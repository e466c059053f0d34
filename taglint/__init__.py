"""taglint: lint container image references and image push commands."""
__version__ = "0.1.0"
