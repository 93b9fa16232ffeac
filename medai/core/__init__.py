"""What every chapter uses. Imports nothing from a chapter.

train        the one training loop: ``fit``/``predict``, ``TrainConfig`` (CPU, CUDA, MPS, torchrun)
batches      the loop's batches: a seeded shuffle for one process or many, length-grouped tokens
checkpoint   best weights written atomically, loaded with ``weights_only=True``
tensors      ``TensorPairs``: inputs and targets as tensors, indexed a batch at a time
checks       checks on image batches and labels as they enter
metrics      AUROC (also as the loop's validation score), threshold metrics, calibration, bootstrap CIs, Dice/IoU, macro-F1
intervals    ``Interval``: a number and its confidence interval, written one way
sampling     stratified and random subsamples for quick profiles
runtime      seeds, devices, processes and mixed precision
profiles     ``smoke`` / ``default`` / ``full`` settings of a notebook
source_cnn   the source document's CNN, as written and fixed (chapters 2 and 3)
benchmark    fair timing: warm-up, device sync, median of repeats
versions     the versions block printed at the top of every notebook
claims       numbers glued into the prose and sentences checked on the results
errors       MedaiError, InputError: the errors medai raises on purpose, each naming its input
"""
