"""The annex tables (6.1.1 … 6.5.2): how each is found, read and laid out.

:data:`ANNEX_TABLES` gives the heading that opens each annex table (its label, title and
section); the capitals/provinces its rows list are :data:`PROVINCES`.

Its tables' entries of ``TIDY``, ``ROWS`` and ``HEADERS`` are below the headings.
"""

from __future__ import annotations

from nssf_analysis.data.specs.families import variant
from nssf_analysis.data.specs.vocabulary import MONTH_NAMES

__all__ = ["ANNEX_TABLES", "HEADERS", "PROVINCES", "PROVINCES_AND_KHANS", "RENAMED", "ROWS", "TIDY"]

#: Annex tables: the regex of the heading that opens each, its label, title and section.
ANNEX_TABLES = {
    "a6_1_1": {
        "heading": r"6\.1\.1\. Update of Enterprises/Establishments and Workers",
        "label": "Annex 6.1.1",
        "title": "Update of Enterprises/Establishments and Workers (occupational risk, private "
        "sector) by capital/province",
        "section": "6.1.1",
    },
    "a6_1_1_business": {
        "heading": r"Update of Registered Enterprises/Establishments and Workers by Types of "
        r"Businesses",
        "label": "Annex 6.1.1 (business codes)",
        "title": "Update of Registered Enterprises/Establishments and Workers by Types of "
        "Businesses",
        "section": "6.1.1",
    },
    "a6_1_2": {
        "heading": r"6\.1\.2\. Update of Garment and Footwear Enterprises",
        "label": "Annex 6.1.2",
        "title": "Update of Garment and Footwear Enterprises by capital/province",
        "section": "6.1.2",
    },
    "a6_1_3": {
        "heading": r"6\.1\.3\. Update of Newly Registered",
        "label": "Annex 6.1.3",
        "title": "Update of Newly Registered Enterprises/Establishments and Workers by "
        "capital/province",
        "section": "6.1.3",
    },
    "a6_1_3_monthly": {
        "heading": r"Number of Newly Registered Enterprises/Establishments by Months",
        "label": "Annex 6.1.3 (months)",
        "title": "Number of Newly Registered Enterprises/Establishments by Months and the "
        "Capital/Provinces",
        "section": "6.1.3",
    },
    "a6_1_4": {
        "heading": r"6\.1\.4\. Occupational Risk Reports",
        "label": "Annex 6.1.4",
        "title": "Occupational Risk Reports (private sector) by capital/province/khan",
        "section": "6.1.4",
    },
    "a6_1_5": {
        "heading": r"6\.1\.5\. Investigation Results",
        "label": "Annex 6.1.5",
        "title": "Investigation Results (private sector) by capital/province/khan",
        "section": "6.1.5",
    },
    "a6_2_1": {
        "heading": r"6\.2\.1\. Occupational Risk Reports",
        "label": "Annex 6.2.1",
        "title": "Occupational Risk Reports (public sector) by capital/province/khan",
        "section": "6.2.1",
    },
    "a6_2_2": {
        "heading": r"6\.2\.2\. Investigation Results",
        "label": "Annex 6.2.2",
        "title": "Investigation Results (public sector) by capital/province/khan",
        "section": "6.2.2",
    },
    "a6_3_1": {
        "heading": r"6\.3\.1\. Update of Enterprises/Establishments and Workers",
        "label": "Annex 6.3.1",
        "title": "Update of Enterprises/Establishments and Workers (health care scheme) by "
        "capital/province",
        "section": "6.3.1",
    },
    "a6_4_1": {
        "heading": r"6\.4\.1\. Update of Enterprises/Establishments and Workers",
        "label": "Annex 6.4.1",
        "title": "Update of Enterprises/Establishments and Workers (pension scheme) by "
        "capital/province",
        "section": "6.4.1",
    },
    "a6_5_1": {
        "heading": r"6\.5\.1\. Update of Registered Enterprises/Establishments and Workers",
        "label": "Annex 6.5.1",
        "title": "Update of Registered Enterprises/Establishments and Workers (informal sector) "
        "by capital/province",
        "section": "6.5.1",
    },
    "a6_5_2": {
        "heading": r"6\.5\.2\. Additional Allowances to Female Workers at Childbirth",
        "label": "Annex 6.5.2",
        "title": "Additional Allowances to Female Workers at Childbirth by capital/province",
        "section": "6.5.2",
    },
}

_PROVINCES = {
    "family": "provinces",
    "rows": ["no", "province"],
    "levels": ["year", "measure"],
    "year": "report",
    "totals": {"province": "Total"},
}
_PROVINCE_SEX = variant(
    _PROVINCES,
    levels=["measure", "sex"],
    labels={
        "Number of Enterprises": {"measure": "enterprises"},
        "Number of Workers": {"measure": "workers"},
    },
)
_INVESTIGATIONS = variant(
    _PROVINCES,
    levels=["measure", "status"],
    labels={"New": {"status": "new"}, "Old": {"status": "old"}},
    level_labels={1: {"Total": {"status": "total"}}},
    totals={"province": "Total", "status": "total"},
)

