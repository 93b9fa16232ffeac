"""Triage rules a reviewer can read: crisis, emergency and urgent phrases in English, Chinese, Spanish.

The rules are the second net beside the learned detector (``triage_model``): they catch the
plainest wording even when the model is unsure. Each pattern is matched inside one sentence of
the lower-cased message; a match does not count when a negation governs it in the same clause
("no chest pain"), when the clause speaks of the past ("had a stroke in 2019"), or when the
sentence asks about a symptom in general ("what are the signs of a stroke?").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ROUTES = ("crisis", "emergency", "urgent", "none")  # in the order they are checked

_EN_CRISIS = {
    "suicide": r"suicid\w*|kill (my ?self|him ?self|her ?self|them ?selves)|\bkms\b|end (it all|my life|things)"
               r"|take my (own )?life|(want|wants|wanted|wanting) to die|wish (i|he|she) (was|were) dead"
               r"|better off (dead|without me)|don'?t want to (live|be alive|be here|exist|wake up)"
               r"|(no|any) (reason|point) (to|in) (live|living|going on)|not (be|being) around (anymore|much longer)"
               r"|how many [^.?!]{0,40} (to die|would kill|fatal|lethal)|(lethal|fatal) (dose|amount)",
    "self-harm": r"self[- ]?harm\w*|(cut|cutting|burn|burning|hurt|hurting|harm|harming) (my|him|her)sel(f|ves)"
                 r"|cut again|relapsed? (on|into) (cutting|self)",
    "goodbye": r"(this is|saying) (my )?(last|final) (goodbye|message)|goodbye (to )?(everyone|forever)"
               r"|giving (away )?(all )?my (stuff|things) away|written (a|my) (note|letter) (for|to) (my|when)",
}  # fmt: skip
_EN_EMERGENCY = {
    "cardiac": r"(crushing|tight\w*|heavy|squeez\w*|pressure|severe|sudden)[^.?!]{0,30}chest"
               r"|chest[^.?!]{0,40}(arm|jaw|sweat|breath|elephant|crush)|heart attack",
    "breathing": r"can'?t (catch (my|his|her) )?breath\w*|(not|isn'?t|stopped|struggling|hard) (to )?breath\w*"
                 r"|barely breath\w*|gasping|(lips?|face|skin) [^.?!]{0,15}(blue|grey|gray)|choking|turning blue",
    "stroke": r"face[^.?!]{0,20}droop\w*|slurr\w*|can'?t (lift|move|feel)[^.?!]{0,30}(arm|leg|side)"
              r"|worst headache|thunderclap|sudden(ly)? [^.?!]{0,20}(can'?t see|blind|numb|weak|confus)",
    "anaphylaxis": r"(throat|tongue|lips?|face)[^.?!]{0,20}swell|swell\w*[^.?!]{0,20}(throat|tongue|lips?)"
                   r"|(hives|rash)[^.?!]{0,60}(wheez|breath|dizzy|faint)",
    "bleeding": r"bleed\w* (a lot|heavily|badly|everywhere)|won'?t stop bleeding|spurt\w*|(vomit\w*|cough\w*|throw\w* up) blood"
                r"|(lot of|heavy|pool of) blood|stabbed|\bshot\b|black (tarry )?(stool|poo)[^.?!]{0,60}(faint|dizzy|pass)",
    "unresponsive": r"collapsed|not respond\w*|isn'?t respond\w*|unconscious|unresponsive|passed out"
                    r"|(can'?t|cannot|won'?t|couldn'?t) (wake|rouse)|hard to wake|floppy",
    "seizure": r"seizure|convuls\w*|fitting|having a fit",
    "poisoning": r"overdos\w*|swallowed[^.?!]{0,40}(pill|tablet|battery|batteries|magnet|bleach|cleaner|detergent|pod)"
                 r"|(ate|took|drank|swallowed|taken)[^.?!]{0,30}(whole|entire|handful|bottle|packet|all (of )?(the|her|his|my))"
                 r"|drank (bleach|poison|antifreeze)|button batter\w*|(wild )?mushrooms?[^.?!]{0,40}vomit\w*"
                 r"|carbon monoxide|\bco alarm",
    "infant": r"\d+ ?(day|week|wk)s?[- ]old|newborn[^.?!]{0,40}(fever|temp|hot|floppy|not feeding)"
              r"|baby[^.?!]{0,40}(not breathing|blue|floppy|limp|won'?t wake)",
    "meningitis": r"rash[^.?!]{0,40}(glass|fade|fever)|stiff neck[^.?!]{0,40}(fever|light)",
    "pregnancy": r"pregnan\w*[^.?!]{0,60}(bleed\w*|severe|faint|shoulder|one side|vision)",
    "injury": r"car crash|hit by a car|bone[^.?!]{0,20}(through|sticking out)|fell[^.?!]{0,40}(head|roof|ladder|stairs)[^.?!]{0,40}(vomit|confus|drows|sleepy)"
              r"|hit (his|her|my) head[^.?!]{0,40}(confus|vomit|drows|sleepy)",
    "sepsis": r"mottled|(confus\w*)[^.?!]{0,40}(fever|breathing fast|cold)",
    "hypoglycaemia": r"(blood )?sugar[^.?!]{0,30}(\b[12](\.\d)?\b|\blo\b|low)[^.?!]{0,40}(confus|shak|sweat|drows|not making sense)"
                     r"|meter (says|reads|shows) \"?lo\b",
    "burn": r"burn\w*[^.?!]{0,40}(face|whole|chemical|electric|blister\w* all)|boiling water",
    "torsion": r"(testicle|testicular|ball)[^.?!]{0,40}(sudden|severe|pain)",
    "dying": r"(about|going) to die|dying right now",
}  # fmt: skip
_EN_URGENT = {
    "fever": r"fever[^.?!]{0,30}(days|week)|(days|week)[^.?!]{0,30}fever|temperature[^.?!]{0,30}(days|week)",
    "skin": r"mole[^.?!]{0,40}(chang|bleed|grow|itch|bigger|darker)|red\w*[^.?!]{0,30}spread\w*|spreading (rash|redness)",
    "infection": r"(bite|bitten)[^.?!]{0,40}(skin|bleed|puncture|swoll)|(pus|swollen)[^.?!]{0,30}(wound|cut)",
    "urine": r"(blood in|bloody) (my |the )?(urine|pee)|burn\w* when (i|he|she) (pee|urinate)[^.?!]{0,40}(fever|back|side)",
    "lump": r"(new |a )?lump in (my|her|his) (breast|armpit|neck|testicle)",
    "eye": r"(red|painful) eye[^.?!]{0,40}(blur|vision|light)",
}  # fmt: skip
# Chinese: no word boundaries, no lower case; short phrases are specific enough.
_ZH = {
    "crisis": r"不想活|想死|自杀|轻生|结束(自己的)?生命|一了百了|活着没(意思|意义)|割腕|自残|伤害自己|跳楼|遗书|安眠药攒",
    "emergency": r"胸口?(剧痛|很痛|痛得|压着|闷)|喘不(过|上)气|呼吸困难|不能呼吸|嘴唇(发)?紫|昏迷|叫不醒|没有?反应|晕倒|抽搐"
                 r"|口眼歪斜|说话不清|半边身体|大出血|血流不止|吐血|便血|误服|吞了|喝了(农药|消毒|漂白)|中毒|电池|烫伤|烧伤"
                 r"|发烧[^。！？]{0,20}(个月|周|天)大|(个月|周|天)大[^。！？]{0,20}发烧|煤气|一氧化碳|过敏[^。！？]{0,20}(肿|喘|呼吸)",
    "urgent": r"发烧[^。！？]{0,10}(一周|一个星期|好几天|五天|六天)|痣[^。！？]{0,20}(变|出血|流血)|尿血|伤口[^。！？]{0,20}(红肿|化脓)",
}  # fmt: skip
_ES = {
    "crisis": r"suicid\w*|quitarme la vida|matarme|no quiero (vivir|seguir)|quiero morir\w*|acabar con todo"
              r"|hacerme da[ñn]o|cortarme|autolesi\w*|despedirme de todos|mejor (estar|estarían?) (muert|sin m)",
    "emergency": r"dolor (fuerte |intenso )?(en el|de) pecho|no (puede|puedo) respirar|le cuesta respirar|labios? (morad|azul)"
                 r"|inconsciente|no (responde|despierta)|se desmay\w*|convulsi\w*|cara (torcida|ca[ií]da)|no puede hablar"
                 r"|sangr\w* (mucho|much[ií]simo|sin parar)|v[oó]mit\w* sangre|se (trag[oó]|tom[oó]|bebi[oó])\w*[^.?!]{0,30}(pila|pastillas|lej[ií]a|veneno)"
                 r"|envenen\w*|sobredosis|quemadura\w* grave|beb[eé] de \d+ (semanas|d[ií]as)[^.?!]{0,30}fiebre",
    "urgent": r"fiebre (desde hace|hace) (una semana|varios d[ií]as|\d+ d[ií]as)|lunar[^.?!]{0,30}(cambi|sangr)|sangre en la orina",
}  # fmt: skip


def _compile(table: dict[str, str]) -> dict[str, re.Pattern]:
    return {name: re.compile(pattern) for name, pattern in table.items()}


# (route, category) -> pattern, in the order routes are checked.
RULES: list[tuple[str, str, re.Pattern]] = [
    *(("crisis", f"en:{k}", p) for k, p in _compile(_EN_CRISIS).items()),
    ("crisis", "zh", re.compile(_ZH["crisis"])),
    ("crisis", "es", re.compile(_ES["crisis"])),
    *(("emergency", f"en:{k}", p) for k, p in _compile(_EN_EMERGENCY).items()),
    ("emergency", "zh", re.compile(_ZH["emergency"])),
    ("emergency", "es", re.compile(_ES["emergency"])),
    *(("urgent", f"en:{k}", p) for k, p in _compile(_EN_URGENT).items()),
    ("urgent", "zh", re.compile(_ZH["urgent"])),
    ("urgent", "es", re.compile(_ES["urgent"])),
]

_NEGATION = re.compile(
    r"\b(no|not|never|denies|deny|without|don'?t have|doesn'?t have|haven'?t|hasn'?t|isn'?t having|wasn'?t|nor|"
    r"sin|nunca|ningún|ninguna)\b|没有|没|不是|无"
)
_HISTORY = re.compile(
    r"\b(years? ago|months ago|last year|in (19|20)\d\d|back in|history of|used to|when i was|as a (kid|child|teen))\b"
    r"|\bhad (a|an) [^.?!,]{0,30}(in|years|months|ago|last)\b|年前|以前|曾经|hace (\d+|unos|varios) años"
)
_CLAUSE_BREAK = re.compile(r"[,.;!?，。；！？]|\bbut\b|\bjust\b|\bonly\b|\bpero\b|但是|只是")
_GENERAL_QUESTION = re.compile(
    r"^\s*(what|how|why|which|when|is|are|can|could|does|do|should|qu[eé]|c[oó]mo|cu[aá]les?|por qu[eé])\b"
    r"|\b(essay|exam|homework|lecture|curious|in general|signs of|symptoms of|warning signs)\b|什么是|有哪些症状|怎么预防"
)
_EDUCATIONAL = re.compile(r"\b(prevention|awareness|statistics|research|essay|homework|training|rates?|history of)\b")
_REPORT = re.compile(
    r"\b(i|i'?m|i'?ve|my|me|he|she|he'?s|she'?s|we|our|mi|me|estoy|tengo)\b[^.?!]{0,40}\b(have|having|has|am|is|are|took|"
    r"taken|can'?t|feel|felt|keep|collapsed|swallowed|drank|cut|fell|now|right now|tengo|est[aá])\b|我|他|她|孩子"
)
_SENTENCE = re.compile(r"(?<=[.!?。！？\n])\s*")


@dataclass(frozen=True)
class RuleHit:
    """The most serious rule that fired: its route, category and the words that raised it."""

    route: str
    category: str
    evidence: str


def normalise(message: str) -> str:
    """Lower case, straight apostrophes, single spaces (newlines kept as sentence ends)."""
    text = message.lower().replace("\u2019", "'").replace("\u2018", "'")
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def sentences(message: str) -> list[str]:
    """The message cut into sentences (Latin and Chinese punctuation, and line breaks)."""
    return [part.strip() for part in _SENTENCE.split(normalise(message)) if part.strip()]


def _discounted(sentence: str, start: int, route: str) -> bool:
    """Whether the clause before ``start`` negates the match or, for a medical sign, puts it in
    the past. A past crisis is not discounted: someone who mentions it may be at risk now."""
    clause = _CLAUSE_BREAK.split(sentence[max(0, start - 60) : start])[-1]
    end = _CLAUSE_BREAK.search(sentence, start)
    rest = sentence[start : end.start() if end else len(sentence)]
    past = route != "crisis" and bool(_HISTORY.search(clause + rest))
    return bool(_NEGATION.search(clause)) or past


def _general(sentence: str, route: str) -> bool:
    """A question about a symptom in general, not a report of one. Questions about how much of a
    drug would kill are never general; only plainly educational ones about suicide are."""
    if _REPORT.search(sentence):
        return False
    if route == "crisis":
        return bool(_EDUCATIONAL.search(sentence))
    return bool(_GENERAL_QUESTION.search(sentence))


def rule_triage(message: str) -> RuleHit | None:
    """The first route (crisis, then emergency, then urgent) that some sentence of ``message``
    raises by a rule, or None."""
    parts = sentences(message)
    for route, category, pattern in RULES:
        for sentence in parts:
            if _general(sentence, route):
                continue
            for match in pattern.finditer(sentence):
                if not _discounted(sentence, match.start(), route):
                    return RuleHit(route, category, match.group(0))
    return None
