"""CBS reference data: municipalities, provinces, size classes; matching names as people write them."""

from analytics.reference.cbs import *  # noqa: F401,F403  (the package's public functions)
