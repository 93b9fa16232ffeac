"""Find person names in clinical text from their context: titles, field labels, relations, roles.

Names are found after a cue ("Dr.", "Patient:", "wife", "Carer", "bed 12:") or before one
(", MD", " RN", " (husband)", an e-mail address in angle brackets, ", 34,"). From the cue the
finder reads name-like words on the same line: capitalised words in any alphabet (Ólafsdóttir,
Wiśniewski), surname particles (van der, de la, ter), O'/D'/Mc/Mac forms, hyphenated names,
initials ("R."), and "Last, First" after a field label. Text written in lower case (text
messages, handovers) is read in lower case after lower-case cues, one name word at a time.
"""

from __future__ import annotations

import re

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

# One word: letters of any alphabet, with inner apostrophes or hyphens (O'Brien, Pryce-Jones), or an initial.
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*(?:-[^\W\d_]+)*\.?")
PARTICLES = {"van", "der", "den", "de", "la", "los", "las", "del", "da", "di", "ter", "ten", "von", "le", "du", "st.", "st", "saint", "bin", "al"}  # fmt: skip
TITLES = r"dr|mr|mrs|ms|miss|prof|mx"
# Capitalised words that follow cues without being names.
NOT_NAMES = {
    "the", "this", "he", "she", "they", "his", "her", "is", "was", "has", "had", "denies", "reports", "states",
    "presents", "complains", "notes", "patient", "unknown", "not", "no", "none", "thank", "thanks", "your", "you",
    "i", "we", "please", "re", "dear", "kind", "best", "yours", "regards", "sincerely", "md", "rn", "gp", "ward",
    "department", "clinic", "hospital", "emergency", "medicine", "consultant", "nurse", "practitioner", "specialist",
    "dr", "mr", "mrs", "ms", "miss", "prof", "sex", "age", "dob", "mrn", "id", "date", "to", "from", "and", "or",
    "pt", "s", "o", "a", "p", "name",
} | {m.lower() for m in "January February March April May June July August September October November December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()}  # fmt: skip
# Clinical services and specialties: "seen by Cardiology", "General Surgery", "Fracture Clinic" are not people
# or places. A capitalised phrase made only of these words (and a facility word) is kept.
SERVICES = set("""
cardiology cardiac cardiothoracic oncology haematology hematology nephrology renal neurology neurosurgery
gastroenterology hepatology endocrinology diabetes respiratory pulmonology thoracic rheumatology dermatology
urology gynaecology gynecology obstetrics maternity midwifery paediatrics pediatrics neonatal neonatology
geriatrics geriatric psychiatry psychology orthopaedics orthopedics trauma fracture plastic plastics vascular
general colorectal breast upper lower gi ent ophthalmology eye dental maxillofacial audiology radiology imaging
pathology histopathology microbiology virology immunology allergy infectious diseases palliative pain
anaesthetics anesthesia anaesthesia intensive critical care acute emergency urgent medicine medical surgical
surgery outpatient outpatients inpatient day ambulatory memory falls stroke heart failure sleep continence
wound tissue viability physiotherapy occupational therapy speech language dietetics nutrition pharmacy social
work rehabilitation rehab community district nursing mental health sexual genitourinary transplant hepatobiliary
endoscopy interventional nuclear fertility antenatal postnatal clinic unit department service team ward theatre
theatres laboratory lab mdt multidisciplinary the high dependency coronary patient transport crisis special
observation assessment admissions discharge lounge clinical decision liver spinal burns major minor injuries
recovery procedures cath catheter dialysis haemodialysis hemodialysis infusion chemotherapy case bay step-down
""".split())
# Nouns that turn a name before them into an eponym: "Murphy's sign", "Sister Mary Joseph nodule".
EPONYM_NOUNS = set("""
sign signs syndrome disease test tests nodule nodes node score scale criteria classification class stage grade
procedure operation repair manoeuvre maneuver maneuvre reflex triad tear fracture catheter tube line shunt
position method technique formula rule rules palsy phenomenon lymphoma sarcoma tumour tumor cyst contracture
murmur protein cells bodies stain smear index equation
""".split())
# Lower-case words that end a lower-case name (verbs and clinical words that follow names in handovers).
_LOWER_STOP = set(ENGLISH_STOP_WORDS) | {
    "resting", "restless", "settled", "slept", "visited", "asked", "called", "phoned", "rang", "reports", "says",
    "moved", "post", "op", "pt", "patient", "ok", "fine", "well", "today", "tomorrow", "tonight", "pls", "thanks",
    "review", "details", "mr", "mrs", "ms", "dr", "miss",
}  # fmt: skip
# Role words between a cue and the name ("Nurse Practitioner Aoife Kavanagh"): skipped, not removed.
_ROLE_WORDS = {
    "practitioner",
    "specialist",
    "nurse",
    "consultant",
    "registrar",
    "staff",
    "charge",
}

_FIELD = re.compile(
    r"(?im)(?:^|(?<=\s))(?:patient(?: name)?|pt|name|attending|consultant|surgeon|assistant|anaesthetist|"
    r"anesthetist|referring|sonographer|radiographer|signed|re|from|to)[ \t]*[:#][ \t]*"
)
# Cues written in lower case may be followed by a lower-case name ("wife eileen", "dr kowalczyk").
_LOWER_CUES = re.compile(
    rf"(?i)\b(?:{TITLES})\b\.?[ \t]*|"
    r"\b(?:son|daughter|wife|husband|partner|mother|mum|father|dad|sister|brother|niece|nephew|grandson|"
    r"granddaughter|hi its|its|hey|hi)\b[ \t:,-]*"
)
# Cues after which only a capitalised name is read.
_CAPITAL_CUES = re.compile(
    r"(?i)\b(?:carer|physio|physiotherapist|ot|dietitian|nurse|interpreter|gp|pt|patient|"
    r"seeing|see|spoke (?:to|with)|met with|handover from|reported by|dictated by|signed out by|dictated|"
    r"referred by|visited by|accompanied by|requested by|seen by|signed by|dear|"
    r"contact|guardian|emergency contact|next of kin)\b[ \t:,-]*"
)
_GREETING = re.compile(
    r"(?m)(?:^|:[ \t]*)(?P<v>[^\W\d_]+),[ \t]+your\b"
)  # "fatima, your cleaning ..."
_BED = re.compile(r"(?i)\bbed \d+[ \t]*:[ \t]*")
# (?<![ \t]): a match starts where a run of spaces starts, so a long run is read once, not once per space.
_AFTER = re.compile(
    r"(?<![ \t])(?:,?[ \t]+(?:MD|DO|RN|NP|PA-C|PA|GP|PhD|MBBS|FRCP)\b|[ \t]+\((?:husband|wife|son|daughter|partner|mother|"
    r"father|sister|brother|carer)\)|[ \t]+<[^>\s]+@|,[ \t]+\d{1,3},|[ \t]+(?:is|was)[ \t]+an?[ \t]+\d{1,3}[- ]?"
    r"(?:year|yr|y/o|yo\b)|[ \t]+(?:reports|says|states|denies|complains|attends|understands)\b)"
)


def name_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every name found in ``text``."""
    found = []
    for match in _FIELD.finditer(text):
        found += _read_forward(text, match.end(), allow_comma=True, lower=False)
    for match in _LOWER_CUES.finditer(text):
        lower = match.group(0).strip(" :,-\t.").islower()
        found += _read_forward(text, match.end(), allow_comma=False, lower=lower)
    for match in _CAPITAL_CUES.finditer(text):
        found += _read_forward(text, match.end(), allow_comma=False, lower=False)
    for match in _BED.finditer(text):
        found += _read_forward(
            text, match.end(), allow_comma=False, lower=True, lower_words=2
        )
    for match in _GREETING.finditer(text):
        if match.group("v").lower() not in _LOWER_STOP | NOT_NAMES:
            found.append(match.span("v"))
    for match in _AFTER.finditer(text):
        found += _read_backward(text, match.start())
    return found


def _is_capitalised(word: str) -> bool:
    letters = word.rstrip(".")
    return bool(letters) and letters[0].isupper() and letters.lower() not in NOT_NAMES


def _read_forward(
    text: str, start: int, *, allow_comma: bool, lower: bool, lower_words: int = 1
) -> list[tuple[int, int]]:
    """The name that starts at ``start`` (skipping spaces on the same line), if there is one."""
    line_end = text.find("\n", start)
    line_end = len(text) if line_end == -1 else line_end
    position, words, end, commas = start, 0, None, 0
    lower_taken = 0
    first = None
    while position < line_end and words < 6:
        gap = re.match(r"[ \t]*", text[position:line_end]).end()
        if words and (gap > 1 or "\t" in text[position : position + gap]):
            break  # a wide gap separates the columns of a form, not the words of a name
        match = _WORD.match(text, position + gap, line_end)
        if not match:
            # "Last, First": one comma, right after the surname, when read after a field label
            if (
                allow_comma
                and words
                and commas == 0
                and text.startswith(",", position)
                and not text.startswith(",", position + 1)
            ):
                comma = position + 1
                after = _WORD.match(
                    text,
                    comma + len(re.match(r"[ \t]*", text[comma:line_end]).group()),
                    line_end,
                )
                if after and _is_capitalised(after.group()):
                    position, commas = comma, 1
                    continue
            break
        word = match.group()
        bare = word.rstrip(".").lower()
        if not words and bare in _ROLE_WORDS:
            position = match.end()
            continue
        if bare in PARTICLES and words < 5:
            nxt = _WORD.match(
                text,
                match.end()
                + len(re.match(r"[ \t]*", text[match.end() : line_end]).group()),
                line_end,
            )
            if nxt and (
                _is_capitalised(nxt.group())
                or (lower and nxt.group().islower())
                or nxt.group().rstrip(".").lower() in PARTICLES
            ):
                first = match.start() if first is None else first
                position, words = match.end(), words + 1
                continue
        # short all-capital words are abbreviations (CT, ED), not names; initials keep their dot
        abbreviation = word.isupper() and len(word) <= 3 and not word.endswith(".")
        if _is_capitalised(word) and not abbreviation:
            first = match.start() if first is None else first
            end, position, words = match.end(), match.end(), words + 1
            if word.endswith(".") and len(word) > 2:
                end -= 1
                break  # "Montalbán." ends the sentence, and the name
            continue
        if (
            lower
            and word.islower()
            and bare not in _LOWER_STOP
            and lower_taken < lower_words
            and len(bare) > 1
        ):
            first = match.start() if first is None else first
            end, position, words, lower_taken = (
                match.end(),
                match.end(),
                words + 1,
                lower_taken + 1,
            )
            continue
        break
    if end is None or first is None or _before_eponym_noun(text, end):
        return []
    if all(word.lower().strip(".") in SERVICES for word in text[first:end].split()):
        return []  # "Cardiology", "General Surgery": a service, not a person
    return [(first, end)]


def _before_eponym_noun(text: str, end: int) -> bool:
    """True when the words read as a name are followed by "'s sign", "syndrome", "nodule" and the like."""
    after = re.match(r"(?:['’]s?)?[ \t]+([^\W\d_]+)", text[end : end + 40])
    return bool(after) and after.group(1).lower() in EPONYM_NOUNS


def _read_backward(text: str, end: int) -> list[tuple[int, int]]:
    """Up to three name-like words that end at ``end`` on the same line."""
    line_start = text.rfind("\n", 0, end) + 1
    if end - line_start > 120:  # three name words fit in 120 characters; reading a whole long line per cue is quadratic
        line_start = end - 120
        while line_start < end and not text[line_start - 1].isspace():
            line_start += 1  # start at a word's beginning, not inside one
    words = [m for m in _WORD.finditer(text, line_start, end)]
    picked = []
    for match in reversed(words):
        if text[match.end() : (picked[-1].start() if picked else end)].strip(" \t"):
            break  # something other than spaces between two words
        word = match.group()
        if _is_capitalised(word) or (picked and word.rstrip(".").lower() in PARTICLES):
            picked.append(match)
            if len(picked) == 3:
                break
        else:
            break
    if not picked:
        return []
    return [(picked[-1].start(), picked[0].end())]
