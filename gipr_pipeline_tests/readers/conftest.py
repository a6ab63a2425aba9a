"""Fixtures for the reader tests: truth tables and their layouts, built in code."""

from __future__ import annotations

import random

import pytest

from gipr_pipeline.corpus.render import Truth, random_truth

from .builders import Layout, layout, pick_blanks


def make(seed: int, blank_share: float = 0.0, scale: int = 30) -> tuple[Truth, Layout]:
    rng = random.Random(seed)
    truth = random_truth(rng, scale=scale)
    return truth, layout(truth, pick_blanks(truth, rng, blank_share))


@pytest.fixture(scope="session")
def report() -> tuple[Truth, Layout]:
    """A consistent 2021 report with some interior cells printed blank."""
    return make(7, blank_share=0.25)


@pytest.fixture(scope="session")
def plain_report() -> tuple[Truth, Layout]:
    """A consistent 2021 report without blank cells."""
    return make(11)
