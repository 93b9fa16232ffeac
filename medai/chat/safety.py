"""The assistant's fixed safety texts, in English, Chinese and Spanish, and the message's language.

Crisis, emergency and urgent replies are written here by people, never retrieved or generated.
Every reply that is not an answer ends with ``emergency_line``; a message the assistant cannot read
(another language) also gets ``crisis_line``, since triage may have missed what it says. The language decides only which
version is shown: triage itself runs every language's rules and the learned detector on any text.
"""

from __future__ import annotations

import re
from functools import lru_cache

SAFETY_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "crisis": (
            "I'm really sorry you're going through this. You matter, and you don't have to face this alone. "
            "If you are in danger or might act on these thoughts, please contact a crisis line or emergency "
            "services now: in the US call or text 988 (Suicide & Crisis Lifeline); in the UK and Ireland "
            "Samaritans 116 123; elsewhere your local emergency number. If you can, reach out to someone you "
            "trust and tell them how you are feeling."
        ),
        "emergency": (
            "This may be a medical emergency. Call your local emergency number now (911, 999 or 112) and do "
            "not wait for an online answer. While help is on the way, stay with the person and unlock the door "
            "so responders can get in."
        ),
        "urgent": (
            "This sounds like something a doctor should check today or very soon. Please contact your doctor "
            "or an urgent-care clinic today. If it gets worse or new serious symptoms appear, call your local "
            "emergency number."
        ),
        "emergency_line": "If this is an emergency, call your local emergency number (911, 999 or 112) now.",
        "english_only": "I can answer health questions in English only.",
        "crisis_line": (
            "If you are thinking of ending your life or harming yourself, contact a crisis line now (988 in the "
            "US, Samaritans 116 123 in the UK and Ireland) or your local emergency number."
        ),
    },
    "zh": {
        "crisis": (
            "听到你现在这么难受，我很难过。你很重要，你并不孤单。如果你有危险或可能伤害自己，请现在就联系心理危机热线或"
            "急救服务：北京心理危机研究与干预中心 010-82951332，希望24热线 400-161-9995；紧急情况请拨打120或110。"
            "如果可以，请告诉一个你信任的人你现在的感受。"
        ),
        "emergency": "这可能是紧急情况。请立即拨打急救电话120，不要等待线上回复。等待期间请陪在病人身边，并打开门锁方便急救人员进入。",
        "urgent": "这种情况听起来需要医生今天或尽快看一下。请今天联系你的医生，或到医院门诊或急诊就诊。如果情况加重，请立即拨打120。",
        "emergency_line": "如果这是紧急情况，请立即拨打当地急救电话（中国大陆120，其他地区如911、999或112）。",
        "english_only": "我目前只能用英文回答健康问题。",
        "crisis_line": "如果你有结束生命或伤害自己的想法，请现在就联系心理危机热线（希望24热线 400-161-9995）或拨打120、110。",
    },
    "es": {
        "crisis": (
            "Siento mucho que estés pasando por esto. Tu vida importa y no estás solo ni sola. Si estás en "
            "peligro o crees que podrías hacerte daño, contacta ahora con una línea de crisis o con emergencias: "
            "España: 024 (línea de atención a la conducta suicida); México: Línea de la Vida 800 911 2000; en "
            "otros lugares, tu número local de emergencias (112 o 911). Si puedes, habla con alguien de "
            "confianza y cuéntale cómo te sientes."
        ),
        "emergency": (
            "Esto puede ser una emergencia. Llama ahora a tu número de emergencias (112 o 911) y no esperes una "
            "respuesta en línea. Mientras llega la ayuda, quédate con la persona y quita el cerrojo de la puerta "
            "para que puedan entrar."
        ),
        "urgent": (
            "Esto parece algo que un médico debería revisar hoy o muy pronto. Contacta hoy con tu médico o acude "
            "a un centro de atención urgente. Si empeora, llama a tu número de emergencias (112 o 911)."
        ),
        "emergency_line": "Si es una emergencia, llama ahora a tu número local de emergencias (911, 999 o 112).",
        "english_only": "Por ahora solo puedo responder preguntas de salud en inglés.",
        "crisis_line": (
            "Si piensas en quitarte la vida o en hacerte daño, llama ahora a una línea de crisis (024 en España, "
            "800 911 2000 en México) o a tu número local de emergencias."
        ),
    },
}
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Languages people commonly write to an English chatbot in; restricting the detector to them
# keeps short messages from being read as a rare language.
LANGUAGES = ("en", "zh", "es", "fr", "pt", "de", "it", "nl", "hi", "ar", "vi", "tl", "ru", "ko", "ja", "pl", "tr", "id")


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def detect_language(text: str, confidence: float = 0.9) -> str:
    """An ISO 639-1 code for ``text``: "zh" when most letters are Chinese characters, else the
    language py3langid finds with at least ``confidence``; short or unclear text counts as "en"."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return "en"
    if sum(bool(_CJK.match(c)) for c in letters) / len(letters) > 0.3:
        return "zh"
    if len(_WORD.findall(text)) < 3:
        return "en"
    language, probability = _identifier().classify(text)
    return language if probability >= confidence else "en"


def safety_text(kind: str, language: str) -> str:
    """The fixed text ``kind`` ("crisis", "emergency", "urgent", "emergency_line", "english_only",
    "crisis_line") in
    ``language``, or in English when this language has no version."""
    return SAFETY_TEXTS.get(language, SAFETY_TEXTS["en"])[kind]
