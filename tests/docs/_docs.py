"""What the documentation covers (shared by the docs tests and the site build)."""

#: the public namespaces: every name in their ``__all__`` is documented in the API
#: reference and must have a numpydoc docstring whose Examples run
PUBLIC_NAMESPACES = (
    "thetahat",
    "thetahat.statistics",
    "thetahat.conjugacy",
    "thetahat.datasets",
    "thetahat.regression",
    "thetahat.plot",
    "thetahat.derive",
    "thetahat.explore",
)
