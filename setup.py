"""Build hook for thetahat's optional C kernels (everything else is in pyproject.toml).

``thetahat._kernels`` (``_kernels.c``, and the fused passes of the iterative
families in ``_kernels_fit.c``, which need GCC or Clang) is marked optional: when no
C compiler is available the build goes on without it and thetahat uses its numpy
fallbacks (``thetahat._fastpath``), which give the same results more slowly.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "thetahat._kernels",
            sources=[
                "src/thetahat/_kernels.c",
                "src/thetahat/_kernels_fit.c",
                "src/thetahat/_kernels_newton.c",
                "src/thetahat/_kernels_select.c",
                "src/thetahat/_kernels_blas.c",
                "src/thetahat/_kernels_glm.c",
            ],
            depends=["src/thetahat/_kernels.h", "src/thetahat/_vecmath.h"],
            extra_compile_args=["-O3"],
            optional=True,
        )
    ]
)
