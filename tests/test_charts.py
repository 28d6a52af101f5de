"""Graphics: the data each one plots, and the figures the chapters draw in the house style.

The chapters draw each graphic in their own seaborn/matplotlib code and hand the figure to
:func:`nssf_analysis.render.page.graphic`; the figures are taken from the chapters' own
cells (:func:`chapter.run_cells`) and checked against the report's numbers and the house
style. :func:`nssf_analysis.render.charts.graphic_data` is the frame each graphic's download
holds.
"""

import matplotlib.colors as mcolors
import pytest
from chapter import run_cells
from matplotlib.text import Text

from nssf_analysis.render import charts, style

#: The chapter that draws each graphic of the report.
DRAWN_BY = {1: "01_occupational_risk", 2: "01_occupational_risk", 3: "01_occupational_risk",
            4: "01_occupational_risk", 5: "01_occupational_risk", 6: "01_occupational_risk",
            7: "01_occupational_risk", 8: "02_health_care", 9: "04_informal_sector"}  # fmt: skip


@pytest.fixture(scope="module")
def drawn():
    """Return {graphic number: the figure its chapter draws for 2022}."""
    out = {}
    for name in sorted(set(DRAWN_BY.values())):
        out.update(run_cells(name, 2022)["_graphics"])
    return out


def bars(fig) -> dict[float, str]:
    """Return {bar value: bar colour} over every axis of a figure."""
    out = {}
    for ax in fig.axes:
        for p in (p for c in ax.containers for p in c.patches):
            value = p.get_width() if p.get_width() > p.get_height() * 50 else p.get_height()
            out[round(value, 2)] = mcolors.to_hex(p.get_facecolor())
    return out


# --- the data each graphic plots (expected values printed in the report) ------------


def test_graphic_4_plots_table_10_by_type_and_sex():
    d = charts.graphic_data(4, 2022)
    d22 = d[d["year"] == 2022].set_index(["category", "series"])["value"]
    # Table 10, 2022: workplace 7,342 (3,597 females), commuting 7,400 (4,326 females)
    assert d22[("Workplace accidents", "Total")] == 7342
    assert d22[("Workplace accidents", "Females")] == 3597
    assert d22[("Commuting accidents", "Females")] == 4326
    assert set(d["year"]) == {2021, 2022}
    assert "Total" not in set(d["category"])  # the breakdown, not the total


def test_graphic_5_plots_table_11_degrees():
    d = charts.graphic_data(5, 2021).set_index(["category", "series"])["value"]
    # Table 11, 2021: minor 9,447, severe 1,762, deaths 194 (61 females)
    assert d[("Minor injuries", "Total")] == 9447
    assert d[("Severe injuries", "Total")] == 1762
    assert d[("Deaths", "Females")] == 61


def test_graphics_6_and_7_plot_the_public_sector_tables():
    assert charts.GRAPHICS[6][0] == "t24" and charts.GRAPHICS[7][0] == "t25"
    d = charts.graphic_data(6, 2022)
    d = d[d["year"] == 2022].set_index(["category", "series"])["value"]
    total = d[[k for k in d.index if k[1] == "Total"]].sum()
    assert total == 9 + 72 - 2  # Table 24, 2022 total injuries 79 (the report prints 79)


def test_graphic_3_plots_table_5():
    d = charts.graphic_data(3, 2022)
    d = d[d["year"] == 2022].set_index(["panel", "series"])["value"]
    # Table 5, 2022: contributory 12,238; contribution-paid 11,625; workers 1,388,623 / 876,568
    assert d[("Enterprises", "Contributory enterprises")] == 12238
    assert d[("Enterprises", "Contribution-paid enterprises")] == 11625
    assert d[("Workers", "Total")] == 1388623
    assert d[("Workers", "Females")] == 876568


def test_graphic_8_plots_table_37():
    d = charts.graphic_data(8, 2021).set_index(["panel", "series"])["value"]
    assert d[("Workers", "Total")] == 1241035  # Table 37, 2021


def test_graphic_1_plots_annex_6_1_3_by_province():
    d = charts.graphic_data(1, 2022)
    pp = d[d["category"] == "Phnom Penh"].set_index("series")["value"]
    # Annex 6.1.3, Phnom Penh: 1,663 enterprises, 137,345 workers, 66,799 females
    assert pp["Enterprises"] == 1663
    assert pp["Total"] == 137345
    assert pp["Females"] == 66799
    assert d["category"].nunique() == 25  # the capital and 24 provinces
    # largest first: Phnom Penh is the last category (top bar of a horizontal chart)
    assert list(dict.fromkeys(d["category"]))[-1] == "Phnom Penh"


def test_graphic_2_plots_the_largest_business_types():
    d = charts.graphic_data(2, 2022)
    assert d["category"].nunique() == charts.TOP_BUSINESSES
    g = d[d["category"] == "Garment"].set_index("series")["value"]
    # Annex 6.1.1 (business codes), 1712 Garment: 784 enterprises, 505,187 workers
    assert g["Enterprises"] == 784 and g["Total"] == 505187


def test_graphic_9_plots_formal_and_informal_mothers():
    d = charts.graphic_data(9, 2022)
    d = d[d["year"] == 2022].set_index(["panel", "series"])["value"]
    # Table 61, 2022: formal 55,682 mothers, 56,085 newborns; informal 88 and 88
    assert d[("Formal female workers", "Mothers")] == 55682
    assert d[("Formal female workers", "Newborns")] == 56085
    assert d[("Informal female workers", "Mothers")] == 88


