"""Patterns for the identifiers that have a shape: dates, ages over 89, phone and fax numbers,
e-mail, record and account numbers, addresses and postcodes, URLs, IP addresses, facility names.

Each pattern is a regular expression; where the same digits can be a dose or an identifier,
a context word decides ("SSN", "MRN:", "Fax"). ``shift_date`` moves a found date by a number
of days in its own format, so the intervals between a patient's dates survive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str
    text: str


_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
)
_MONTH_NUMBER = {
    name: number
    for number, names in enumerate(
        [
            "january jan",
            "february feb",
            "march mar",
            "april apr",
            "may",
            "june jun",
            "july jul",
            "august aug",
            "september sep sept",
            "october oct",
            "november nov",
            "december dec",
        ],
        start=1,
    )  # fmt: skip
    for name in names.split()
}
_FOREIGN_MONTHS = (
    "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre|"
    "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|"
    "Januar|Februar|März|Maerz|Juni|Juli|Oktober|Dezember"
)
_ORDINAL_WORDS = (
    r"(?:(?:twenty|thirty)[\s-])?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
    r"thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth)"
)
_NUMBER_WORD = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    "seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred"
)
_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|rsday|urday)?\.?,?\s+"
_DAY = r"(?P<d>[12]\d|3[01]|0?[1-9])"
_YEAR = r"(?P<y>(?:19|20)\d{2})"

# (pattern, style); the style tells shift_date how to read and rewrite the date.
DATE_PATTERNS = [
    (re.compile(rf"\b{_YEAR}[-/.](?P<m>0?[1-9]|1[0-2])[-/.]{_DAY}\b"), "ymd"),  # 2023-04-17
    (re.compile(rf"\b(?P<m>0?[1-9]|1[0-2])(?P<sep>[/-]){_DAY}(?P=sep)(?P<y>(?:19|20)?\d{{2}})\b"), "mdy"),  # 4/17/23
    (re.compile(r"\b(?P<d>1[3-9]|2\d|3[01])(?P<sep>[/-])(?P<m>0?[1-9]|1[0-2])(?P=sep)(?P<y>(?:19|20)?\d{2})\b"), "dmy"),  # 17/08/1960
    (re.compile(rf"\b{_DAY}\.(?P<m>0?[1-9]|1[0-2])\.{_YEAR}\b"), "dmy"),  # 03.04.2021
    (re.compile(rf"(?i)\b(?:{_WEEKDAY})?(?P<mon>{_MONTHS})\.?\s+{_DAY}(?:st|nd|rd|th)?(?:,?\s+{_YEAR})?\b"), "monthname"),  # April 17, 2023
    (re.compile(rf"(?i)\b(?:{_WEEKDAY})?{_DAY}(?:st|nd|rd|th)?(?:\s+of)?[\s-]+(?P<mon>{_MONTHS})\.?(?:,?[\s-]+(?P<y>(?:19|20)?\d{{2}}))?\b"), "monthname"),  # 17 April 2023, 11-Oct-2022
    (re.compile(rf"(?i)\b(?P<mon>{_MONTHS})\.?,?\s+{_YEAR}\b"), "monthyear"),  # March 2024
    (re.compile(rf"(?i)\b{_WEEKDAY}(?P<d>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th|/(?P<m>0?[1-9]|1[0-2]))\b"), "weekday"),  # thurs 14th, Tues 12/03
    (re.compile(rf"\bQ[1-4]\s+{_YEAR}\b"), "quarter"),  # Q3 2024
    (re.compile(r"\b(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:[01]\d|2[0-3])?(?:[0-5]\d){0,2}\b"), "compact"),  # 20240312 (HL7, DICOM)
    (re.compile(rf"(?i)\b(?:{_MONTHS})\.?\s*['’]\d{{2}}\b"), "monthyear"),  # Dec '25
    (re.compile(r"(?<![\d.])(?:0[1-9]|[12]\d|3[01])\.(?:0[1-9]|1[0-2])\.(?![\d.])"), "daymonth"),  # 25.11.
    (re.compile(r"(?:(?:19|20)\d{2}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*[日号]"), "chinese"),  # 2024年3月12日
    (re.compile(rf"(?i)\b\d{{1,2}}\.?\s+(?:de\s+)?(?:{_FOREIGN_MONTHS})\b(?:\s+(?:de\s+)?(?:19|20)\d{{2}}\b)?"), "foreign"),  # 12 de marzo de 2024
    (re.compile(rf"(?i)\b(?:(?:{_MONTHS})\s+(?:the\s+)?{_ORDINAL_WORDS}|the\s+{_ORDINAL_WORDS}\s+of\s+(?:{_MONTHS}))"
                rf"(?:,?\s+(?:nineteen|twenty)(?:\s+(?:oh\s+)?(?:{_NUMBER_WORD}))+)?\b"), "spoken"),  # march third twenty twenty four
]  # fmt: skip

_PHONE_TAIL = r"(?:\s*(?:ext\.?|x)\s*\d{1,5})?"
_NUMBER_LIKE = r"\+?\(?\d[\d\s().-]{5,18}\d"
SIMPLE_PATTERNS = [
    ("EMAIL", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}\b")),
    ("URL", re.compile(r"\b(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:)]", re.I)),
    ("IP", re.compile(r"(?<!version )(?<!software )\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b(?!\.\d)")),
    ("SSN", re.compile(r"\b\d{3}[-\s]\d{2}[-\s]\d{4}\b")),
    ("SSN", re.compile(r"(?i)\b(?:SSN|social security(?: number| no\.?)?)\b[^\d\n]{0,30}(?P<v>\d{3}[-\s]?\d{2}[-\s]?\d{4})\b")),
    ("FAX", re.compile(rf"(?i)\bfax(?:\s*(?:no\.?|number|#))?\s*[:.]?\s*(?P<v>{_NUMBER_LIKE}){_PHONE_TAIL}")),
    ("PHONE", re.compile(rf"(?<![\w-])(?:\+?1[\s.-]?)?(?:\(\d{{3}}\)\s?|\d{{3}}[\s.-])\d{{3}}[\s.-]\d{{4}}\b{_PHONE_TAIL}")),
    ("PHONE", re.compile(rf"(?<![\w+])\+\d{{1,3}}(?:[\s.-]?\(?\d{{1,4}}\)?){{2,5}}{_PHONE_TAIL}")),  # +44 20 7946 0958
    ("PHONE", re.compile(r"\b0\d{3,4}\s?\d{3}\s?\d{3,4}\b")),  # 0113 496 0321, 07700 900461
    ("PHONE", re.compile(r"(?i)\b(?:on|at|call|phone[sd]?|rang|ring|tel\.?|mobile|cell|number)\s*:?\s*(?P<v>\d{3}[\s.-]\d{4})\b")),
    ("MRN", re.compile(
        r"(?i)\b(?:MRN|MR\s?#|medical record(?: number| no\.?)?|record #|chart #|patient id|hospital (?:no\.?|number)|"
        r"unit (?:no\.?|number)|NHS (?:no\.?|number)|ID)\s*[:.]?\s*(?P<v>#?[A-Z]{0,3}-?\d(?:[\d-]|\s(?=\d)){4,14}\d)\b"
    )),
    ("ACCOUNT", re.compile(
        r"(?i)\b(?:account|acct|acc\s?#|billing|insurance|member id|policy|medicare id|medicaid id|"
        r"booking ref(?:erence)?|accession)(?:\s*(?:number|no\.?|#))?\s*[:#]?\s*"
        r"(?P<v>[A-Z]{1,4}\s\d[\d-]*\d|(?=[A-Z0-9-]*\d)[A-Z0-9]+(?:-[A-Z0-9]+)*(?:\s\d[\d-]*\d)?)"
    )),
    ("ADDRESS", re.compile(
        r"(?:\b(?:Flat|Apt|Apartment|Unit)\s+\d+[A-Z]?,\s+)?(?<![\d-])\b\d{1,5}[ \t]+(?:[NSEW]\.?[ \t]+)?(?:[A-Z][a-z]+[ \t]+){1,3}"
        r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Circle|"
        r"Parkway|Grove|Close|Crescent|Gardens|Square|Row|Mews)\b\.?"
        r"(?:,?\s+(?:Apt|Suite|Unit|#)\.?\s*\w+)?"
        r"(?:,\s*(?:[A-Z][a-z]+\s?){1,3}(?:,\s*[A-Z]{2})?(?:\s+\d{5}(?:-\d{4})?)?)?"
    )),
    ("ADDRESS", re.compile(  # Prinsengracht 263, Amsterdam
        r"\b[A-Z][a-z]+(?:straat|gracht|weg|laan|plein|kade|strasse|straße|gasse|platz|gade|vej)\s+\d{1,4}[a-z]?\b"
        r"(?:,\s*[A-Z][a-z]+(?:\s+\d{4}\s?[A-Z]{2}\b)?)?"
    )),
    ("NAME", re.compile(r"(?<![\w^])[^\W\d_]{2,}(?:\^[^\W\d_]+){1,3}\^?(?![\w^])")),  # DOE^JANE^Q
    ("SSN", re.compile(
        r"(?i)(?:\b(?:NHS|PPSN?|DNI|NIE|BSN|PESEL|CURP|NIR|Aadhaar|SIN|Medicare|personnummer|CF|codice fiscale|"
        r"national (?:id|insurance)|passport|NI)\b|身份证号?码?)(?:\s*(?:no\.?|number|#))?\s*[:：#]?\s*"
        r"(?P<v>(?=[A-Z0-9 -]*\d)[A-Z0-9](?:[A-Z0-9-]|\s(?=[A-Z0-9]))+[A-Z0-9])"
    )),
    ("SSN", re.compile(r"(?<!\d)\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])\d{5}[\dXx](?!\d)")),  # Chinese resident ID
    ("ACCOUNT", re.compile(
        r"(?i)\b(?:NPI|DEA|licen[cs]e|serial|SN|S/N|device (?:id|serial)|plan(?: member)? id|health plan|"
        r"group (?:no|number)|claim)\b(?:\s*(?:no\.?|number|#))?\s*[:#]?\s*"
        r"(?P<v>(?=[A-Z0-9-]*\d)[A-Z0-9]+(?:-[A-Z0-9]+)*)"
    )),
    ("PHONE", re.compile(r"(?<![\d+])1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)")),  # Chinese mobile
    ("ZIP", re.compile(r"\b[A-Z]{2}\s+(?P<v>\d{5}(?:-\d{4})?)\b")),
    ("ZIP", re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})\b")),  # UK postcodes: LS6 2QT
    ("ZIP", re.compile(r"(?<=,\s)(?:[A-Z][a-z]+\s)?(?P<v>\d{4}\s?[A-Z]{2})\b")),  # Dutch: Amsterdam 1016 GV
    ("HOSPITAL", re.compile(
        r"\b(?:(?:St\.?|Saint) )?(?:[A-Z][\w']+ ){1,3}"
        r"(?:Hospital|Infirmary|Clinic|Practice|Surgery|Care Home|Nursing Home|Lodge|Laboratory|Laboratories|Dental|"
        r"Health Centre|Health Center|Medical Centre|Medical Center|Rehabilitation Unit|Pathology Services|Pharmacy|"
        r"Hospice|Associates|Partners|Home Care|Aged Care|Assisted Living|Institute|Centre|Center|Services?|"
        r"Family Medicine|Internal Medicine|Imaging|Behavioral Health|Mental Health|Care|Group|Team|Unit)\b"
        r"(?!\s*(?:no\b|number))"
    )),
    ("HOSPITAL", re.compile(r"\b(?:St\.?|Saint)\s+[A-Z][a-z]+'s\b")),  # Saint Luke's
]  # fmt: skip

# A city after a street line ("17 Quarry Lane, Wexford") is found with the street's pattern above.
_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
AGE = re.compile(
    r"(?i)\b(?P<v>\d{2,3})(?:\s*-?\s*(?:year|yr)s?\s*-?\s*old|\s*y/?o\b|\s*y\.o\.|\s*yo\b|\s?[MF]\b)"
    r"|\b(?:age|aged)\s*:?\s*(?P<v2>\d{2,3})\b"
    r"|\b(?P<w>(?:ninety|one hundred(?: and)?)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?)"
    r"(?=\s*(?:-?\s*years?[- ]old|yo\b|y\.o\.))"
    r"|(?<=aged )(?P<w2>(?:ninety|one hundred(?: and)?)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?)"
)


def age_value(match: re.Match) -> tuple[int, str]:
    """The age a match of ``AGE`` states, and the group that holds it."""
    for group in ("v", "v2"):
        if match.group(group):
            return int(match.group(group)), group
    group = "w" if match.group("w") else "w2"
    words = match.group(group).lower().replace("-", " ").split()
    value = 100 if words[0] == "one" else 90
    value += (
        _NUMBER_WORDS.get(words[-1], 0) if words[-1] not in ("ninety", "hundred") else 0
    )
    return value, group


def date_spans(text: str) -> list[tuple[int, int, re.Match, str]]:
    """(start, end, match, style) of every date-like stretch of ``text``."""
    return [
        (m.start(), m.end(), m, style)
        for pattern, style in DATE_PATTERNS
        for m in pattern.finditer(text)
    ]


def shift_date(match: re.Match, style: str, days: int) -> str | None:
    """The date of ``match`` moved by ``days``, written in its own format; None when it cannot be."""
    try:
        if style == "monthname":
            month = _MONTH_NUMBER[match.group("mon").lower().rstrip(".")]
        elif style in ("ymd", "mdy", "dmy"):
            month = int(match.group("m"))
        else:
            return None  # weekdays, quarters, month-year: replaced by a tag instead
        day = int(match.group("d"))
        year_text = match.group("y")
        year = (
            int(year_text) if year_text else 2000
        )  # a year is needed to shift; it is not printed
        if year_text and len(year_text) == 2:
            year += 2000 if year < 50 else 1900
        shifted = date(year, month, day) + timedelta(days=days)
    except (ValueError, KeyError):
        return None  # not a real calendar date: it will be replaced by a tag instead
    if style == "ymd":
        return shifted.isoformat()
    if style == "mdy":
        return f"{shifted.month:02d}/{shifted.day:02d}/{shifted.year}"
    if style == "dmy":
        return f"{shifted.day:02d}/{shifted.month:02d}/{shifted.year}"
    name = shifted.strftime("%B")
    return (
        f"{name} {shifted.day}, {shifted.year}"
        if year_text
        else f"{name} {shifted.day}"
    )
