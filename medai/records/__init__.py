"""Chapter 4, structured health records: readmission and patient tracking (Diabetes 130-US hospitals).

cohort    Strack et al.'s readmission cohort (first stay, no hospice or death), splits by patient
codes     ICD-9-CM codes to chapter groups (diabetes its own group)
tokens    an encounter as a bag of tokens, one per field, learned from training patients
tabular   the baselines on the same fields: logistic regression on tokens, gradient-boosted trees
network   RecordNet: summed token embeddings and a small MLP
tracking  Doctor AI-style sequences of stays, a GRU for the next stay, recall@k
readmission  the whole set-up in one call (cohort, split, tokens) and the tuned logistic regression
"""
