"""Identifiers as people write them, for the SYNTHETIC training notes of ``faker_notes``: names of 30
countries in their usual forms ("Nowak, Piotr", "NOWAK^PIOTR", "P. Nowak", "王伟"), dates in two dozen
formats (and in words, as dictated), ages over 89, phone numbers, e-mail, record, national and account
numbers, addresses, hospitals, URLs and IP addresses. Each method returns [(text, kind)] pieces; the
kind is None for the words around an identifier ("Mrs" before a surname).
"""

from __future__ import annotations

import re

LOCALES = (
    "en_US", "en_GB", "en_IE", "en_AU", "en_CA", "en_IN", "en_NG", "en_PH", "de_DE", "fr_FR", "es_ES", "es_MX",
    "it_IT", "nl_NL", "pl_PL", "pt_BR", "sv_SE", "fi_FI", "da_DK", "tr_TR", "cs_CZ", "hu_HU", "ro_RO", "el_GR",
    "ga_IE", "zh_CN", "ja_JP", "ko_KR", "vi_VN", "hi_IN",
)  # fmt: skip
_KOREAN_FAMILY = "Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Shin".split()
_KOREAN_GIVEN = "Min-jun Seo-yeon Ji-ho Ha-eun Do-yun Ji-woo Seo-jun Su-bin Ye-jin Hyun-woo".split()
# First names that are also English words, which a de-identifier must read from context.
WORD_NAMES = "Will Hope Dawn Rose Faith Grace Joy May June Mark Bill Frank Amber Iris Ivy Summer Hunter Miles Pat Sunny Destiny Chase Grant Rich".split()  # fmt: skip
_MONTHS = "january february march april may june july august september october november december".split()
_ORDINAL = "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split()  # fmt: skip
_DIGIT_WORDS = "zero one two three four five six seven eight nine".split()
_TENS = {9: "ninety", 10: "one hundred"}
_ID_LABELS = {
    "en_US": ("SSN", "{a3}-{a2}-{a4}"), "en_GB": ("NHS No", "{a3} {a3} {a4}"), "en_IE": ("PPSN", "{a7}{L}"),
    "en_CA": ("SIN", "{a3} {a3} {a3}"), "en_AU": ("Medicare No", "{a4} {a5} {a1}"), "en_IN": ("Aadhaar", "{a4} {a4} {a4}"),
    "es_ES": ("DNI", "{a8}{L}"), "es_MX": ("CURP", "{L}{L}{L}{L}{a6}{L}{L}{L}{L}{L}{L}{a2}"), "fr_FR": ("NIR", "{a1} {a2} {a2} {a2} {a3} {a3} {a2}"),
    "nl_NL": ("BSN", "{a9}"), "zh_CN": ("身份证号", "{a17}{X}"), "de_DE": ("Versichertennummer", "{L}{a9}"),
    "it_IT": ("CF", "{L}{L}{L}{L}{L}{L}{a2}{L}{a2}{L}{a3}{L}"), "pl_PL": ("PESEL", "{a11}"), "sv_SE": ("personnummer", "{a8}-{a4}"),
}  # fmt: skip


