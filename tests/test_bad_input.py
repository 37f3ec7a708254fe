"""Every bad input gets a ValueError/TypeError that names the problem and where it is."""

from __future__ import annotations

import numpy as np
import pytest

import thetahat as th


def test_nan_and_inf_say_how_many_and_first_index() -> None:
    with pytest.raises(ValueError, match=r"2 NaN value\(s\); the first is at index 1"):
        th.fit(th.Normal, [1.0, np.nan, 2.0, np.nan])
    with pytest.raises(ValueError, match=r"1 infinite value\(s\); the first is at index 2"):
        th.fit(th.Poisson, [1, 2, np.inf])
    with pytest.raises(ValueError, match=r"weights contains 1 NaN"):
        th.fit(th.Normal, [1.0, 2.0], weights=[1.0, np.nan])


def test_nan_far_into_large_data_is_located() -> None:
    x = np.ones(300_000)
    x[250_001] = np.nan
    with pytest.raises(ValueError, match="index 250001"):
        th.fit(th.Exponential, x)


def test_empty_data() -> None:
    with pytest.raises(ValueError, match="empty"):
        th.fit(th.Normal, [])


@pytest.mark.parametrize(
    ("family", "data", "pattern"),
    [
        (th.Bernoulli, [0, 1, 1, 2, 1], r"Bernoulli data must be 0 or 1; data\[3\] = 2\.0"),
        (th.Poisson, [1, 3, -1, 2], r"data\[2\] = -1\.0"),
        (th.Poisson, [1, 2.5, 3], r"non-negative integers.*data\[1\] = 2\.5"),
        (th.Geometric, [0, 1, -2], r"data\[2\] = -2\.0"),
        (th.Exponential, [1.0, -0.5], r"data\[1\] = -0\.5"),
        (th.Categorical(k=3), [0, 1, 3, 2], r"data\[2\] = 3\.0"),
        (th.Binomial(n=5), [1, 6, 2], r"data\[1\] = 6\.0"),
        (th.Multinomial(n=3), [[1, 2], [2, 2]], r"data\[1\]"),
    ],
)
def test_values_outside_the_support(family, data, pattern) -> None:
    with pytest.raises(ValueError, match=pattern):
        th.fit(family, data)


def test_label_beyond_a_dirichlet_priors_classes() -> None:
    with pytest.raises(ValueError, match=r"data\[1\] = 3\.0"):
        th.posterior(th.Categorical, [0, 3], prior=th.Dirichlet([1.0, 1.0, 1.0]))


def test_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="weights has 2 entries but data has 3"):
        th.fit(th.Normal, [1.0, 2.0, 3.0], weights=[1, 2])
    with pytest.raises(ValueError, match="exposure has 2 entries but data has 3"):
        th.fit(th.Poisson, [1, 2, 3], exposure=[1.0, 2.0])
    with pytest.raises(ValueError, match="parameter n has 2 entries but data has 3"):
        th.fit(th.Binomial(n=[3, 4]), [1, 2, 3])


def test_bad_weights_and_exposure_values() -> None:
    with pytest.raises(ValueError, match=r"weights must be >= 0; weights\[1\] = -1\.0"):
        th.fit(th.Normal, [1.0, 2.0], weights=[1, -1])
    with pytest.raises(ValueError, match=r"exposure must be > 0; exposure\[0\] = 0\.0"):
        th.fit(th.Poisson, [1, 2], exposure=[0.0, 1.0])
    with pytest.raises(ValueError, match="exposure does not apply to Normal"):
        th.fit(th.Normal, [1.0, 2.0], exposure=[1.0, 1.0])


@pytest.mark.parametrize(
    ("make", "pattern"),
    [
        (lambda: th.Beta(0, 1), r"Beta parameter a must be a number > 0, got 0"),
        (lambda: th.Gamma(2, -1), r"Gamma parameter rate must be a number > 0"),
        (lambda: th.Bernoulli(1.5), r"Bernoulli parameter p must be a number in \[0, 1\]"),
        (lambda: th.Normal(0, np.nan), r"Normal parameter sigma"),
        (lambda: th.Dirichlet([1.0, -1.0]), r"Dirichlet parameter alpha"),
        (lambda: th.Categorical([0.5, 0.6]), r"Categorical parameter probs"),
        (lambda: th.Binomial(n=2.5), r"Binomial parameter n must be an integer"),
    ],
)
def test_invalid_hyperparameters(make, pattern) -> None:
    with pytest.raises(ValueError, match=pattern):
        make()


def test_constructor_type_errors() -> None:
    with pytest.raises(TypeError, match="Beta has no parameter 'alpha'; its parameters are a, b"):
        th.Beta(alpha=2)
    with pytest.raises(TypeError, match="at most 2 positional"):
        th.Beta(1, 2, 3)
    with pytest.raises(TypeError, match="must be a number, not a string"):
        th.Normal("0", 1)
    with pytest.raises(TypeError, match="family must be a thetahat distribution"):
        th.fit("normal", [1.0])
    with pytest.raises(TypeError, match="numeric"):
        th.fit(th.Normal, ["a", "b"])


def test_priors_that_do_not_fit() -> None:
    with pytest.raises(
        ValueError,
        match=r"Gamma\(shape=2, rate=1\) is not a conjugate prior for Bernoulli.*Beta on p",
    ):
        th.posterior(th.Bernoulli, [1, 0], prior=th.Gamma(2, 1))
    with pytest.raises(ValueError, match="posterior needs a prior"):
        th.posterior(th.Poisson, [1, 0], prior=None)
    with pytest.raises(ValueError, match=r"must have all its parameters given; b missing"):
        th.fit(th.Bernoulli, [1, 0], prior=th.Beta(a=2))
    with pytest.raises(ValueError, match="prior given for 'rate', which is not a free parameter"):
        th.fit(th.Bernoulli, [1, 0], prior={"rate": th.Gamma(1, 1)})
    with pytest.raises(ValueError, match="Flat is an improper prior"):
        th.Flat().mean()
    with pytest.raises(ValueError, match="Flat prior is improper"):
        th.posterior(th.Normal(sigma=1.0), [1.0], prior=th.Flat())


def test_nothing_to_fit_and_frozen_requirements() -> None:
    with pytest.raises(ValueError, match="nothing to fit"):
        th.fit(th.Normal(0, 1), [1.0])
    with pytest.raises(ValueError, match=r"Normal.sample needs every parameter; mu not given"):
        th.Normal(sigma=1.0).sample(3)
    with pytest.raises(ValueError, match="Binomial needs the number of trials n"):
        th.fit(th.Binomial, [1, 2])
