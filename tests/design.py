"""The stable identifiers of the design notes (``../shared/DESIGN.md``), as tests expect them."""

#: The chapter notebooks, in book order.
CHAPTERS = [
    "00_overview",
    "01_occupational_risk",
    "02_health_care",
    "03_pension",
    "04_informal_sector",
    "05_institutional",
    "06_provinces",
    "07_analysis",
    "08_data_quality",
]
#: "Table 1" … "Table 71".
NUMBERED_TABLES = [f"t{n:02d}" for n in range(1, 72)]
#: The annex tables, in report order.
ANNEX_TABLES = [
    "a6_1_1",
    "a6_1_1_business",
    "a6_1_2",
    "a6_1_3",
    "a6_1_3_monthly",
    "a6_1_4",
    "a6_1_5",
    "a6_2_1",
    "a6_2_2",
    "a6_3_1",
    "a6_4_1",
    "a6_5_1",
    "a6_5_2",
]
#: The directories: health-care facilities, occupational-risk facilities, branch offices.
DIRECTORIES = ["a6_6_1", "a6_6_2", "a6_6_3"]
