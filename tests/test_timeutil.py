"""Date helpers shared by every domain."""

from datetime import date

import pytest

from portal.timeutil import years_between


@pytest.mark.parametrize(
    ("start", "end", "years"),
    [
        (date(2015, 9, 1), date(2024, 9, 1), 9),  # the anniversary itself counts
        (date(2015, 9, 2), date(2024, 9, 1), 8),  # one day short of it does not
        ("2015-09-01", date(2024, 12, 31), 9),  # stored ISO dates are read too
        (date(2016, 2, 29), date(2020, 2, 28), 3),
        (date(2016, 2, 29), date(2020, 2, 29), 4),
        (date(2024, 9, 1), date(2024, 9, 1), 0),
    ],
)
def test_years_between_counts_whole_years_up_to_the_end_date(start, end, years):
    assert years_between(start, end) == years


@pytest.mark.parametrize("start", [None, "", date(2025, 1, 1)])
def test_years_between_is_none_without_a_start_or_when_it_lies_after_the_end(start):
    assert years_between(start, date(2024, 12, 31)) is None
