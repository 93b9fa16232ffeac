"""Chapter 4, clinical text (EHR).

deid             de-identification: rule_phi (rules), find_phi (recommended: rules + tagger), keyed date shift
deid_patterns    the shapes: dates (and their shifting), ages over 89, phones, IDs, addresses, facilities
deid_names       person names from their context: titles, field labels, relations, roles
deid_scoring     recall by characters and the other text removed, per category and detector, with intervals
deid_model       a MiniLM word-piece tagger trained on synthetic notes, and its union with the rules
deid_trained     the recommended tagger: fixed recipe on Faker notes and written documents, cached
deid_threshold   its threshold and anchor, chosen on validation notes
deid_baselines   Microsoft Presidio's recognizers, offline, for comparison
ner              entity-level scores and a dictionary tagger
negation         cue-based negation and uncertainty (NegEx-style)
transformer      MiniLM offline: word-piece alignment, token and sequence heads, long-document chunks
classification   document classification: TF-IDF + logistic regression vs fine-tuned MiniLM
pipeline         note -> de-identified -> findings with status -> JSON
"""
