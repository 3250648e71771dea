"""Every topic the workers serve, one module per topic. Importing this package registers them."""
from riec.runtime import Registry

registry = Registry()

from riec.handlers import hit_no_hit, signal_validation  # noqa: E402,F401  (registration side effect)
