"""medai: the code behind the book *Deep learning for medical diagnosis and health management*.

Notebooks tell the story; this package holds the logic they import, ordered by chapter.
A piece used by one chapter lives in that chapter. A chapter may import ``core``, ``datasets`` and
earlier chapters, never a later one (``tests/test_layout.py`` checks it); ``core`` imports no chapter.

core         the training loop, tensor data sets, metrics, seeds and devices, profiles, versions
datasets     ``load_<name>`` (real data), ``make_<name>`` (simulated), ``path(name)``, ``catalogue()``
background   ch. 1  background and concepts: the concept graph
theory       ch. 2  BCE and its gradient, logistic regression, layer shapes
imaging      ch. 3  the source's CNN fixed, ResNet, U-Net, DICOM, Grad-CAM, benchmark
text         ch. 4  de-identification, NER, negation, MiniLM heads, document classification
records      ch. 4  hospital encounters: readmission cohort, token embeddings, next-stay GRU
genomics     ch. 5  one-hot DNA, splice-site and ChIP-seq models, mutagenesis, Cox survival models
monitoring   ch. 6  ECG, beats, blood pressure, PPG, glucose forecasting and alarms, anomalies
chat         ch. 7  MedQuAD retrieval (BM25, MiniLM, hybrid), question types, triage, refusal, checked
                    SmolLM2 rewording, the assistant and `python -m medai chat`
evaluation   ch. 8  AUROC comparisons, calibration, decision curves, cross-site transport, model
                    cards, exports with parity, the HTTP service
trust        ch. 9  federated learning, differential privacy, encryption, access control and audit
             ch. 10 fairness by group and its mitigation, tested explanations, out-of-distribution
                    scores, corruptions, pruning and quantisation
appendix     the results table beside published figures, the book's build times, claims at several seeds
cli          ``python -m medai {data,run,chat,serve,results,times,claims,bench} ...`` (``--help`` on each)

Each subpackage's docstring lists its modules, one line each.
"""

__version__ = "0.1.0"