def test_graphics_without_printed_data():
    assert set(charts.NOT_PRINTED) == {10, 11}
    with pytest.raises(KeyError):
        charts.graphic_data(10, 2022)
    assert not charts.has_data(11, 2022)


def test_no_data_for_the_year():
    assert not charts.has_data(1, 2021)  # the annex covers 2022 only
    assert charts.graphic_data(1, 2021).empty
    from nssf_analysis.exceptions import NSSFError
    from nssf_analysis.render import page

    with pytest.raises(NSSFError, match="Graphic 4: draw it for 2022 and pass the figure"):
        page.graphic(4, 2022)


def test_graphic_info_from_the_report():
    info = charts.graphic_info(10)
    assert info["title"] == "Number of Injured Workers in 13 Cases"
    with pytest.raises(KeyError):
        charts.graphic_info(12)


# --- house style ---------------------------------------------------------------------


def test_titles_name_the_scheme_and_sector():
    # report lines 324 and 532 title Graphics 4 and 6 alike; Tables 10 and 24 are the
    # private and the public sector of the occupational risk scheme
    assert charts.title(4) == (
        "Graphic 4: Occupational Risk Investigation Results by Types of Injuries"
        " \u2014 occupational risk scheme, private sector"
    )
    assert charts.title(6).endswith("occupational risk scheme, public sector")
    assert charts.title(7).endswith("public sector") and charts.title(5).endswith("private sector")
    # Graphics 3 and 8 (Tables 5 and 37): the same title, two schemes
    assert charts.title(3).endswith("occupational risk scheme, private sector")
    assert charts.title(8).endswith("health care scheme, private sector")
    titles = [charts.title(n) for n in range(1, 12)]
    assert len(set(titles)) == len(titles)


def test_a_subset_says_which():
    # Annex 6.1.1 (business codes) lists business types no. 1 to 104; Graphic 2 shows 15
    text = charts.selection(2, 2022)
    assert text.startswith("The 15 business types with the most workers, of the 104 ")
    assert charts.selection(4, 2022) == ""
    d = charts.graphic_data(2, 2022)
    assert d["category"].nunique() == charts.TOP_BUSINESSES


def test_images_are_twice_the_layout_density():
    assert style.DENSITY >= 2
    style.setup()
    import matplotlib as mpl

    assert mpl.rcParams["savefig.dpi"] == style.DPI * style.DENSITY


def test_alt_text_names_the_graphic_its_years_and_its_table():
    # report line 324: "Graphic 4: Occupational Risk Investigation Results by Types of
    # Injuries", drawn from Table 10 (2021 and 2022)
    assert charts.alt_text(4, 2022) == (
        "Graphic 4: Occupational Risk Investigation Results by Types of Injuries \u2014 "
        "occupational risk scheme, private sector. "
        "Bar chart of 2021 and 2022 from Table 10, which gives its numbers."
    )
    assert "Bar chart of 2021 from Table 10" in charts.alt_text(4, 2021)


def test_alt_text_of_a_figure_is_its_label_else_its_titles():
    from matplotlib.figure import Figure

    fig = Figure()
    left, right = fig.subplots(1, 2)
    assert style.alt_text(fig) == ""
    left.set_title("Enterprises")
    right.set_title("Workers")
    fig.suptitle("Graphic 3: Contribution-paid")
    assert style.alt_text(fig) == "Graphic 3: Contribution-paid; Enterprises; Workers"
    fig.set_label("Bar chart of 2021 and 2022 from Table 5")
    assert style.alt_text(fig) == "Bar chart of 2021 and 2022 from Table 5"


# --- the figures the chapters draw ---------------------------------------------------------


def test_every_graphic_with_printed_data_is_drawn_by_its_chapter(drawn):
    assert sorted(n for n, fig in drawn.items() if fig is not None) == list(range(1, 10))


@pytest.mark.parametrize("number", range(1, 10))
def test_one_title_per_figure_and_text_legible_on_a_phone(drawn, number):
    fig = drawn[number]
    # the caption above the image is the title; the figure has none of its own
    assert fig.get_suptitle() == ""
    assert charts.graphic_info(number)["title"] not in " ".join(a.get_title() for a in fig.axes)
    # shown 390 px wide, a point of a figure W inches wide is 390 / (72 W) px high
    width_in = fig.get_size_inches()[0]
    fig.canvas.draw()
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_text() and t.get_visible()]
    assert sizes and min(sizes) * 390 / (72 * width_in) >= 9.0


def test_graphic_4_bars_are_table_10_in_the_total_and_female_colours(drawn):
    got = bars(drawn[4])
    # Table 10 (lines 318-319): workplace 5,719 / 7,342, commuting 5,684 / 7,400 (total);
    # females 2,968 / 3,597 and 3,329 / 4,326
    for total in (5719, 7342, 5684, 7400):
        assert got[total] == style.TOTAL_COLOR.lower()
    for female in (2968, 3597, 3329, 4326):
        assert got[female] == style.FEMALE_COLOR.lower()


def test_graphic_1_bars_are_annex_6_1_3(drawn):
    got = bars(drawn[1])
    # Annex 6.1.3: the most new enterprises (1,663) and workers (137,345) of a place
    assert max(got) == 137345 and 1663 in got


def test_value_axes_have_thousands_separators(drawn):
    fig = drawn[4]
    fig.canvas.draw()
    ticks = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels() + ax.get_xticklabels()]
    assert any("," in t for t in ticks)  # e.g. "2,000"