#: Capitals/provinces in the order of the annex tables, and their total row.
PROVINCES = (
    "Banteay Meanchey",
    "Battambang",
    "Kampong Cham",
    "Kampong Chhnang",
    "Kampong Speu",
    "Kampong Thom",
    "Kampot",
    "Kandal",
    "Koh Kong",
    "Kratie",
    "Mondul Kiri",
    "Phnom Penh",
    "Preah Vihear",
    "Prey Veng",
    "Pursat",
    "Ratanak Kiri",
    "Siem Reap",
    "Preah Sihanouk",
    "Stung Treng",
    "Svay Rieng",
    "Takeo",
    "Otdar Meanchey",
    "Kep",
    "Pailin",
    "Tboung Khmum",
    "Total",
)
#: The same, with the five Phnom Penh khans the occupational-risk annexes list apart.
PROVINCES_AND_KHANS = PROVINCES[:-1] + (
    "Dangkao",
    "Mean Chey",
    "Russy Keo",
    "Pur Senchey",
    "Chrouy Changvar",
    "Total",
)


#: Tidy specifications (see :mod:`nssf_analysis.data.specs`).
TIDY = {
    "a6_1_1": _PROVINCES,
    "a6_1_1_business": variant(
        _PROVINCE_SEX,
        family="business_codes",
        rows=["no", "business_code", "business"],
        totals={"business": "Total"},
    ),
    "a6_1_2": _PROVINCE_SEX,
    "a6_1_3": variant(_PROVINCES, defaults={"measure_prefix": "new_"}),
    "a6_1_3_monthly": {
        "family": "provinces",
        "rows": ["no", "province"],
        "levels": ["month"],
        "year": "report",
        "defaults": {"measure": "new_enterprises"},
        "labels": {"Total": {"month": "total"}},
        "totals": {"province": "Total", "month": "total"},
    },
    "a6_1_4": variant(
        _PROVINCE_SEX,
        labels={"Occupational Risk Reports": {"measure": "occupational_risk_reports"}},
    ),
    "a6_1_5": variant(
        _INVESTIGATIONS,
        labels={
            "Investigation Results": {"measure": "investigation_results"},
            "New": {"status": "new"},
            "Old": {"status": "old"},
        },
    ),
    "a6_2_1": "a6_1_4",
    "a6_2_2": "a6_1_5",
    "a6_3_1": _PROVINCES,
    "a6_4_1": _PROVINCES,
    "a6_5_1": _PROVINCES,
    "a6_5_2": {
        "family": "provinces",
        "rows": ["no", "province"],
        "levels": ["sector", "measure"],
        "year": "report",
        "labels": {
            "Number of Mothers": {"measure": "mothers", "sector": "all"},
            "Number of Children": {"measure": "children", "sector": "all"},
            "Formal Sector": {"sector": "formal"},
            "Informal Sector": {"sector": "informal"},
            "Allowance in One Child (Riels)": {"measure": "allowance_per_child", "unit": "riels"},
            "Total Amount (Million Riels)": {"measure": "total_amount", "unit": "million riels"},
        },
        "non_additive": ["allowance_per_child"],
        "totals": {"province": "Total", "sector": ("all", ["formal", "informal"])},
    },
}


