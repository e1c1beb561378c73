"""Words and sentence pieces of the synthetic topics, one module per family of topics. Pure data."""
