"""The sync protocol shared by the client (fieldkit.sync) and the server (fieldkit.server)."""

PROTOCOL_VERSION = 1
SUPPORTED_PROTOCOLS = (1,)  # the server keeps handlers for the previous version here
HEADER_PROTOCOL = "X-FieldKit-Protocol"
HEADER_SCHEMA = "X-FieldKit-Schema"
HEADER_SERVER_TIME = "X-FieldKit-Server-Time"
# On a login answer: the center's Ed25519 public key (base64), which signs remote wipe orders.
# A header, so apps that do not know it parse the login answer as before.
HEADER_CENTER_KEY = "X-FieldKit-Center-Key"
# On a device's authenticated request: the center key it has pinned (it can check a signed
# wipe order). The center serves a pending wipe order as soon as a request shows it; a device
# that shows none is first handed the key (GET /auth/center-key). A claim about the device
# only: it authorises nothing.
HEADER_PINNED_KEY = "X-FieldKit-Pinned-Key"
# On a push or pull: how many changes the device holds that this request does not carry (its
# outbox). Shown by the console ("2 changes pending on the device"), trusted for nothing else.
HEADER_PENDING = "X-FieldKit-Pending"
