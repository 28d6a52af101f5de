"""The one selector: text form, conditions, masks (expected rows worked out by hand)."""

import pandas as pd
import pytest

from nssf_analysis.analysis import select
from nssf_analysis.analysis.select import (
    Not,
    Prefix,
    Selector,
    location,
    mask,
    matches,
    parse,
    text,
)
from nssf_analysis.exceptions import NSSFError

FRAME = pd.DataFrame(
    {
        "no": ["1", "1.1", "1.2", "2"],
        "sex": ["total", "female", "total", "total"],
        "year": [2021, 2022, 2022, 2022],
    }
)


def test_parse_reads_equal_one_of_and_not_with_years():
    where = parse("no=1.1|1.2; sex!=female; year=@report; base=@previous", 2022)
    assert where == {
        "no": ("1.1", "1.2"),
        "sex": Not(("female",)),
        "year": "2022",
        "base": "2021",
    }


def test_parse_refuses_a_part_without_equals():
    with pytest.raises(NSSFError, match="part 'office' has no '='"):
        parse("measure=members; office")


def test_text_is_the_inverse_of_parse():
    s = "office=total; measure=new|old; sex!=female"
    assert text(parse(s)) == s


def test_text_refuses_a_prefix_it_cannot_say():
    with pytest.raises(NSSFError, match="no text form"):
        text({"no": Prefix("1.")})


def test_mask_selects_the_rows_by_hand():
    assert mask(FRAME, {"no": Prefix("1.")}).tolist() == [False, True, True, False]
    assert mask(FRAME, {"sex": "total", "year": "2022"}).tolist() == [False, False, True, True]
    assert mask(FRAME, {"no": ("1", "2")}).tolist() == [True, False, False, True]
    assert mask(FRAME, {"sex": Not(("female",))}).tolist() == [True, False, True, True]


def test_mask_on_a_missing_column():
    assert not mask(FRAME, {"office": "total"}).any()
    assert mask(FRAME, {"office": Not(("x",))}).all()
    assert mask(FRAME, {"office": "total"}, missing="ignore").all()
    with pytest.raises(NSSFError, match="no column 'office'"):
        mask(FRAME, {"office": "total"}, missing="error")


def test_matches_one_row():
    assert matches({"no": "1.2", "sex": "total"}, {"no": Prefix("1."), "sex": "total"})
    assert not matches({"no": "1.2"}, {"sex": "total"})
    assert matches({"no": "1.2"}, {"sex": Not(("female",))})


def test_location_keeps_values_verbatim():
    # a check's location: a value may hold "; " and "|" (printed labels), read as they are
    where = location("year=2022; item=Medical care; other care; sex=total; line=a|b")
    assert where == {
        "year": "2022",
        "item": "Medical care; other care",
        "sex": "total",
        "line": "a|b",
    }
    assert location("") == {}


def test_indicators_and_values_select_through_this_module():
    from nssf_analysis.analysis import values

    assert select.Selector is Selector and select.Prefix is Prefix
    assert values.select.mask is mask