#: Body-row labels of the tables whose rows are not the year rows.
ROWS = {
    "a6_1_1": PROVINCES,
    "a6_1_1_business": (
        "Raising of Animals and Growing of Crops",
        "Crude Petroleum and Natural Gas Extracting Industry",
        "Mining Discovery Activities",
        "Manufacture of Canned Fruits and Vegetables",
        "Manufacture of Forage",
        "Sugar Manufacturing Factory",
        "Manufacture of Food",
        "Manufacture of Other Food Products",
        "Manufacture of Beer",
        "Manufacture of Beverage",
        "Manufacture of Tobacco-Derived Products",
        "Weaving",
        "Garment",
        "Manufacture of Other Garment Products",
        "1912 / Manufacture of Bag",
        "1920 / Manufacture of Shoe",
        "2029 / Manufacture of Wooden and Styrofoam Products",
        "Manufacture of Paper",
        "Paper Products",
        "Printing",
        "Manufacture of Refined Petroleum Products",
        "Manufacture of Medicine",
        "Manufacture of Chemical and Toxic Products",
        "Manufacture of Rubber Products",
        "Manufacture of Plastic",
        "Manufacture of Glass and Glass Products",
        "Productions of Cement, Concrete, and Skim Coat",
        "Cutting and Carving of Stones and Brick Kilns",
        "Manufacture of Steel and Zinc",
        "Electricity Generation",
        "Manufacture of Cable",
        "Manufacture of Electronic Equipments",
        "Manufacture of Pharmaceutical Equipments",
        "Manufacture of Car",
        "Motorcycle Manufacturing Factory",
        "Bicycle Manufacturing Factory",
        "Jewelry",
        "Manufacture of Games and Toys",
        "Other Product Manufacturing Factories",
        "Manufacture of Gas and Distribution of Gas",
        "Construction",
        "Digital Sale",
        "Car Sale",
        "Sale, Maintenance, and Repair of Motorcycle",
        "Fuel Sale",
        "Sale of Food, Beverage, and Tobacco",
        "Sale of Household Goods",
        "Fire Extinguisher Sales",
        "Sales and Supply of Electrical Equipments",
        "Wholesale of Other Goods",
        "Sale of Food, Beverage and Tobacco",
        "Sale of Pharmaceuticals, Pharmaceutical Equipment, Cosmetics and Cosmetic Material",
        "Sale of Textile, Garment, Shoe, and Leather Products",
        "Mall",
        "Repair of Car",
        "Repair of Household Materials, Appliances, and Electrical Equipment",
        "Hotel",
        "Restaurant",
        "Rail Transportation",
        "Water and Marine Transportation",
        "Airport",
        "Tourism Activities",
        "Delivery Agency",
        "Telecommunication",
        "Bank",
        "Life Insurance",
        "Non-Life Insurance",
        "Stock Market Activities (Securities)",
        "Sale, Purchase, and Lease of Real Estate",
        "Supplies and Consultation of Computer Software",
        "Legal Activities",
        "Auditing Activities",
        "Market Research Activities",
        "Business Activities",
        "Architecture, Engineering, and Technical Consultation",
        "Advertisement",
        "Migrant Recruitment",
        "Security",
        "Photographic Activities",
        "Packaging Activities",
        "Other Business Activities",
        "General Public Services Activities (District Hall)",
        "Social Security",
        "Primary School",
        "High School",
        "Technical and Vocational Training Center",
        "University",
        "Hospital",
        "Dental Clinic",
        "Cleaning",
        "Business Association",
        "Religious and Organizational Activities",
        "Radio and Television",
        "Other Entertainment Activities",
        "Activities of News Agent",
        "Museum and Maintenance Activities of Building and Historical Site",
        "Sport Activities",
        "Other Gambling Activities",
        "Sale of Lottery",
        "Laundry",
        "Port Activities",
        "Other Services",
        "Domestic Workers",
        "Non-Government Organizations",
        "Total",
    ),
    "a6_1_2": "a6_1_1",
    "a6_1_3": "a6_1_1",
    "a6_1_3_monthly": "a6_1_1",
    "a6_1_4": PROVINCES_AND_KHANS,
    "a6_1_5": "a6_1_4",
    "a6_2_1": "a6_1_4",
    "a6_2_2": "a6_1_4",
    "a6_3_1": "a6_1_1",
    "a6_4_1": "a6_1_1",
    "a6_5_1": "a6_1_1",
    "a6_5_2": (
        "Abroad",
        "Phnom Penh",
        "Kandal",
        "Kampong Speu",
        "Kampong Chhnang",
        "Prey Veng",
        "Kampong Cham",
        "Kratie",
        "Stung Treng",
        "Svay Rieng",
        "Takeo",
        "Kampot",
        "Kep",
        "Preah Sihanouk",
        "Koh Kong",
        "Kampong Thom",
        "Pursat",
        "Battambang",
        "Siem Reap",
        "Banteay Meanchey",
        "Otdar Meanchey",
        "Pailin",
        "Preah Vihear",
        "Mondul Kiri",
        "Ratanak Kiri",
        "Tboung Khmum",
        "Total",
    ),
}


#: Header labels, as printed (a string names a table printed alike).
HEADERS = {
    "a6_1_1": ("No.", "Capital/Provinces", "{report}", "Enterprises", "Workers", "Females"),
    "a6_1_1_business": (
        "No.",
        "Business Code",
        "Types of Businesses",
        "Numbers of Enterprises",
        "Number of Workers",
        "Total",
        "Females",
    ),
    "a6_1_2": (
        "No.",
        "Capital/Provinces",
        "Number of Enterprises",
        "Number of Workers",
        "Total",
        "Females",
    ),
    "a6_1_3": "a6_1_1",
    "a6_1_3_monthly": ("No.", "Capital/Provinces", *MONTH_NAMES, "Total"),
    "a6_1_4": ("No.", "Capital/Provinces", "Occupational Risk Reports", "Total", "Females"),
    "a6_1_5": ("No.", "Capital/Provinces/Khan", "Investigation Results", "New", "Old", "Total"),
    "a6_2_1": ("No.", "Capital/Provinces/Khan", "Occupational Risk Reports", "Total", "Females"),
    "a6_2_2": "a6_1_5",
    "a6_3_1": "a6_1_1",
    "a6_4_1": "a6_1_1",
    "a6_5_1": "a6_1_1",
    "a6_5_2": (
        "No.",
        "Capital/Provinces",
        "Number of Mothers",
        "Number of Children",
        "Formal Sector",
        "Informal Sector",
        "Allowance in One Child (Riels)",
        "Total Amount (Million Riels)",
        "Mothers",
        "Children",
        "Twins",
        "Triplets",
    ),
}


#: Labels an edition prints in place of the ones before it, by table and by the first
#: edition that prints them, e.g. ``{"t13": {2023: {"Funerary Grants": "Funeral Grants"}}}``
#: (see :func:`nssf_analysis.data.specs.renamed`).
RENAMED: dict = {}
