"""The service center's HTTP routes, one router per area (auth, sync, blobs, verify,
dispatch, health), assembled by :mod:`fieldkit.server.api.main`. Routes hold no SQL: they
take what they need through the dependencies in :mod:`fieldkit.server.api.deps` and call the
module that owns the data."""
