"""Fixed lists an application form chooses from, with (value, label) lists for SelectField.

Work-team service grounds are not here: each campaign definition brings its own.
"""

from __future__ import annotations

from collections.abc import Iterable

from portal.vocabulary import (
    DEGREES,
    EDUCATION_LEVELS,
    ETHNICITIES,
    GENDERS,
    MANDARIN_LEVELS,
    POLITICAL_STATUSES,
    SANCTIONS,
)

Choices = list[tuple[str, str]]

PLACEHOLDER = "请选择"


def as_choices(values: Iterable[str], placeholder: str | None = None) -> Choices:
    """Turn values into WTForms (value, label) pairs, optionally led by an empty placeholder."""
    pairs: Choices = [(value, value) for value in values]
    if placeholder is not None:
        pairs.insert(0, ("", placeholder))
    return pairs


GENDER_CHOICES: Choices = as_choices(GENDERS)
ETHNICITY_CHOICES: Choices = as_choices(ETHNICITIES, PLACEHOLDER)
POLITICAL_STATUS_CHOICES: Choices = as_choices(POLITICAL_STATUSES, PLACEHOLDER)
EDUCATION_CHOICES: Choices = as_choices(EDUCATION_LEVELS, PLACEHOLDER)
DEGREE_CHOICES: Choices = as_choices(DEGREES, PLACEHOLDER)
MANDARIN_CHOICES: Choices = as_choices(MANDARIN_LEVELS, PLACEHOLDER)
SANCTION_CHOICES: Choices = as_choices(SANCTIONS, "无")
