"""One module per command group. Each module has ``register(subparsers)`` that adds its
parser(s) with ``set_defaults(handler=...)``; heavy imports happen inside the handlers."""
