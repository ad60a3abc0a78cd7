"""Drop-in replacements for other audio libraries' feature functions."""