class FieldWriter:
    """The identifier slots of a note layout; the note writer supplies ``rng``, ``fakers``, ``flags``,
    ``locale``, the patient's names and ``pick``/``chance``."""

    # --- people -------------------------------------------------------------------------------
    def person(self, locale: str) -> tuple[str, str, str]:
        fake = self.fakers[locale]
        first, last = fake.first_name(), fake.last_name()
        native = f"{last}{first}" if locale in ("zh_CN", "ja_JP", "ko_KR") else f"{first} {last}"
        if locale in ("zh_CN", "ja_JP"):  # English text carries these names romanised
            last, first = fake.romanized_name().split()[:2]
        elif locale == "ko_KR":
            first, last = self.pick(_KOREAN_GIVEN), self.pick(_KOREAN_FAMILY)
        elif locale in ("el_GR", "hi_IN"):
            first, last = self.fakers["en_IN" if locale == "hi_IN" else "en_US"].first_name(), self.fakers["en_IN"].last_name()
        if self.chance(0.12):
            first = self.pick(WORD_NAMES)
        return first, last, native

    def name(self, first: str, last: str) -> list[tuple[str, str | None]]:
        if "caret" in self.flags:
            middle = f"^{self.pick('ABCDEFGHJKLMNPRSTW')}" if self.chance(0.3) else ""
            return [(f"{last.upper()}^{first.upper()}{middle}", "NAME")]
        form = self.pick(("First Last",) * 5 + ("Last, First", "LAST, First", "F. Last", "First M. Last", "LAST First"))
        written = {
            "First Last": f"{first} {last}", "Last, First": f"{last}, {first}", "LAST, First": f"{last.upper()}, {first}",
            "F. Last": f"{first[0]}. {last}", "First M. Last": f"{first} {self.pick('ABCDEJKLMRST')}. {last}",
            "LAST First": f"{last.upper()} {first}",
        }[form]  # fmt: skip
        return [(written, "NAME")]

    def slot_patient(self):
        if self.locale in ("zh_CN", "ja_JP", "ko_KR") and self.chance(0.3):
            return [(self.native, "NAME")]  # written in its own script
        return self.name(self.first, self.last)

    def slot_patient_last(self):
        return [(self.last.upper() if "caret" in self.flags else self.last, "NAME")]

    def slot_patient_first(self):
        return [(self.first, "NAME")]

    def slot_patient_native(self):
        return [(self.native, "NAME")]

    def slot_patient_title(self):
        if self.chance(0.25):
            return [(self.pick(("the patient", "she" if self.female else "he")), None)]
        title = self.pick(("Mrs", "Ms", "Mrs.", "Ms.")) if self.female else self.pick(("Mr", "Mr."))
        return [(f"{title} ", None), (self.last, "NAME")]

    def other(self) -> tuple[str, str]:
        first, last, _ = self.person(self.pick(LOCALES))
        return first, last

    def slot_clinician(self):
        first, last = self.other()
        return self.name(first, last) if self.chance(0.85) else [(last, "NAME")]

    def slot_clinician_last(self):
        return [(self.other()[1], "NAME")]

    def slot_clinician_first(self):
        return [(self.other()[0], "NAME")]

    def slot_relative(self):
        first, last = self.other() if self.chance(0.4) else (self.other()[0], self.last)
        return self.name(first, last) if self.chance(0.6) else [(first, "NAME")]

    def slot_relative_rel(self):
        return [(self.pick("wife husband daughter son mother father partner sister brother niece carer".split()), None)]

    def slot_clinician_role(self):
        return [(self.pick(("Consultant Cardiologist", "Specialty Registrar", "Nurse Practitioner",
                            "General Practitioner", "Clinical Nurse Specialist")), None)]  # fmt: skip

    # --- dates and ages --------------------------------------------------------------------------
    def a_date(self, first_year: int, last_year: int) -> list[tuple[str, str | None]]:
        y, m, d = int(self.rng.integers(first_year, last_year + 1)), int(self.rng.integers(1, 13)), int(self.rng.integers(1, 29))
        if "caret" in self.flags:
            return [(f"{y}{m:02d}{d:02d}" + (f"{int(self.rng.integers(0, 24)):02d}{int(self.rng.integers(0, 60)):02d}" if self.chance(0.2) else ""), "DATE")]
        month = _MONTHS[m - 1]
        if "spoken" in self.flags:
            year = f"{self.spoken_number(y // 100)} {self.spoken_number(y % 100)}" if y % 100 else f"{self.spoken_number(y // 100)} hundred"
            return [(self.pick((f"{month} {_ORDINAL[min(d, 20) - 1]} {year}", f"the {_ORDINAL[min(d, 20) - 1]} of {month}",
                                f"{self.spoken_number(m)} {self.spoken_number(d)} {self.spoken_number(y % 100)}")), "DATE")]  # fmt: skip
        mon = month[:3].title()
        forms = (
            f"{y}-{m:02d}-{d:02d}", f"{m:02d}/{d:02d}/{y}", f"{m}/{d}/{y % 100:02d}", f"{d:02d}/{m:02d}/{y}", f"{d}.{m}.{y}",
            f"{d:02d}.{m:02d}.", f"{y}{m:02d}{d:02d}", f"{mon} '{y % 100:02d}", f"{d} {mon} {y}", f"{month.title()} {d}, {y}",
            f"{d}{self.suffix(d)} {month.title()}", f"the {d}{self.suffix(d)}", f"{d:02d}-{mon.upper()}-{y}", f"{y}/{m:02d}/{d:02d}",
            f"{month.title()} {y}", f"{y}年{m}月{d}日", f"{d} de {month} de {y}", f"{d}. {month.title()} {y}", f"{mon} {d}",
            # Month and day without a year, as follow-ups and events within a stay are written: the
            # commonest kind of date the tagger trained without them left in set E's notes.
            f"{m}/{d}", f"{m:02d}/{d:02d}", f"{d}/{m}", f"{month.title()} {d}{self.suffix(d)}",
        )  # fmt: skip
        return [(self.pick(forms), "DATE")]

    @staticmethod
    def suffix(d: int) -> str:
        return "th" if 10 < d < 14 else {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th")

    def spoken_number(self, value: int) -> str:
        small = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
        tens = "- - twenty thirty forty fifty sixty seventy eighty ninety".split()
        if value < 20:
            return small[value] if value >= 10 or not self.chance(0.3) else f"oh {small[value]}"
        word = tens[value // 10]
        return word if value % 10 == 0 else f"{word} {small[value % 10]}"

    def slot_date(self):
        return self.a_date(2015, 2026)

    def slot_dob(self):
        return self.a_date(1925, 2012)

    def slot_age90(self):
        age = int(self.rng.integers(90, 107))
        if "spoken" in self.flags or self.chance(0.2):
            written = _TENS[age // 10] + ("" if age % 10 == 0 else ("-" if age < 100 else " and ") + _DIGIT_WORDS[age % 10])
            return [(written, "AGE")]
        return [(str(age), "AGE")]

    def slot_age(self):
        return [(str(int(self.rng.integers(18, 90))), None)]

    # --- contacts, numbers, places -----------------------------------------------------------------
    def digits(self, count: int) -> str:
        return "".join(str(int(x)) for x in self.rng.integers(0, 10, count))

    def slot_phone(self):
        if "spoken" in self.flags:
            number = self.digits(10)
            return [(" ".join(_DIGIT_WORDS[int(c)] for c in number), "PHONE")]
        fake = self.fakers[self.pick((self.locale, "en_US", "en_GB"))]
        fake = fake if hasattr(fake, "phone_number") else self.fakers["en_US"]
        number = fake.phone_number() if self.chance(0.8) else f"+86 1{self.digits(2)} {self.digits(4)} {self.digits(4)}"
        return [(number.replace("\n", " "), "PHONE")]

    def slot_fax(self):
        return [(kind_text, "FAX") for kind_text, _ in self.slot_phone()]

    def slot_email(self):
        first, last = (self.first, self.last) if self.chance(0.5) else self.other()
        local = re.sub(r"[^a-z.]", "", f"{first}.{last}".lower()) or "patient"
        return [(f"{local}{self.digits(int(self.rng.integers(0, 3)))}@{self.fakers['en_US'].free_email_domain()}", "EMAIL")]

    def slot_mrn(self):
        forms = (self.digits(8), f"{self.digits(2)}-{self.digits(3)}-{self.digits(4)}", f"A{self.digits(7)}",
                 f"UR{self.digits(6)}", f"K{self.digits(7)}", f"MRN-{self.digits(7)}", self.digits(10))  # fmt: skip
        return [(self.pick(forms), "MRN")]

    def id_parts(self) -> tuple[str, str]:
        label, shape = _ID_LABELS.get(self.locale, _ID_LABELS["en_US"])
        value = re.sub(r"\{a(\d+)\}", lambda m: self.digits(int(m.group(1))), shape)
        value = re.sub(r"\{L\}", lambda m: self.pick("ABCDEFGHJKLMNPRSTVWXYZ"), value)
        return label, value.replace("{X}", self.pick("0123456789X"))

    def slot_nationalid_label(self):
        return [(self.id_parts()[0], None)]

    def slot_nationalid(self):
        return [(self.id_parts()[1], "SSN")]

    def slot_account(self):
        forms = (f"RAD-{self.digits(8)}", f"{self.pick('XWQ')}{self.pick('JKH')}{self.pick('HMB')}{self.digits(9)}",
                 f"POL-{self.digits(4)}-{self.digits(5)}", f"SN {self.digits(1)}X{self.digits(1)}-{self.digits(5)}-B",
                 f"MD-{self.digits(5)}", self.digits(10), f"S{self.digits(2)}-{self.digits(5)}")  # fmt: skip
        return [(self.pick(forms), "ACCOUNT")]

    def slot_address(self):
        fake = self.fakers[self.locale]
        address = fake.address()
        joined = address.replace("\n", "^" if "caret" in self.flags else ", ")
        return [(joined, "ADDRESS")]

    def slot_zip(self):
        return [(self.fakers[self.locale].postcode(), "ZIP")]

    def slot_hospital(self):
        fake = self.fakers[self.pick((self.locale, "en_US", "en_GB"))]
        first, last = self.other()
        city, company = fake.city(), self.fakers["en_US"].company()
        kind = self.pick(("Family Medicine", "Pharmacy", "Home Care", "Hospice", "Community Nursing Team", "Imaging Center",
                          "Behavioral Health", "Dental Care", "Rehab Partners", "Aged Care", "Cancer Institute", "Heart Centre",
                          "Diagnostic Laboratories", "Genetics Service", "Maternity Unit", "Pediatric Associates", "Surgery Center"))  # fmt: skip
        forms = (f"{city} General Hospital", f"St {first}'s Hospital", f"{last} Memorial Medical Center",
                 f"{city} Royal Infirmary", f"Hôpital {last}", f"Klinikum {city}", f"Hospital Universitario {city}",
                 f"{last} Family Practice", f"{city} Health Centre", f"{city} {kind}", f"{last} {kind}",
                 f"{last} & {self.other()[1]} Associates", company, f"Cabinet médical {last}", f"{self.fakers['zh_CN'].city()}人民医院")  # fmt: skip
        return [(self.pick(forms), "HOSPITAL")]

    def slot_url(self):
        return [(f"https://{self.fakers['en_US'].domain_name()}/patient/{self.digits(6)}", "URL")]

    def slot_ip(self):
        return [(self.fakers["en_US"].ipv4(), "IP")]
