"""The programme catalogue: programmes, rounds, groups and sessions."""
