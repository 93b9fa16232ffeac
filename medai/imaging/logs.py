"""Reading back what ``fit`` logged for TensorBoard (``TrainConfig(log_dir=...)``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..core.errors import InputError


def read_scalars(log_dir: str | Path) -> pd.DataFrame:
    """Every scalar in the TensorBoard event files of ``log_dir``: one column per tag
    (``train_loss``, ``val_loss``, ``val_score``, ``images_per_s``), one row per epoch."""
    try:
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    except ImportError as error:  # tensorboard is optional, like the writer
        raise ImportError("reading TensorBoard logs needs it: pip install tensorboard") from error
    folder = Path(log_dir)
    if not folder.is_dir() or not any(folder.glob("events.out.tfevents.*")):
        raise InputError(f"{folder} holds no TensorBoard event file: was fit given log_dir={str(folder)!r}?")
    events = EventAccumulator(str(folder))
    events.Reload()
    tags = events.Tags()["scalars"]
    if not tags:
        raise InputError(f"the event files in {folder} hold no scalars")
    columns = {tag: {e.step: e.value for e in events.Scalars(tag)} for tag in tags}
    return pd.DataFrame(columns).sort_index().rename_axis("epoch")
