"""Fill rates, municipality spread and funder reports."""
