"""Catalogues of plausible mistakes, one module per notebook, built from reference values."""
