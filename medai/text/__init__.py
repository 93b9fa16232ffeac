"""Chapter 4, clinical text (EHR).

deid             rule-based de-identification (HIPAA Safe Harbor text categories), keyed date shift
deid_patterns    the shapes: dates (and their shifting), ages over 89, phones, IDs, addresses, facilities
deid_names       person names from their context: titles, field labels, relations, roles
deid_scoring     recall and precision by characters, per category, with the leaks listed
deid_model       a MiniLM word-piece tagger trained on synthetic notes, and its union with the rules
ner              entity-level scores and a dictionary tagger
negation         cue-based negation and uncertainty (NegEx-style)
transformer      MiniLM offline: word-piece alignment, token and sequence heads, long-document chunks
classification   document classification: TF-IDF + logistic regression vs fine-tuned MiniLM
pipeline         note -> de-identified -> findings with status -> JSON
"""
