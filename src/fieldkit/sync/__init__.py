"""Client side of the sync protocol: transport, credentials, the engine, rescue bundles."""
