"""Graphics: the data each one plots, the house style, and a pixel comparison.

Image baselines live in ``tests/baseline/graphic_<n>_<year>.png``; a chart is
compared with :func:`matplotlib.testing.compare.compare_images` (RMS tolerance
:data:`TOLERANCE`). After a deliberate change of a chart, regenerate them with
``NSSF_UPDATE_BASELINES=1 pytest tests/test_charts.py`` and review the images.
"""

import os
from pathlib import Path

import matplotlib.colors as mcolors
import pytest
from matplotlib.testing.compare import compare_images

from nssf_analysis.render import charts, style

BASELINE = Path(__file__).parent / "baseline"
TOLERANCE = 2.0
UPDATE = os.environ.get("NSSF_UPDATE_BASELINES") == "1"
CASES = [(n, 2022) for n in range(1, 10)] + [(n, 2021) for n in (3, 4, 5, 6, 7, 8, 9)]


def bars_by_label(fig):
    """Return {legend label: [bar heights (or widths of horizontal bars)]} over all axes."""
    out = {}
    for ax in fig.axes:
        for c in ax.containers:
            horizontal = c.orientation == "horizontal"
            vals = [p.get_width() if horizontal else p.get_height() for p in c.patches]
            out.setdefault(c.get_label(), []).extend(vals)
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
    with pytest.raises(ValueError, match="no data for 2021"):
        charts.graphic(1, 2021)


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


def test_one_title_per_figure():
    # the caption above the image is the title; the figure has none of its own
    for n in range(1, 10):
        fig = charts.graphic(n, 2022)
        assert fig.get_suptitle() == ""
        assert charts.graphic_info(n)["title"] not in " ".join(ax.get_title() for ax in fig.axes)


def test_a_subset_says_which():
    # Annex 6.1.1 (business codes) lists business types no. 1 to 104; Graphic 2 shows 15
    text = charts.selection(2, 2022)
    assert text.startswith("The 15 business types with the most workers, of the 104 ")
    assert charts.selection(4, 2022) == ""
    d = charts.graphic_data(2, 2022)
    assert d["category"].nunique() == charts.TOP_BUSINESSES


def test_axis_labels_and_thousands():
    fig = charts.graphic(4, 2022)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Persons"
    fig.canvas.draw()
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert any("," in t for t in ticks)  # e.g. "2,000"


@pytest.mark.parametrize("number", range(1, 10))
def test_text_is_legible_on_a_phone(number):
    # shown 390 px wide, a point of a figure W inches wide is 390 / (72 W) px high
    fig = charts.graphic(number, 2022)
    width_in = fig.get_size_inches()[0]
    fig.canvas.draw()
    from matplotlib.text import Text

    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_text() and t.get_visible()]
    assert sizes
    assert min(sizes) * 390 / (72 * width_in) >= 9.0


def test_images_are_twice_the_layout_density():
    assert style.DENSITY >= 2
    style.setup()
    import matplotlib as mpl

    assert mpl.rcParams["savefig.dpi"] == style.DPI * style.DENSITY


def test_total_and_female_colours():
    fig = charts.graphic(5, 2022)
    for ax in fig.axes:
        for c in ax.containers:
            colour = mcolors.to_hex(c.patches[0].get_facecolor())
            if c.get_label() == "Total":
                assert colour == style.TOTAL_COLOR.lower()
            if c.get_label() == "Females":
                assert colour == style.FEMALE_COLOR.lower()


def test_plotted_bars_are_the_data():
    fig = charts.graphic(4, 2022)
    bars = bars_by_label(fig)
    # panel 2021 then 2022: workplace, commuting, diseases
    assert bars["Total"] == [5719, 5684, 0, 7342, 7400, 0]
    assert bars["Females"] == [2968, 3329, 0, 3597, 4326, 0]


def test_horizontal_bars_are_the_data():
    fig = charts.graphic(1, 2022)
    bars = bars_by_label(fig)
    assert max(bars["Enterprises"]) == 1663
    assert max(bars["Total"]) == 137345


# --- pixels ------------------------------------------------------------------------------


@pytest.mark.parametrize(("number", "year"), CASES)
def test_image_matches_baseline(number, year, tmp_path):
    fig = charts.graphic(number, year)
    name = f"graphic_{number}_{year}.png"
    actual = tmp_path / name
    fig.savefig(actual, dpi=style.DPI * style.DENSITY, metadata={"Software": None})
    baseline = BASELINE / name
    if UPDATE or not baseline.exists():
        if not UPDATE:
            pytest.fail(f"no baseline {baseline}; run with NSSF_UPDATE_BASELINES=1")
        BASELINE.mkdir(exist_ok=True)
        baseline.write_bytes(actual.read_bytes())
        pytest.skip(f"baseline written: {baseline}")
    diff = compare_images(str(baseline), str(actual), tol=TOLERANCE)
    assert diff is None, diff


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
    assert charts.graphic(4, 2022).get_label() == charts.alt_text(4, 2022)
